"""Read stage: RIS exports (Zotero, Mendeley, EndNote, PubMed, Scopus, ScienceDirect).

Our own small reader rather than ``rispy``: checked on the real exports in
``shared/external/ris`` and ``medical-reflists``, rispy keeps no line numbers (a refusal
could not say where), silently returns nothing for a record that lacks ``TY`` (the
corrupted JabRef file reads as an empty library), and keeps one value of a tag given twice
(the second ``SN`` of the PubMed export is dropped). Here every record keeps its line, and
a file that is not well-formed RIS is refused with the line, never half-read.

Identifiers RIS hides: a PubMed export carries the PMID as ``AN`` (with ``DB - PubMed``)
and in ``U1 - 26957754[pmid]``, the PMCID in ``U2 - PMC4756000[pmcid]`` or in an ``L2``
link; other managers write ``PMID: …`` / ``PMCID: …`` into notes (``N1``).
"""

from __future__ import annotations

import re

from ..errors import Problem
from .candidate import Candidate, doi_in, person, year_in

RIS_TYPES = {"JOUR": "article", "JFULL": "article", "MGZN": "article", "NEWS": "article", "EJOUR": "article",
             "CONF": "inproceedings", "CPAPER": "inproceedings", "BOOK": "book", "EBOOK": "book",
             "CHAP": "incollection", "ECHAP": "incollection", "THES": "phdthesis", "RPRT": "techreport"}
TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*?))?\s*$")
NOTE_TAGS = ("N1", "U1", "U2", "U3", "U4", "U5", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "M1", "M2",
             "L1", "L2", "L4", "UR")
_PMID_NOTE = re.compile(r"(?:\bPMID\s*:?\s*(\d{1,9})\b|^\s*(\d{1,9})\s*\[pmid\])", re.I)
_PMCID = re.compile(r"\b(PMC\d{1,9})\b", re.I)
_PUBMED_URL = re.compile(r"pubmed\.ncbi\.nlm\.nih\.gov/(\d{1,9})\b|ncbi\.nlm\.nih\.gov/pubmed/(\d{1,9})\b")

Record = dict[str, list[str]]


def _records(text: str, origin: str) -> tuple[list[tuple[int, Record]], list[Problem]]:
    """Split into records (``TY`` ... ``ER``), each with its first line; malformations are errors."""
    records: list[tuple[int, Record]] = []
    problems: list[Problem] = []
    current: Record | None = None
    start = 0
    last_tag: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.lstrip("\ufeff")
        match = TAG_LINE.match(line)
        if not match:
            if not line.strip():
                continue
            if current is not None and last_tag:  # a wrapped long value (some exporters wrap abstracts)
                current[last_tag][-1] += " " + line.strip()
                continue
            problems.append(Problem(origin, number, "ris-bad-line", f"not a RIS line: '{line.strip()[:60]}'",
                                    "RIS lines read 'XX  - value'; export the file again from the reference manager"))
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if current is None:
            if tag != "TY":
                problems.append(Problem(origin, number, "ris-no-type", f"a record starts with '{tag}', not 'TY'",
                                        "every RIS record begins with 'TY  - JOUR' (or another type): the file "
                                        "is cut or damaged; export it again"))
                return records, problems
            current, start, last_tag = {}, number, None
        elif tag == "TY":
            problems.append(Problem(origin, number, "ris-no-end", f"the record of line {start} has no 'ER' line "
                                    "before this new record", "end every record with 'ER  - '; export it again"))
            return records, problems
        if tag == "ER":
            records.append((start, current))
            current, last_tag = None, None
            continue
        if value:
            current.setdefault(tag, []).append(value)
            last_tag = tag
    if current is not None:
        problems.append(Problem(origin, start, "ris-no-end", "the last record has no 'ER' line: the file may be "
                                "cut short", "end every record with 'ER  - '; export the file again"))
    return records, problems


def _pmid(rec: Record) -> str | None:
    database = (rec.get("DB") or [""])[0].lower()
    if rec.get("AN") and database in ("pubmed", "medline") and rec["AN"][0].strip().isdigit():
        return rec["AN"][0].strip()
    for tag in NOTE_TAGS:
        for value in rec.get(tag, []):
            match = _PMID_NOTE.search(value) or (_PUBMED_URL.search(value) if tag in ("UR", "L2") else None)
            if match:
                return next(g for g in match.groups() if g)
    return None


def _pmcid(rec: Record) -> str | None:
    for tag in NOTE_TAGS:
        for value in rec.get(tag, []):
            match = _PMCID.search(value)
            if match:
                return match.group(1)
    return None


def read_ris(text: str, origin: str) -> tuple[list[Candidate], list[Problem]]:
    """Every record as a :class:`Candidate`; a record without a title is skipped with a warning."""
    records, problems = _records(text.lstrip("\ufeff"), origin)
    out = []
    for line, rec in records:
        def get(*tags: str) -> str | None:
            return next((rec[t][0] for t in tags if rec.get(t)), None)
        ty = get("TY") or "GEN"
        start_page, end_page = get("SP"), get("EP")
        pages = f"{start_page}-{end_page}" if start_page and end_page else start_page
        doi = doi_in(get("DO")) or next((doi_in(v) for v in rec.get("N1", []) + rec.get("M3", []) if doi_in(v)), None) \
            or (doi_in(get("UR")) if re.search(r"doi\.org/", get("UR") or "") else None)
        title = get("TI", "T1", "CT")
        if not title:
            problems.append(Problem(origin, line, "no-title", "record has no title (TI/T1)", "skipped; add a title",
                                    severity="warning"))
            continue
        out.append(Candidate(
            f"{origin}:{line}", RIS_TYPES.get(ty, "misc"), " ".join(title.split()),
            tuple(person(a) for a in rec.get("AU", []) + rec.get("A1", [])),
            get("JF", "T2", "JO", "JA", "J2") if ty != "ELEC" else None,
            year_in(get("PY", "Y1", "DA")), get("VL"), get("IS"), pages, doi, _pmid(rec), _pmcid(rec),
            (get("UR") or "").removeprefix("//") or None, abstract=get("AB", "N2")).normalised())
    return out, problems
