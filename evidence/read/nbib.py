"""Read stage: PubMed MEDLINE text (``.nbib``, PubMed's "Send to → Citation manager").

The format: records separated by blank lines, each starting with ``PMID-``; a line is a tag
padded to four characters, ``- `` and the value (``TI  - …``, ``PMID- …``), and a value
continues on lines indented by six spaces. Read here with its own tags (PMID, PMC, AID/LID
``[doi]``, FAU/AU, TI, JT/TA, VI, IP, PG, DP, PT, AB) rather than through the RIS reader: the
two look alike at a glance, which is how a nbib file used to become a junk RIS entry.

Our own reader: the maintained parser (Biopython's ``Bio.Medline``) keeps no line numbers,
so it could not say where a damaged file goes wrong, and would bring Biopython in for a
format of a few dozen lines.
"""

from __future__ import annotations

import re

from ..errors import Problem
from .candidate import Candidate, person, year_in

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,2}- ?(.*)$")
CONTINUATION = "      "

Record = dict[str, list[str]]


def looks_like_nbib(line: str) -> bool:
    """A MEDLINE record's first line is its PMID."""
    return bool(re.match(r"^PMID- ?\d", line))


def _records(text: str, origin: str) -> tuple[list[tuple[int, Record]], list[Problem]]:
    records: list[tuple[int, Record]] = []
    problems: list[Problem] = []
    current: Record | None = None
    start = 0
    last: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.lstrip("\ufeff").rstrip("\r")
        if not line.strip():
            if current is not None:
                records.append((start, current))
            current, last = None, None
            continue
        if line.startswith(CONTINUATION) and current is not None and last:
            current[last][-1] += " " + line.strip()
            continue
        match = TAG_LINE.match(line) if len(line) >= 5 and line[4] == "-" else None
        if not match:
            problems.append(Problem(origin, number, "nbib-bad-line", f"not a MEDLINE line: '{line.strip()[:60]}'",
                                    "MEDLINE lines read 'TAG - value' (tag padded to 4 characters) or continue a "
                                    "value after six spaces; export the file again from PubMed"))
            continue
        tag, value = match.group(1), match.group(2).strip()
        if current is None:
            if tag != "PMID":
                problems.append(Problem(origin, number, "nbib-no-pmid", f"a record starts with '{tag}', not 'PMID'",
                                        "every PubMed MEDLINE record begins with its 'PMID- ' line; export the file "
                                        "again from PubMed"))
                return records, problems
            current, start = {}, number
        current.setdefault(tag, []).append(value)
        last = tag
    if current is not None:
        records.append((start, current))
    return records, problems


def _expand_pages(value: str | None) -> str | None:
    """MEDLINE abbreviates ranges: '188-91' is 188-191."""
    if not value or "-" not in value:
        return value
    first, _, last = value.partition("-")
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return f"{first}-{last}"


def _tagged(values: list[str], kind: str) -> str | None:
    """'10.4103/2277-9175.180636 [doi]' -> the DOI; AID and LID carry several kinds."""
    for value in values:
        match = re.match(r"^(.*?)\s*\[" + kind + r"\]$", value)
        if match:
            return match.group(1).strip()
    return None


def read_nbib(text: str, origin: str) -> tuple[list[Candidate], list[Problem]]:
    """Every MEDLINE record as a :class:`Candidate`, with its publication types and abstract."""
    records, problems = _records(text.lstrip("\ufeff"), origin)
    out = []
    for line, rec in records:
        def get(*tags: str) -> str | None:
            return next((rec[t][0] for t in tags if rec.get(t)), None)
        pmid = (get("PMID") or "").strip()
        if not pmid.isdigit():
            problems.append(Problem(origin, line, "nbib-bad-pmid", f"PMID '{pmid}' is not a number",
                                    "export the file again from PubMed"))
            continue
        title = get("TI", "BTI")
        if not title:
            problems.append(Problem(origin, line, "no-title", f"PMID {pmid} has no title (TI)", "skipped; add a title",
                                    severity="warning"))
            continue
        authors = tuple(person(a) for a in rec.get("FAU", [])) or \
            tuple(re.sub(r"^(.+?) ([A-Z]{1,4})$", r"\1, \2", a) for a in rec.get("AU", [])) or tuple(rec.get("CN", []))
        doi = _tagged(rec.get("AID", []), "doi") or _tagged(rec.get("LID", []), "doi")
        out.append(Candidate(
            f"{origin}:{line}", "article", " ".join(title.split()), authors, get("JT", "TA"), year_in(get("DP")),
            get("VI"), get("IP"), _expand_pages(get("PG")), doi, pmid, get("PMC"),
            f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/", pub_types=tuple(rec.get("PT", [])),
            abstract=get("AB")).normalised())
    return out, problems
