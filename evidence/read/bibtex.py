"""Read stage for BibTeX: bibtexparser 2 parses; we keep each entry's file and line.

LaTeX is decoded only in fields that contain a backslash or a brace: decoding every field
through the middleware costs 30x the parse on large libraries.
"""

from __future__ import annotations

import re
from pathlib import Path

import bibtexparser
import pandas as pd
from bibtexparser.middlewares import RemoveEnclosingMiddleware, ResolveStringReferencesMiddleware
from bibtexparser.model import DuplicateBlockKeyBlock
from pylatexenc.latex2text import LatexNodes2Text

from ..errors import Problem
from ..files import decode as decode_bytes
from .cache import ParseCache
from ..identifiers import is_safe_url, normalise_doi, explain_doi, explain_pmcid, explain_pmid

_LATEX = LatexNodes2Text(strict_latex_spaces=True)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)

COLUMNS = ["citekey", "entry_type", "title", "authors", "author_count", "first_author", "journal", "year",
           "volume", "issue", "pages", "doi", "pmid", "pmcid", "url", "curated", "source_file", "source_line"]


def decode(value: str) -> str:
    """Unicode text of a BibTeX field value."""
    if "\\" in value or "{" in value:
        try:
            value = _LATEX.latex_to_text(value)
        except Exception:  # pylatexenc is lenient; keep the raw text if it is not
            value = value.replace("{", "").replace("}", "")
    return " ".join(value.split())


def split_authors(value: str) -> list[str]:
    """Split on top-level ' and ' (not inside braces, so '{Barnes and Noble}' stays one name)."""
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", value, flags=re.IGNORECASE):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            names.append(value[start:match.start()])
            start = match.end()
    names.append(value[start:])
    return [decode(n) for n in names if n.strip()]


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
CITEKEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:+-]*$")  # becomes a file name and a URL: no '/', no spaces
YEARS = (1000, 2100)


def _concatenated(raw: str) -> list[str]:
    """The parts of a raw value joined by ``#``: only a ``#`` outside braces and quotes joins, so
    ``{Learning C# in a week}`` is one braced part, not a macro named ``in a week}``."""
    if "#" not in raw:
        return [raw.strip()]
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i].strip())
            start = i + 1
    parts.append(raw[start:].strip())
    return parts


def _undefined_macros(raw: str, defined: set[str]) -> list[str]:
    """Bare names in a raw field value that no @string defines (BibTeX would print nothing for them)."""
    return [p for p in _concatenated(raw) if p and not p.startswith(("{", '"')) and not p.isdigit()
            and p.lower() not in defined and p.lower() not in MONTHS]


