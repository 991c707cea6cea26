"""Resolve stage: searching the literature (PubMed E-utilities; Europe PMC when PubMed fails).

``ESearch`` turns the query into PMIDs (relevance order); the candidates' records then come
from one ``ESummary`` request (:mod:`.esummary`: title, journal, date, publication types,
identifiers, and the correction/retraction links NCBI lists with them), which is light
enough for a list of a hundred. The full EFetch record (abstract, the parser and cache of
``resolve``, :class:`~.ncbi.PubMed`) is fetched only for what an editor picks
(:func:`full_records`: ``find --add``; ``claims suggest`` reads it from the cache), and is
used in the list instead of the summary whenever the cache already holds it. PMIDs ESummary
did not answer for are asked of EFetch; when PubMed cannot be reached or answers with an
error, the same query goes to Europe PMC's search (field tags dropped, filters in its
syntax), whose core results carry publication types, notices and abstracts too. The ESearch
answer is cached under the query it answered, summaries per PMID.

Offline (``--offline``): cached searches and records only, never a socket. A failed answer
is reported, never cached; an unreachable host fails at once (:mod:`.http`).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from .base import BadAnswer, check_status, clean, read_json
from .cache import Cache
from .esummary import SOURCE as SUMMARY, PubMedSummary
from .europepmc import parse_result
from .http import HttpClient
from .ids import Identifier
from .ncbi import PubMed, _ncbi_params
from .records import Fetched, Work
from .runner import utc_now

# design (studies.csv vocabulary) -> PubMed filter; Europe PMC takes the same publication types.
DESIGN_FILTERS = {
    "meta_analysis": ('"meta-analysis"[pt]',), "systematic_review": ('"systematic review"[pt]',),
    "rct": ('"randomized controlled trial"[pt]',), "split_face_rct": ('"randomized controlled trial"[pt]',),
    "non_randomised_trial": ('"clinical trial"[pt]', '"controlled clinical trial"[pt]'),
    "cohort": ('"observational study"[pt]', 'cohort[tiab]'), "case_control": ('case-control[tiab]',),
    "cross_sectional": ('cross-sectional[tiab]',), "case_series": ('"case series"[tiab]',),
    "case_report": ('"case reports"[pt]',), "narrative_review": ('"review"[pt]',),
    "guideline": ('"guideline"[pt]', '"practice guideline"[pt]'), "expert_opinion": ('"editorial"[pt]',),
}


@dataclass(frozen=True)
class Hit:
    """One record a search returned: its metadata, its abstract, where it came from."""

    work: Work
    abstract: str | None
    source: str  # pubmed | europepmc
    fetched_at: str


@dataclass(frozen=True)
class SearchResult:
    """What a search found; ``errors`` lists every failed call (none of them cached)."""

    term: str  # what was sent to PubMed
    source: str  # pubmed | europepmc | none
    count: int  # total matches the service reported
    hits: tuple[Hit, ...]
    cached: bool  # the search answer came from the cache
    fetched_at: str | None
    errors: tuple[str, ...] = ()
    missing: tuple[str, ...] = field(default=())  # PMIDs found but not fetched (offline, or failed)
    requests: int = 0


def pubmed_term(query: str, designs: Sequence[str] = ()) -> str:
    """The ESearch term: the query, ANDed with the designs' publication-type filters."""
    term = query.strip()
    filters = [f for d in designs for f in DESIGN_FILTERS.get(d, ())]
    if filters:
        term = f"({term}) AND ({' OR '.join(dict.fromkeys(filters))})"
    return term


def europepmc_query(term: str, since: int | None) -> str:
    """PubMed syntax to Europe PMC's: field tags dropped, ``[pt]`` as ``PUB_TYPE``, years as ``PUB_YEAR``."""
    query = re.sub(r'("[^"]+"|[\w-]+)\[pt\]', r"PUB_TYPE:\1", term)
    query = re.sub(r"\[(tiab|ti|ab|mh|tw|all)\]", "", query)
    if since:
        query = f"({query}) AND PUB_YEAR:[{since} TO 3000]"
    return query


