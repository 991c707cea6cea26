"""When two spellings of a field are the same thing: title, author, journal, pages, numbers.

Sources disagree with BibTeX in harmless ways (PubMed ends titles with a period, Crossref
drops the subtitle into its own field, MEDLINE writes '188-91' for 188-191, journals go by
several names); those must not be reported, or editors stop reading the report. What is
left is a real difference, reported with both values.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

from .base import pages as dash_pages


def fold(text: str | None) -> str:
    """Lower-case ASCII words: accents, punctuation, markup and '&' vs 'and' do not count."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("&", " and ").lower()
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _head(title: str) -> str:
    """The title before its subtitle (after ':', '?', '. ' or a spaced dash)."""
    return fold(re.split(r"\s*[:?]\s+|\.\s+|\s[—–-]\s", title, maxsplit=1)[0])


def same_title(library: str | None, source: str | None) -> tuple[bool, float]:
    """Equal after folding, or equal up to a subtitle one side omits; else a 0-100 similarity."""
    a, b = fold(library), fold(source)
    if a == b:
        return True, 100.0
    if a and b and ((library and _head(library) == b) or (source and _head(source) == a)):
        return True, 100.0
    return False, round(fuzz.ratio(a, b), 1)


def family(name: str | None) -> str:
    """'Connolly, Deirdre' or 'Deirdre Connolly' -> 'connolly'."""
    if not name:
        return ""
    if "," in name:
        return fold(name.split(",")[0])
    parts = fold(name).split()
    return parts[-1] if parts else ""


def same_family(library: str | None, source: str | None) -> bool:
    a, b = family(library), family(source)
    return bool(a) and (a == b or a.replace(" ", "") == b.replace(" ", ""))


def _journal_forms(name: str | None) -> set[str]:
    if not name:
        return set()
    base = fold(re.split(r"\s:\s", name)[0])  # PubMed: 'Journal of drugs in dermatology : JDD'
    forms = {fold(name), base}
    forms |= {f[4:] for f in list(forms) if f.startswith("the ")}
    return {f for f in forms if f}


def same_journal(library: str | None, *names: str | None) -> bool:
    """The library's journal equals any of the source's names (full, abbreviated), 'The' optional."""
    mine = _journal_forms(library)
    theirs = set().union(*(_journal_forms(n) for n in names)) if names else set()
    if mine & theirs:
        return True
    squash = {m.replace(" ", "") for m in mine}
    return any(t.replace(" ", "") in squash for t in theirs)


def same_number(library: object, source: object) -> bool:
    """Volume and issue: '09' is '9'; otherwise text equality, case-insensitive."""
    a, b = str(library).strip().lower(), str(source).strip().lower()
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return a == b


def page_range(value: str | None) -> tuple[str, str]:
    """('188', '191') from '188-91', '188–191' or '188--191'; article numbers stay whole."""
    value = dash_pages(value) or ""
    start, _, end = value.partition("-")
    start, end = start.strip().lower(), end.strip().lower()
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return start, end or start


def same_pages(library: str | None, source: str | None) -> bool:
    """Same first page; same last page when both give one."""
    a, b = page_range(library), page_range(source)
    if a[0] != b[0]:
        return False
    return a[1] == b[1] or a[0] == a[1] or b[0] == b[1]

