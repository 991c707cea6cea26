"""Reference-manager files in and out: RIS, CSL-JSON and BibTeX exports from Zotero,
Mendeley, EndNote and PubMed become :class:`Candidate` records; the library goes back out
as BibTeX, CSL-JSON or RIS.

Readers are lenient the way real exports need (a byte-order mark, a record without ``TY``,
``PY - 2016/12//``, a DOI written as a URL, ``date-parts: [[null]]``) and report what they
could not use as :class:`Problem` objects with the file and line, never by raising.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any, Sequence

import bibtexparser

from ..errors import Problem
from ..identifiers import DOI_IN_TEXT
from ..read.bibtex import decode, split_authors
from .entries import Candidate, format_entry
from .library import Ref
from ..files import file_problem

RIS_TYPES = {"JOUR": "article", "JFULL": "article", "MGZN": "article", "NEWS": "article", "EJOUR": "article",
             "CONF": "inproceedings", "CPAPER": "inproceedings", "BOOK": "book", "EBOOK": "book",
             "CHAP": "incollection", "ECHAP": "incollection", "THES": "phdthesis", "RPRT": "techreport"}
CSL_TYPES = {"article-journal": "article", "article": "article", "review": "article", "paper-conference": "inproceedings",
             "book": "book", "chapter": "incollection", "thesis": "phdthesis", "report": "techreport"}
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def _year(text: object) -> int | None:
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(text or ""))
    return int(match.group(1)) if match else None


def _doi(text: str | None) -> str | None:
    match = DOI_IN_TEXT.search(text or "")
    return match.group(1).rstrip(".,;") if match else None


def _name(value: str) -> str:
    """'Shi,Yu ' -> 'Shi, Yu'."""
    value = " ".join(value.split())
    return re.sub(r"\s*,\s*", ", ", value).strip(", ")


def read_ris(text: str, origin: str) -> tuple[list[Candidate], list[Problem]]:
    """RIS records (``TY`` ... ``ER``); a record without ``TY`` is read as a journal article, with a warning."""
    text = text.lstrip("\ufeff")
    records: list[tuple[int, dict[str, list[str]]]] = []
    problems: list[Problem] = []
    current: dict[str, list[str]] | None = None
    start = 0
    last_tag = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.rstrip("\r").lstrip("\ufeff")
        match = _RIS_LINE.match(line.rstrip()) or _RIS_LINE.match(line)
        if not match:
            if line.strip() and current is not None and last_tag:  # a continuation line
                current[last_tag][-1] += " " + line.strip()
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if current is None:
            current, start = {}, number
            if tag != "TY":
                problems.append(Problem(origin, number, "ris-no-type", "record has no TY line",
                                        "read as a journal article; export with a TY line", severity="warning"))
        if tag == "ER":
            records.append((start, current))
            current, last_tag = None, None
            continue
        if value:
            current.setdefault(tag, []).append(value)
            last_tag = tag
    if current:
        problems.append(Problem(origin, start, "ris-no-end", "last record has no ER line", "read anyway",
                                severity="warning"))
        records.append((start, current))
    out = []
    for line, rec in records:
        get = lambda *tags: next((rec[t][0] for t in tags if rec.get(t)), None)  # noqa: E731
        ty = get("TY") or ("JOUR" if get("JF", "JO", "T2") else "GEN")
        pmid = get("AN") if (get("DB") or "").lower() == "pubmed" else None
        for value in rec.get("U1", []) + rec.get("U2", []) + rec.get("C2", []):
            m = re.match(r"^\s*(\d+)\s*\[pmid\]", value, re.I)
            pmid = pmid or (m.group(1) if m else None)
        pmcid = None
        for value in rec.get("U2", []) + rec.get("L2", []) + rec.get("C2", []):
            m = re.search(r"(PMC\d+)", value)
            pmcid = pmcid or (m.group(1) if m else None)
        start_page, end_page = get("SP"), get("EP")
        pages = f"{start_page}-{end_page}" if start_page and end_page else start_page
        doi = _doi(get("DO")) or next((_doi(v) for v in rec.get("N1", []) + rec.get("M3", []) if _doi(v)), None) \
            or (_doi(get("UR")) if re.search(r"doi\.org/", get("UR") or "") else None)
        title = get("TI", "T1", "CT")
        if not title:
            problems.append(Problem(origin, line, "no-title", "record has no title (TI/T1)", "skipped; add a title",
                                    severity="warning"))
            continue
        out.append(Candidate(
            f"{origin}:{line}", RIS_TYPES.get(ty, "misc"), " ".join(title.split()),
            tuple(_name(a) for a in rec.get("AU", []) + rec.get("A1", [])),
            get("JF", "T2", "JO", "JA", "J2") if ty != "ELEC" else None,
            _year(get("PY", "Y1", "DA")), get("VL"), get("IS"), pages, doi, pmid, pmcid,
            (get("UR") or "").removeprefix("//") or None).normalised())
    return out, problems


def _csl_text(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return " ".join(html.unescape(str(value)).split()) if value else None


def read_csljson(text: str, origin: str) -> tuple[list[Candidate], list[Problem]]:
    """CSL-JSON: a list of items (or one item); ``date-parts`` of ``[[]]`` or ``[[null]]`` mean no date."""
    problems: list[Problem] = []
    try:
        data = json.loads(text)
    except ValueError as exc:
        return [], [Problem(origin, getattr(exc, "lineno", None), "bad-json", f"not valid JSON ({exc})",
                            "export CSL-JSON again from the reference manager")]
    items = data if isinstance(data, list) else [data]
    out = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        title = _csl_text(item.get("title"))
        if not title:
            problems.append(Problem(origin, None, "no-title", f"item {number} ({item.get('id', '?')}) has no title",
                                    "skipped; add a title", severity="warning"))
            continue
        authors = []
        for person in item.get("author") or []:
            if person.get("family"):
                authors.append(f"{person['family']}, {person['given']}" if person.get("given") else person["family"])
            elif person.get("literal"):
                authors.append(person["literal"])
        parts = ((item.get("issued") or {}).get("date-parts") or [[]])[0] or []
        year = parts[0] if parts and isinstance(parts[0], int) else _year((item.get("issued") or {}).get("raw"))
        out.append(Candidate(
            f"{origin}#{number}", CSL_TYPES.get(str(item.get("type")), "misc"), title, tuple(authors),
            _csl_text(item.get("container-title")), year, _csl_text(item.get("volume")), _csl_text(item.get("issue")),
            _csl_text(item.get("page")), item.get("DOI"), item.get("PMID"), item.get("PMCID"),
            item.get("URL")).normalised())
    return out, problems


def read_bib(text: str, origin: str) -> tuple[list[Candidate], list[Problem]]:
    """BibTeX or biblatex (``journaltitle``, ``date``); the source's citekey is kept when free."""
    library = bibtexparser.parse_string(text)
    problems = [Problem(origin, b.start_line + 1, "bad-bibtex", "could not parse this entry", "skipped; fix it and import again")
                for b in library.failed_blocks]
    out = []
    for entry in library.entries:
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        get = lambda *names: next((html.unescape(decode(fields[n])) for n in names if fields.get(n)), None)  # noqa: E731
        title = get("title")
        if not title:
            problems.append(Problem(origin, entry.start_line + 1, "no-title", f"{entry.key}: no title",
                                    "skipped; add a title", severity="warning"))
            continue
        out.append(Candidate(
            f"{origin}:{entry.start_line + 1}", entry.entry_type.lower(), title,
            tuple(split_authors(fields.get("author", ""))), get("journal", "journaltitle"),
            _year(get("year", "date")), get("volume"), get("number", "issue"), get("pages"),
            _doi(get("doi")) or get("doi"), get("pmid"), get("pmcid"), get("url"), key_hint=entry.key).normalised())
    return out, problems


