"""Check stage, reference lists: parse an article's printed references, match them to the
library, and list their defects (missing identifiers, "vol. Volume 16", stray commas...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from ..identifiers import DOI_IN_TEXT, normalise_doi
from ..model import Article

MATCH_SURE = 90.0
MATCH_MAYBE = 75.0


@dataclass(frozen=True)
class Defect:
    code: str
    message: str
    hint: str


@dataclass(frozen=True)
class ReferenceCheck:
    number: int
    printed: str
    line: int
    title: str | None
    year: str | None
    volume: str | None
    issue: str | None
    pages: str | None
    citekey: str | None
    match_method: str | None  # doi | pmid | title
    match_score: float | None
    defects: tuple[Defect, ...]


def parse_printed(text: str) -> dict[str, str | None]:
    """Pick the fields out of an MLA/AMA-like printed reference; missing fields are None."""
    title = re.search(r"[“\"](.+?)[”\"]", text)
    volume = re.search(r"\bvol\.\s*(?:Volume\s*)?([\w-]+)", text, re.I)
    issue = re.search(r"\bno\.\s*([\w-]+)", text, re.I)
    pages = re.search(r"\bpp?\.\s*([\w]+(?:\s*[–-]\s*[\w]+)?)", text)
    years = re.findall(r"\b(19\d\d|20\d\d)\b", text)
    return {
        "title": title.group(1).rstrip(".").strip() if title else None,
        "volume": volume.group(1) if volume else None,
        "issue": issue.group(1) if issue else None,
        "pages": pages.group(1).replace(" ", "") if pages else None,
        "year": years[0] if years else None,
    }


class LibraryIndex:
    """The library, indexed once per run for matching printed references (not once per article)."""

    def __init__(self, bib: pd.DataFrame):
        self.records = {r["citekey"]: {k: (None if _missing(v) else v) for k, v in r.items()}
                        for r in bib.to_dict("records")}
        self.by_doi = {r["doi"]: k for k, r in self.records.items() if r.get("doi")}
        self.by_pmid = {r["pmid"]: k for k, r in self.records.items() if r.get("pmid")}
        # a record without a title cannot be matched by title
        self.titles = {k: r["title"].rstrip(".") for k, r in self.records.items() if r.get("title")}

    def match(self, text: str, title: str | None) -> tuple[str | None, str | None, float | None]:
        doi = DOI_IN_TEXT.search(text)
        if doi and normalise_doi(doi.group(1)) in self.by_doi:
            return self.by_doi[normalise_doi(doi.group(1))], "doi", 100.0
        pmid = re.search(r"PMID:?\s*(\d+)", text)
        if pmid and pmid.group(1) in self.by_pmid:
            return self.by_pmid[pmid.group(1)], "pmid", 100.0
        if title and self.titles:
            best = process.extractOne(title, self.titles, scorer=fuzz.token_sort_ratio, processor=str.lower)
            if best and best[1] >= MATCH_MAYBE:
                return best[2], "title", round(best[1], 1)
        return None, None, None


def _missing(v: object) -> bool:
    return v is None or (not isinstance(v, (list, str)) and bool(pd.isna(v)))


def _pages_norm(p: str | None) -> str | None:
    return p.replace("–", "-").replace("—", "-") if p else None


def check_reference_list(article: Article, library: LibraryIndex | pd.DataFrame) -> list[ReferenceCheck]:
    if isinstance(library, pd.DataFrame):
        library = LibraryIndex(library)
    by_key = library.records
    results = []
    for ref in article.references:
        text = ref.text
        fields = parse_printed(text)
        citekey, method, score = library.match(text, fields["title"])
        defects: list[Defect] = []
        has_id = DOI_IN_TEXT.search(text) or re.search(r"PMID|PMC\d|https?://", text)
        if not has_id:
            defects.append(Defect("no-identifier", "no DOI, PMID or link is printed",
                                  "print the DOI (https://doi.org/...) so readers can find the source"))
        if re.search(r"\bvol\.\s*Volume\b", text, re.I):
            defects.append(Defect("malformed-volume", "the volume is printed as 'vol. Volume ...'",
                                  "print the volume number only"))
        if re.search(r",\s*,|,\s*$|\.\s*,", text.strip()):
            defects.append(Defect("stray-punctuation", "stray punctuation (a doubled or trailing comma)",
                                  "remove the extra comma; a URL or DOI was probably dropped there"))
        if re.search(r"\bet al\b", text):
            n = by_key[citekey]["author_count"] if citekey else None
            defects.append(Defect("truncated-authors", "the author list is truncated to 'et al.'"
                                  + (f" (the study has {n} authors)" if n else ""),
                                  "AMA style lists up to 6 authors, then 'et al.' after the third"))
        if fields["pages"] and re.fullmatch(r"(\w+)[–-]\1", fields["pages"]):
            defects.append(Defect("degenerate-page-range", f"page range '{fields['pages']}' starts and ends on the "
                                  "same page", "print the article number alone (e.g. 678)"))
        if re.search(r"\[And\]|Official Journal of", text):
            defects.append(Defect("journal-name", "the journal name carries society subtitles",
                                  "use the journal's title or its NLM abbreviation"))
        if citekey is None:
            defects.append(Defect("not-in-library", "no library entry matches this reference",
                                  "add the study to references/*.bib (with its DOI) so it can be checked"))
        else:
            rec = by_key[citekey]
            if method == "title" and score is not None and score < MATCH_SURE:
                defects.append(Defect("uncertain-match", f"matched to '{citekey}' by title with score {score:.0f}",
                                      "confirm the match, or print the DOI"))
            for field, mine in (("year", rec["year"]), ("volume", rec["volume"]), ("issue", rec["issue"])):
                printed = fields[field]
                if printed and mine is not None and str(printed) != str(mine):
                    defects.append(Defect("metadata-mismatch", f"printed {field} '{printed}' but the record says '{mine}'",
                                          f"correct the {field}"))
            if fields["pages"] and rec["pages"] and _pages_norm(fields["pages"]).split("-")[0] != _pages_norm(rec["pages"]).split("-")[0]:
                defects.append(Defect("metadata-mismatch", f"printed pages '{fields['pages']}' but the record says "
                                      f"'{rec['pages']}'", "correct the pages"))
        results.append(ReferenceCheck(ref.number, text, ref.line, fields["title"], fields["year"], fields["volume"],
                                      fields["issue"], fields["pages"], citekey, method, score, tuple(defects)))
    return results
