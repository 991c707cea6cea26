"""Match a printed reference (free text, as in an article's numbered list) to a DOI.

A printed DOI or PMID wins outright. Otherwise Crossref's bibliographic search proposes
candidates, and each is scored by how much of its title the printed text contains (0-100),
because Crossref's own relevance score has no fixed scale. A match below ``SURE`` is
returned for an editor to confirm, never silently accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from ..identifiers import DOI_IN_TEXT
from .compare import fold
from .crossref import search
from .http import HttpClient
from .ids import normalise

SURE = 90.0


@dataclass(frozen=True)
class ReferenceMatch:
    """The best identifier for a printed reference, how it was found, and whether to trust it."""

    printed: str
    doi: str | None
    pmid: str | None
    method: str  # printed-doi | printed-pmid | crossref-search | none
    score: float
    confirm: bool  # True: an editor must confirm before the match is used
    title: str | None = None
    error: str | None = None


def match_printed(client: HttpClient, printed: str) -> ReferenceMatch:
    doi = DOI_IN_TEXT.search(printed)
    if doi:
        return ReferenceMatch(printed, normalise("doi", doi.group(1)).value, None, "printed-doi", 100.0, False)
    pmid = re.search(r"\bPMID:?\s*(\d{1,9})\b", printed)
    if pmid:
        return ReferenceMatch(printed, None, pmid.group(1), "printed-pmid", 100.0, False)
    candidates, error = search(client, printed)
    best: tuple[float, str | None, str | None] = (0.0, None, None)
    for work, _ in candidates:
        if work.title:
            score = round(float(fuzz.partial_ratio(fold(work.title), fold(printed))), 1)
            if score > best[0]:
                best = (score, work.doi, work.title)
    if best[1] is None:
        return ReferenceMatch(printed, None, None, "none", 0.0, True, error=error)
    return ReferenceMatch(printed, best[1], None, "crossref-search", best[0], best[0] < SURE, best[2])