def read_any(path: Path) -> tuple[list[Candidate], list[Problem], str]:
    """Pick the reader from the extension, else from the content; returns the format name too."""
    refused = file_problem(path, None, path.name)  # a FIFO or a folder must not block or crash the import
    if refused:
        return [], [refused], "unreadable"
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    suffix = path.suffix.lower()
    stripped = text.lstrip()
    if suffix in (".ris", ".txt") and re.search(r"^[A-Z][A-Z0-9]  -", text, re.M):
        return (*read_ris(text, path.name), "ris")
    if suffix == ".json" or stripped[:1] in "[{":
        return (*read_csljson(text, path.name), "csljson")
    if suffix in (".bib", ".bibtex") or stripped.startswith("@"):
        return (*read_bib(text, path.name), "bibtex")
    if re.search(r"^[A-Z][A-Z0-9]  -", text, re.M):
        return (*read_ris(text, path.name), "ris")
    return [], [Problem(path.name, None, "unknown-format", "not RIS, CSL-JSON or BibTeX",
                        "export as RIS (.ris), CSL-JSON (.json) or BibTeX (.bib)")], "unknown"


# -- export ------------------------------------------------------------------------------------

def candidate_of(ref: Ref) -> Candidate:
    f = ref.fields
    return Candidate(f"{ref.file}:{ref.line}", str(f.get("entry_type") or "article"), f.get("title"),
                     tuple(f.get("authors") or ()), f.get("journal"), f.get("year"), f.get("volume"), f.get("issue"),
                     f.get("pages"), f.get("doi"), f.get("pmid"), f.get("pmcid"), f.get("url"))