def abstract_of(fetched: Fetched) -> str | None:
    """The abstract a cached answer holds: PubMed's XML (labelled sections joined), Europe PMC's text."""
    raw = fetched.raw
    if fetched.source == "europepmc" and isinstance(raw, dict):
        return clean(raw.get("abstractText"))
    if fetched.source != "pubmed" or not isinstance(raw, str):
        return None
    try:
        article = ET.fromstring(raw)
    except ET.ParseError:
        return None
    parts = []
    for node in article.findall(".//Abstract/AbstractText"):
        text = clean("".join(node.itertext()))
        if text:
            label = node.get("Label")
            parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts) or None


def _esearch(client: HttpClient, term: str, since: int | None, retmax: int) -> tuple[list[str], int, Any]:
    params = [("db", "pubmed"), ("term", term), ("retmax", str(retmax)), ("sort", "relevance"), ("retmode", "json")]
    if since:
        params += [("datetype", "pdat"), ("mindate", str(since)), ("maxdate", "3000")]
    resp = client.get(client.url("ncbi", "esearch.fcgi"), params + _ncbi_params(client), limits=("ncbi",))
    problem = check_status(resp)
    if problem:
        raise BadAnswer(f"PubMed ESearch: {problem}")
    data = read_json(resp)
    result = data.get("esearchresult") if isinstance(data, dict) else None
    if not isinstance(result, dict) or "idlist" not in result:
        error = (result or {}).get("ERROR") or (data.get("error") if isinstance(data, dict) else None)
        raise BadAnswer(f"PubMed ESearch: {error or 'not an ESearch answer (no idlist)'}")
    return [str(i) for i in result["idlist"]], int(result.get("count") or 0), data


def _records(client: HttpClient, cache: Cache, pmids: Sequence[str], refresh: bool, now: str,
             errors: list[str]) -> tuple[list[Hit], list[str]]:
    """The PubMed records, from the cache where it has them, else one EFetch for the rest."""
    have: dict[str, Fetched] = {}
    wanted = []
    for pmid in pmids:
        old = cache.get("pubmed", f"pmid:{pmid}")
        if old is not None and (client.offline or not refresh):
            have[pmid] = old
        elif not client.offline:
            wanted.append(Identifier("pmid", pmid))
    if wanted:
        for fetched in PubMed().fetch(client, wanted, now):
            if fetched.status == "failed":
                if f"PubMed EFetch: {fetched.error}" not in errors:  # one line per cause, not per PMID
                    errors.append(f"PubMed EFetch: {fetched.error}")
                continue
            cache.put(fetched)
            have[fetched.identifier.split(":", 1)[1]] = fetched
    hits = [Hit(have[p].work, abstract_of(have[p]), "pubmed", have[p].fetched_at)  # type: ignore[arg-type]
            for p in pmids if p in have and have[p].status == "found" and have[p].work is not None]
    missing = [p for p in pmids if p not in have]
    return hits, sorted(set(missing), key=missing.index)


def _summaries(client: HttpClient, cache: Cache, pmids: Sequence[str], refresh: bool, now: str,
               errors: list[str]) -> tuple[list[Hit], list[str]]:
    """The candidates: a cached EFetch record or summary where there is one, else one ESummary; EFetch for the rest."""
    have: dict[str, Fetched] = {}
    wanted = []
    for pmid in pmids:
        old = cache.get("pubmed", f"pmid:{pmid}") or cache.get(SUMMARY, f"pmid:{pmid}")
        if old is not None and (client.offline or not refresh):
            have[pmid] = old
        elif not client.offline:
            wanted.append(Identifier("pmid", pmid))
    if wanted:
        for fetched in PubMedSummary().fetch(client, wanted, now):
            if fetched.status == "failed":
                if f"PubMed ESummary: {fetched.error}" not in errors:
                    errors.append(f"PubMed ESummary: {fetched.error}")
            elif fetched.status == "found":
                cache.put(fetched)
                have[fetched.identifier.split(":", 1)[1]] = fetched
    rest = [p for p in pmids if p not in have]
    full, missing = _records(client, cache, rest, refresh, now, errors) if rest and not client.offline else ([], rest)
    by_pmid = {h.work.pmid: h for h in full}
    hits = []
    for p in pmids:
        if p in by_pmid:
            hits.append(by_pmid[p])
        elif p in have and have[p].status == "found" and have[p].work is not None:
            f = have[p]
            hits.append(Hit(f.work, abstract_of(f), "pubmed", f.fetched_at))  # type: ignore[arg-type]
    return hits, missing


