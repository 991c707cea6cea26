"""Workflow: ``evidence find``: search the literature for a statement, best evidence first, and add.

The search itself is :func:`evidence.resolve.search.search` (PubMed E-utilities, Europe PMC
when PubMed fails; cached, rate-limited and offline-safe like ``resolve``). Here the hits
are ranked and marked for the editor:

- **design** from the PubMed publication types (:mod:`evidence.read.designs`), ranked by
  the evidence level the checker uses (:data:`evidence.validate.rules.EVIDENCE_LEVEL`):
  meta-analyses and systematic reviews, then randomised trials, then the rest, a record of
  no stated design last; newest first within a level, then PubMed's relevance order;
- **in the library** when a library entry has the same DOI, PMID or PMCID, or the same
  title, first author and year (the duplicate rule of ``add`` and ``import``);
- **notices**: a retraction, correction or expression of concern PubMed links to the
  record, or the record being itself such a notice.

``add`` (``--add 1,3``) fetches the chosen hits' full records (EFetch: the list comes from
ESummary, which has no abstract), writes them to the library and drafts their
``studies.csv`` rows (unverified) exactly as ``evidence add`` does; a hit the library
already holds is refused by name, never written twice.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Sequence

from ..errors import InputError, Problem
from ..read.designs import Design, infer_design
from ..read.tables import DESIGNS
from ..resolve.add import AddResult, write_new
from ..resolve.cache import Cache, cache_dir
from ..resolve.entries import Registry, from_work
from ..resolve.http import HttpClient, HttpConfig
from ..resolve.library import load
from ..resolve.search import Hit, SearchResult, full_records, search
from ..resolve.sourcetext import store_abstracts
from ..validate.rules import EVIDENCE_LEVEL
from .find_query import StatementQuery, statement_query

UNKNOWN_LEVEL = max(EVIDENCE_LEVEL.values()) + 1


@dataclass(frozen=True)
class Found:
    """One ranked hit, as shown: its number is what ``--add`` takes."""

    number: int
    hit: Hit
    design: Design | None
    level: int
    in_library: str | None  # "smith2017trial (same PMID as the candidate)"
    notices: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        w = self.hit.work
        return {"number": self.number, "pmid": w.pmid, "doi": w.doi, "pmcid": w.pmcid, "title": w.title,
                "authors": list(w.authors), "journal": w.journal, "year": w.year, "pub_types": list(w.pub_types),
                "design": self.design.design if self.design else None,
                "design_from": self.design.note() if self.design else None, "level": self.level,
                "in_library": self.in_library, "notices": list(self.notices), "url": w.url, "source": self.hit.source}


@dataclass(frozen=True)
class FindReport:
    query: str
    statement: StatementQuery | None
    result: SearchResult
    found: tuple[Found, ...]
    added: tuple[AddResult, ...] = ()
    refused: tuple[tuple[int, str], ...] = ()  # (number, why)
    hidden: int = 0  # hits left out by --design

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {"query": self.query, "term": r.term, "statement": asdict(self.statement) if self.statement else None,
                "source": r.source, "count": r.count, "cached": r.cached, "fetched_at": r.fetched_at,
                "errors": list(r.errors), "not_fetched": list(r.missing), "requests": r.requests,
                "candidates": [f.as_dict() for f in self.found],
                "added": [{"citekey": a.citekey, "file": a.file, "source": a.source,
                           "study": a.study.values() if a.study else None, "no_study": a.no_study or None}
                          for a in self.added],
                "refused": [{"number": n, "reason": why} for n, why in self.refused]}


def parse_designs(text: str | None) -> tuple[str, ...]:
    """'meta-analysis,rct' -> ('meta_analysis', 'rct'); an unknown name is bad input."""
    if not text:
        return ()
    out, bad = [], []
    for part in (p.strip().lower().replace("-", "_").replace(" ", "_") for p in text.split(",") if p.strip()):
        part = {"randomised_trial": "rct", "non_randomized_trial": "non_randomised_trial"}.get(part, part)
        (out if part in DESIGNS else bad).append(part)
    if bad:
        raise InputError([Problem("<--design>", None, "unknown-design", f"unknown design '{b}'",
                                  "use: " + ", ".join(d.replace("_", "-") for d in DESIGNS), field="design")
                          for b in bad])
    return tuple(dict.fromkeys(out))


def parse_numbers(text: str | None) -> tuple[int, ...]:
    if not text:
        return ()
    if not re.fullmatch(r"\s*\d+(\s*,\s*\d+)*\s*", text):
        raise InputError([Problem("<--add>", None, "bad-numbers", f"'{text}' is not a list of numbers",
                                  "write the numbers shown, e.g. --add 1,3", field="add")])
    return tuple(dict.fromkeys(int(n) for n in text.split(",")))


def notices_of(hit: Hit) -> tuple[str, ...]:
    out = []
    for n in hit.work.notices:
        when = n.date or "date unknown"
        other = " ".join(x for x in (f"pmid {n.pmid}" if n.pmid else "", f"doi {n.doi}" if n.doi else "") if x)
        if n.relation == "is-notice":
            out.append(f"this record IS a {n.type.replace('_', ' ')} notice" + (f" for {n.target}" if n.target else ""))
        else:
            out.append(f"{n.type.replace('_', ' ')} ({when}{', ' + other if other else ''})")
    return tuple(dict.fromkeys(out))


def rank(hits: Sequence[Hit], registry: Registry, designs: Sequence[str] = ()) -> tuple[list[Found], int]:
    """Best evidence first, newest first within a level; hits whose stated design is not asked are left out."""
    rows = []
    hidden = 0
    for order, hit in enumerate(hits):
        design = infer_design(hit.work.pub_types, hit.work.title)
        if designs and design is not None and design.design not in designs:
            hidden += 1
            continue
        level = EVIDENCE_LEVEL.get(design.design, UNKNOWN_LEVEL) if design else UNKNOWN_LEVEL
        dup = registry.duplicate(from_work(hit.work, "find"))
        rows.append((level, -(hit.work.year or 0), order, hit, design, f"{dup.citekey} ({dup.reason})" if dup else None))
    rows.sort(key=lambda r: r[:3])
    return [Found(i, hit, design, level, held, notices_of(hit))
            for i, (level, _, _, hit, design, held) in enumerate(rows, start=1)], hidden


def find(settings: Any, query: str = "", statement: str | None = None, designs: Sequence[str] = (),
         since: int | None = None, limit: int = 10, add: Sequence[int] = (), offline: bool = False,
         refresh: bool = False, client: HttpClient | None = None, now: Callable[[], str] | None = None) -> FindReport:
    """Search, rank, mark; with ``add``, write the chosen hits (see the module docstring)."""
    if limit < 1:
        raise InputError([Problem("<--limit>", None, "bad-limit", "--limit must be at least 1", "e.g. --limit 10")])
    built = statement_query(settings, statement, query) if statement else None
    text = built.query if built else query.strip()
    if not text:
        raise InputError([Problem("<query>", None, "no-query", "nothing to search for",
                                  "give search words, or --statement ARTICLE:S12")])
    refs, _, _ = load(settings)
    registry = Registry(refs)
    own = client is None
    client = client or HttpClient(HttpConfig.from_settings(settings, offline=offline))
    cache = Cache(cache_dir(settings))
    try:
        result = search(client, cache, text, designs, since, retmax=min(100, max(3 * limit, 20)),
                        refresh=refresh, now=now)
        ranked, hidden = rank(result.hits, registry, designs)
        shown = tuple(ranked[:limit])
        wrong = [n for n in add if not 1 <= n <= len(shown)]
        if wrong:
            raise InputError([Problem("<--add>", None, "bad-number", f"no candidate {n} in this list (1-{len(shown)})",
                                      "pick numbers from the list shown, then run the same search with --add")
                              for n in wrong])
        chosen, refused = _full(client, cache, [shown[n - 1] for n in add], now)
    finally:
        if own:
            client.close()
    added = []
    for number, hit in chosen:
        cand = replace(from_work(hit.work, f"find #{number}"), abstract=hit.abstract)
        dup = registry.duplicate(cand)
        if dup:
            refused.append((number, str(dup)))
            continue
        ident = f"pmid:{cand.pmid}" if cand.pmid else (f"doi:{cand.doi}" if cand.doi else f"find #{number}")
        added.append(write_new(settings, registry, cand, ident, "find --add"))
        if cand.pmid and hit.source == "pubmed":  # claims suggest drafts from it without a resolve run
            store_abstracts(settings, [f for f in [cache.get("pubmed", f"pmid:{cand.pmid}")] if f is not None])
    return FindReport(text, built, result, shown, tuple(added), tuple(sorted(refused)), hidden)


def _full(client: HttpClient, cache: Cache, items: Sequence[Found], now: Callable[[], str] | None
          ) -> tuple[list[tuple[int, Hit]], list[tuple[int, str]]]:
    """The chosen hits with their abstracts: a PubMed summary is replaced by its EFetch record (cached, else
    one EFetch for all), because the studies.csv draft reads n and population from the abstract. A hit
    whose full record cannot be had is refused, not written from the summary."""
    summaries = [f.hit.work.pmid for f in items if f.hit.source == "pubmed" and f.hit.work.pmid]
    records, errors = full_records(client, cache, summaries, now) if summaries else ({}, [])
    chosen, refused = [], []
    for item in items:
        pmid = item.hit.work.pmid
        if item.hit.source != "pubmed" or not pmid:
            chosen.append((item.number, item.hit))
        elif pmid in records:
            chosen.append((item.number, records[pmid]))
        else:
            why = "; ".join(errors) or ("offline, and its full record is not in the cache" if client.offline
                                        else "PubMed EFetch returned no record for it")
            refused.append((item.number, f"could not fetch the full record of pmid:{pmid} ({why})"))
    return chosen, refused
