"""Read stage, reference-manager files: the one record every import reader produces.

A :class:`Candidate` is a work about to enter the library, whatever it was read from
(RIS, PubMed MEDLINE, CSL-JSON, BibTeX, or fetched metadata in the resolve stage); its
``origin`` says where (``file:line``), so a refusal can point at the record. It lives here,
below the resolve stage, so the readers need nothing from above them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..identifiers import DOI_IN_TEXT, normalise_doi, normalise_pmcid, normalise_pmid

_NORMALISE = {"doi": normalise_doi, "pmid": normalise_pmid, "pmcid": normalise_pmcid}


@dataclass(frozen=True)
class Candidate:
    """A work about to enter the library, whatever it was read from (``origin`` says what)."""

    origin: str
    entry_type: str = "article"
    title: str | None = None
    authors: tuple[str, ...] = ()
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    key_hint: str | None = None  # a citekey the source already had (BibTeX import)
    pub_types: tuple[str, ...] = ()  # PubMed publication types, when the source carries them
    abstract: str | None = None

    def normalised(self) -> "Candidate":
        """Identifiers in their one spelling; empty strings as None."""
        def norm(kind: str, value: object) -> str | None:
            text = str(value).strip() if value is not None else ""
            return _NORMALISE[kind](text) if text else None
        return replace(self, doi=norm("doi", self.doi), pmid=norm("pmid", self.pmid), pmcid=norm("pmcid", self.pmcid),
                       title=self.title or None, journal=self.journal or None, abstract=self.abstract or None)


def year_in(text: object) -> int | None:
    """The first plausible publication year in a date field ('2016/12//', '2018 Mar 1')."""
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(text or ""))
    return int(match.group(1)) if match else None


def doi_in(text: str | None) -> str | None:
    """A DOI written anywhere in a field, as a URL or after 'doi:'."""
    match = DOI_IN_TEXT.search(text or "")
    return match.group(1).rstrip(".,;") if match else None


def person(value: str) -> str:
    """'Shi,Yu ' -> 'Shi, Yu'."""
    value = " ".join(value.split())
    return re.sub(r"\s*,\s*", ", ", value).strip(", ")