def _parse(text: str) -> tuple[bibtexparser.Library, dict[tuple[str, str], tuple[str, int]]]:
    """Parse with the default middleware, keeping each field's raw value and line to find undefined macros."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    raw = {(e.key, f.key.lower()): (str(f.value), f.start_line + 1) for e in library.entries for f in e.fields}
    library = ResolveStringReferencesMiddleware(True).transform(library)
    library = RemoveEnclosingMiddleware(True).transform(library)
    return library, raw


def read_bibtex(paths: list[Path], shown: dict[Path, str], cache: ParseCache | None = None
                ) -> tuple[pd.DataFrame, list[Problem]]:
    """Every entry of every file; each file parsed once (or taken from ``cache`` by its bytes)."""
    frames: list[pd.DataFrame] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    folded: dict[str, str] = {}  # lower-cased citekey -> the first spelling (pages differ only in case)
    cache = cache or ParseCache(None)
    for path in paths:
        name = shown[path]
        data = path.read_bytes()
        frame, found = cache.parsed("bibtex", name, data, lambda: _parse_file(data, name))
        # a citekey defined in an earlier file: reported here, across files, so a file's slot stays its own;
        # the later entry is dropped with its own problems, as if it had never been read
        keep, dropped = [], set()
        for key, line in zip(frame["citekey"], frame["source_line"]):
            if key in seen:
                problems.append(Problem(name, int(line), "duplicate-citekey",
                                        f"citekey '{key}' is already defined in {seen[key]}",
                                        "rename one of the entries or delete the copy", field="citekey"))
                keep.append(False)
                dropped.add(int(line))
            else:
                seen[key] = f"{name}:{line}"
                keep.append(True)
                if folded.setdefault(key.lower(), key) != key:
                    problems.append(Problem(name, int(line), "citekey-case", f"citekey '{key}' differs from "
                                            f"'{folded[key.lower()]}' only in case (their pages would collide)",
                                            "rename one of them", field="citekey"))
        problems.extend(p for p in found if p.line not in dropped)
        if any(keep):  # an empty frame's object columns would turn the others' string columns to object
            frames.append(frame if all(keep) else frame[keep])
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    if len(frames) > 1:  # infer each text column's type over all files, as one frame of every row would
        for col in df.columns:
            if df[col].dtype == object:  # (authors, a column of lists, stays object)
                df[col] = pd.Series(df[col].tolist(), index=df.index)
    df = df[COLUMNS]
    df["year"] = df["year"].astype("Int64")
    return df, problems


def _parse_file(data: bytes, name: str) -> tuple[pd.DataFrame, list[Problem]]:
    rows: list[dict[str, object]] = []
    decoded, found = decode_bytes(data, name)  # one problem at its byte and line for an undecodable file
    problems = list(found)
    if decoded:
        library, raw_values = _parse(decoded)
        defined = {str(s.key).lower() for s in library.strings}
        for block in library.failed_blocks:
            line = block.start_line + 1
            if isinstance(block, DuplicateBlockKeyBlock):
                problems.append(Problem(name, line, "duplicate-citekey", f"duplicate citekey '{block.key}'",
                                        "rename one of the entries or delete the copy", field="citekey"))
            else:
                first = block.raw.strip().splitlines()[0][:60] if block.raw.strip() else ""
                problems.append(Problem(name, line, "bad-bibtex", f"could not parse the entry starting '{first}'",
                                        "check for a missing comma, brace or quote in this entry"))
        for entry in library.entries:  # a second entry with the same key is a failed block (above), not an entry
            line = entry.start_line + 1
            key = entry.key
            if not CITEKEY_RE.match(key):
                problems.append(Problem(name, line, "bad-citekey", f"citekey '{key}' has characters a file name or "
                                        "URL cannot carry", "use letters, digits and _ . : + - only", field="citekey"))
            fields = {f.key.lower(): str(f.value) for f in entry.fields}

            def at(field_name: str) -> int:  # the field's own line, so the message points at it
                return raw_values[(key, field_name)][1]  # raw_values holds every field of every entry

            for field_name in sorted(fields):
                for macro in _undefined_macros(raw_values[(key, field_name)][0], defined):
                    problems.append(Problem(name, at(field_name), "undefined-macro",
                                            f"{key}: {field_name} uses '{macro}', which no @string defines",
                                            f"put the value in braces: {field_name} = {{{macro}}}", field=field_name))
            authors = split_authors(fields.get("author", ""))
            year_text = decode(fields.get("year", ""))
            year = int(year_text) if year_text.isdigit() and len(year_text) <= 4 else None
            if year is not None and not YEARS[0] <= year <= YEARS[1]:
                year = None
            if year_text and year is None:
                problems.append(Problem(name, at("year"), "bad-year", f"{key}: year '{year_text}' is not a year",
                                        "write the four-digit year, e.g. year = {2017}", field="year"))
            if not fields.get("title"):
                problems.append(Problem(name, line, "missing-title", f"{key}: no title", "add title = {...}",
                                        field="title"))
            url = decode(fields.get("url", "")) or None
            if url and not is_safe_url(url):
                problems.append(Problem(name, at("url"), "bad-url", f"{key}: url '{url[:80]}' is not an http(s) address",
                                        "write the full address starting with https://", field="url"))
            doi = normalise_doi(decode(fields["doi"])) if fields.get("doi") else None
            pmid = decode(fields.get("pmid", "")) or None
            pmcid = decode(fields.get("pmcid", "")) or None
            for label, value, explain in (("doi", doi, explain_doi), ("pmid", pmid, explain_pmid),
                                          ("pmcid", pmcid, explain_pmcid)):
                why = explain(value) if value else ""
                if why:
                    problems.append(Problem(name, line, f"bad-{label}", f"{key}: {label} '{value}' is malformed", why,
                                            field=label))
            rows.append({
                "citekey": key,
                "entry_type": entry.entry_type.lower(),
                "title": decode(fields.get("title", "")),
                "authors": authors,
                "author_count": len(authors),
                "first_author": authors[0].split(",")[0].strip() if authors else None,
                "journal": decode(fields.get("journal", fields.get("journaltitle", ""))) or None,
                "year": year,
                "volume": decode(fields.get("volume", "")) or None,
                "issue": decode(fields.get("number", fields.get("issue", ""))) or None,
                "pages": decode(fields.get("pages", "")).replace("--", "–") or None,
                "doi": doi,
                "pmid": pmid,
                "pmcid": pmcid.upper() if pmcid else None,
                "url": url,
                "curated": decode(fields.get("curated", "")) or None,
                "source_file": name,
                "source_line": line,
            })
    return pd.DataFrame(rows, columns=COLUMNS), problems  # read_bibtex types the year column
