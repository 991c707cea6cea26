"""Europe PMC REST search: abstract and open-access availability, PMID/PMCID for a DOI, and
retraction notices (``pubType`` "retracted publication", "retraction of publication").

One search serves up to 20 identifiers (``DOI:"a" OR DOI:"b"``): Europe PMC documents no
rate, and asking less is the polite default. Results are matched back to the identifiers
asked, because a search may also return near neighbours.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from ..identifiers import DOI_IN_TEXT
from .base import BadAnswer, check_status, clean, date_in_text, failed, found, not_found, pages, read_json
from .http import HttpClient
from .ids import Identifier, normalise
from .records import Fetched, Notice, Work, notice_type
from .shapes import EUROPEPMC_RESULT, shape_error

# commentCorrection "type" -> notice type; "... in" is about this record, "... of/for" means it is the notice.
_ABOUT = re.compile(r"^(retraction|partial retraction|erratum|expression of concern|update) in$", re.I)
_IS = re.compile(r"^(retraction|partial retraction|erratum|expression of concern|update) (of|for)$", re.I)
_KIND = {"retraction": "retraction", "partial retraction": "partial_retraction", "erratum": "correction",
         "expression of concern": "expression_of_concern", "update": "new_version"}
_NOTICE_PUB_TYPES = {"retraction of publication": "retraction", "retraction notice": "retraction",
                     "published erratum": "correction", "expression of concern": "expression_of_concern"}


def _pub_types(result: dict[str, Any]) -> tuple[str, ...]:
    """``pubTypeList.pubType`` (core: a list) or ``pubType`` (lite: 'a; b; c')."""
    listed = (result.get("pubTypeList") or {}).get("pubType")
    if isinstance(listed, str):
        listed = [listed]
    if not listed:
        listed = [p for p in (result.get("pubType") or "").split(";")]
    return tuple(p.strip() for p in listed if p and p.strip())


def _authors(result: dict[str, Any]) -> tuple[str, ...]:
    people = (result.get("authorList") or {}).get("author") or []
    if people:
        out = []
        for p in people:
            if p.get("lastName"):
                out.append(f"{p['lastName']}, {p.get('firstName') or p.get('initials') or ''}".rstrip(", "))
            elif p.get("collectiveName") or p.get("fullName"):
                out.append(p.get("collectiveName") or p.get("fullName"))
        return tuple(out)
    text = (result.get("authorString") or "").rstrip(".")
    out = []
    for name in [n.strip() for n in text.split(",") if n.strip()]:
        parts = name.split(" ")
        out.append(f"{' '.join(parts[:-1])}, {parts[-1]}" if len(parts) > 1 else name)
    return tuple(out)


def parse_result(result: dict[str, Any]) -> Work:
    """One search result (lite or core) as a :class:`Work` with its notices and access flags."""
    info = result.get("journalInfo") or {}
    journal = info.get("journal") or {}
    pub_types = _pub_types(result)
    lowered = {p.lower() for p in pub_types}
    doi = normalise("doi", result["doi"]).value if result.get("doi") else None
    pmid = result.get("pmid") or None
    own_date = result.get("firstPublicationDate") or None
    notices: list[Notice] = []
    seen: set[str] = set()
    for cc in (result.get("commentCorrectionList") or {}).get("commentCorrection") or []:
        kind, ref = (cc.get("type") or "").strip(), clean(cc.get("reference"))
        other = DOI_IN_TEXT.search(ref or "")
        other_doi = normalise("doi", other.group(1)).value if other else None
        other_pmid = cc.get("id") if (cc.get("source") or "MED") == "MED" else None
        about, is_notice = _ABOUT.match(kind), _IS.match(kind)
        if about:
            t = _KIND[about.group(1).lower()]
            seen.add(t)
            notices.append(Notice(t, "europepmc", date_in_text(ref), other_doi, other_pmid, kind, "comments-corrections"))
        elif is_notice:
            t = _KIND[is_notice.group(1).lower()]
            seen.add(f"is:{t}")
            target = f"pmid:{other_pmid}" if other_pmid else (f"doi:{other_doi}" if other_doi else None)
            notices.append(Notice(t, "europepmc", own_date, doi, pmid, kind, "is-notice", target))
    if "retracted publication" in lowered and "retraction" not in seen:
        notices.append(Notice("retraction", "europepmc", None, None, None, "retracted publication", "publication-type"))
    for pub_type, t in _NOTICE_PUB_TYPES.items():
        if pub_type in lowered and f"is:{t}" not in seen:
            seen.add(f"is:{t}")
            notices.append(Notice(notice_type(t), "europepmc", own_date, doi, pmid, pub_type, "is-notice"))
    year = result.get("pubYear") or info.get("yearOfPublication")
    return Work(
        source="europepmc", doi=doi, pmid=pmid, pmcid=result.get("pmcid") or None, title=clean(result.get("title")),
        authors=_authors(result), year=int(year) if str(year or "").isdigit() else None,
        journal=clean(journal.get("title")) or clean(result.get("journalTitle")),
        journal_abbrev=clean(journal.get("isoabbreviation") or journal.get("medlineAbbreviation")
                             or result.get("journalTitle")),
        volume=clean(info.get("volume") or result.get("journalVolume")), issue=clean(info.get("issue") or result.get("issue")),
        pages=pages(clean(result.get("pageInfo"))), pub_types=pub_types, notices=tuple(sorted(set(notices))),
        has_abstract=bool(result.get("abstractText")) if "abstractText" in result or "pubTypeList" in result else None,
        open_access=(result.get("isOpenAccess") == "Y") if result.get("isOpenAccess") else None,
        url=f"https://europepmc.org/article/{result.get('source', 'MED')}/{result.get('id')}" if result.get("id") else None,
    )


def _query(idents: Sequence[Identifier]) -> str:
    dois = [f'DOI:"{i.value}"' for i in idents if i.kind == "doi"]
    pmids = [f"EXT_ID:{i.value}" for i in idents if i.kind == "pmid"]
    parts = []
    if dois:
        parts.append(" OR ".join(dois))
    if pmids:
        parts.append(f"(({' OR '.join(pmids)}) AND SRC:MED)")
    return " OR ".join(f"({p})" if len(parts) > 1 else p for p in parts)


def match(results: Sequence[dict[str, Any]], ident: Identifier) -> dict[str, Any] | None:
    """The result for ``ident``; MEDLINE's copy first when Europe PMC holds several."""
    hits = [r for r in results
            if (ident.kind == "doi" and r.get("doi") and normalise("doi", r["doi"]).value == ident.value)
            or (ident.kind == "pmid" and r.get("pmid") == ident.value)]
    hits.sort(key=lambda r: r.get("source") != "MED")
    return hits[0] if hits else None