def to_bibtex(refs: Sequence[Ref]) -> str:
    return "\n".join(format_entry(r.citekey, candidate_of(r)) for r in refs)


def _split_name(name: str) -> dict[str, str]:
    if "," in name:
        fam, given = name.split(",", 1)
        return {"family": fam.strip(), "given": given.strip()} if given.strip() else {"family": fam.strip()}
    return {"literal": name}


def to_csljson(refs: Sequence[Ref]) -> str:
    types = {v: k for k, v in CSL_TYPES.items() if k != "article"}
    items = []
    for ref in refs:
        c = candidate_of(ref)
        item: dict[str, Any] = {"id": ref.citekey, "type": types.get(c.entry_type, "article-journal"), "title": c.title}
        if c.authors:
            item["author"] = [_split_name(a) for a in c.authors]
        for key, value in (("container-title", c.journal), ("volume", c.volume), ("issue", c.issue),
                           ("page", (c.pages or "").replace("–", "-") or None), ("DOI", c.doi), ("PMID", c.pmid),
                           ("PMCID", c.pmcid), ("URL", c.url)):
            if value:
                item[key] = value
        if c.year:
            item["issued"] = {"date-parts": [[int(c.year)]]}
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def to_ris(refs: Sequence[Ref]) -> str:
    types = {"article": "JOUR", "inproceedings": "CPAPER", "book": "BOOK", "incollection": "CHAP",
             "phdthesis": "THES", "techreport": "RPRT"}
    lines: list[str] = []
    for ref in refs:
        c = candidate_of(ref)
        lines.append(f"TY  - {types.get(c.entry_type, 'GEN')}")
        lines.append(f"ID  - {ref.citekey}")
        if c.title:
            lines.append(f"TI  - {c.title}")
        lines += [f"AU  - {a}" for a in c.authors]
        start, _, end = (c.pages or "").replace("–", "-").partition("-")
        for tag, value in (("JO", c.journal), ("PY", c.year), ("VL", c.volume), ("IS", c.issue), ("SP", start),
                           ("EP", end), ("DO", c.doi), ("UR", c.url)):
            if value:
                lines.append(f"{tag}  - {value}")
        if c.pmid:
            lines.append(f"AN  - {c.pmid}")
            lines.append(f"U1  - {c.pmid}[pmid]")
        if c.pmcid:
            lines.append(f"U2  - {c.pmcid}[pmcid]")
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)