def full_records(client: HttpClient, cache: Cache, pmids: Sequence[str], now: Callable[[], str] | None = None
                 ) -> tuple[dict[str, Hit], list[str]]:
    """The EFetch records (with abstracts) of chosen PMIDs: cached ones as they are, one EFetch for the rest."""
    errors: list[str] = []
    hits, _ = _records(client, cache, pmids, False, (now or utc_now)(), errors)
    return {h.work.pmid: h for h in hits if h.work.pmid}, errors


def _europepmc(client: HttpClient, cache: Cache, term: str, since: int | None, retmax: int, refresh: bool,
               now: str, errors: list[str]) -> SearchResult | None:
    query = europepmc_query(term, since)
    key = f"query:{json.dumps([query, retmax])}"
    old = cache.get("europepmc-search", key)
    cached = old is not None and (client.offline or not refresh)
    if cached:
        data = old.raw  # type: ignore[union-attr]
    elif client.offline:
        return None
    else:
        params = [("query", query), ("format", "json"), ("resultType", "core"), ("pageSize", str(retmax))]
        if client.config.mailto:
            params.append(("email", client.config.mailto))
        resp = client.get(client.url("europepmc", "search"), params, limits=("europepmc",))
        try:
            problem = check_status(resp)
            if problem:
                raise BadAnswer(problem)
            data = read_json(resp)
            if not isinstance(data, dict) or not isinstance(data.get("resultList"), dict):
                raise BadAnswer("not a Europe PMC search answer (no 'resultList')")
        except BadAnswer as exc:
            errors.append(f"Europe PMC search: {exc}")
            return None
        cache.put(Fetched(key, "europepmc-search", "found", now, url=resp.url, http_status=resp.status, raw=data))
    results = data["resultList"].get("result") or []
    hits = tuple(Hit(parse_result(r), clean(r.get("abstractText")), "europepmc",
                     old.fetched_at if cached else now) for r in results)  # type: ignore[union-attr]
    return SearchResult(term, "europepmc", int(data.get("hitCount") or len(results)), hits, cached,
                        old.fetched_at if cached else now, tuple(errors))  # type: ignore[union-attr]


def search(client: HttpClient, cache: Cache, query: str, designs: Sequence[str] = (), since: int | None = None,
           retmax: int = 30, refresh: bool = False, now: Callable[[], str] | None = None) -> SearchResult:
    """PubMed first, Europe PMC when PubMed fails; see the module docstring."""
    stamp = (now or utc_now)()
    sent_before = client.requests_sent
    term = pubmed_term(query, designs)
    key = f"query:{json.dumps([term, since, retmax])}"
    errors: list[str] = []
    old = cache.get("pubmed-search", key)
    cached = old is not None and (client.offline or not refresh)
    pmids: list[str] | None = None
    count = 0
    if cached:
        result = old.raw["esearchresult"]  # type: ignore[union-attr]
        pmids, count = [str(i) for i in result["idlist"]], int(result.get("count") or 0)
    elif client.offline:
        errors.append("offline, and this search is not in the cache")
    else:
        try:
            pmids, count, data = _esearch(client, term, since, retmax)
            cache.put(Fetched(key, "pubmed-search", "found" if pmids else "not_found", stamp, raw=data))
        except BadAnswer as exc:
            errors.append(str(exc))
    if pmids is not None:
        hits, missing = _summaries(client, cache, pmids, refresh, stamp, errors)
        if not (missing and not hits and not client.offline):  # PubMed failing for all: try Europe PMC
            return SearchResult(term, "pubmed", count, tuple(hits), cached, old.fetched_at if cached else stamp,  # type: ignore[union-attr]
                                tuple(errors), tuple(missing), client.requests_sent - sent_before)
    fallback = _europepmc(client, cache, term, since, retmax, refresh, stamp, errors)
    if fallback is not None:
        return SearchResult(fallback.term, fallback.source, fallback.count, fallback.hits, fallback.cached,
                            fallback.fetched_at, fallback.errors, (), client.requests_sent - sent_before)
    return SearchResult(term, "none", 0, (), False, None, tuple(errors), (), client.requests_sent - sent_before)