class EuropePmc:
    """``/search?query=DOI:"..."``: one search for up to 20 DOIs or PMIDs."""

    name = "europepmc"
    kinds = ("doi", "pmid")
    batch_size = 20
    limit = "europepmc"

    def fetch(self, client: HttpClient, idents: Sequence[Identifier], now: str) -> list[Fetched]:
        params = [("query", _query(idents)), ("format", "json"), ("resultType", "core"),
                  ("pageSize", str(min(1000, 3 * len(idents) + 5)))]
        if client.config.mailto:
            params.append(("email", client.config.mailto))
        resp = client.get(client.url("europepmc", "search"), params, limits=("europepmc",))
        problem = check_status(resp)
        try:
            if problem:
                raise BadAnswer(problem)
            data = read_json(resp)
            if not isinstance(data, dict) or not isinstance(data.get("resultList"), dict):
                raise BadAnswer("not a Europe PMC search answer (no 'resultList')")
            results = data["resultList"].get("result") or []
            why = shape_error(results, [EUROPEPMC_RESULT], "resultList.result")
            if why:
                raise BadAnswer(f"unexpected Europe PMC answer ({why})")
        except BadAnswer as exc:
            return [failed(i, self.name, now, resp, str(exc)) for i in idents]
        out = []
        for ident in idents:
            hit = match(results, ident)
            if hit is None:
                out.append(not_found(ident, self.name, now, resp, "Europe PMC has no record for this identifier"))
            else:
                out.append(found(ident, self.name, now, resp, hit, parse_result(hit)))
        return out
