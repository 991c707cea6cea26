"""Resolve stage, orchestration: which source answers for which identifier, fetched into the cache.

A reference with a DOI is asked of Crossref (record and notices) and Europe PMC; with a
PMID, of PubMed; with only a PMCID, of the PMC ID converter. Identifiers learned on the way
(Europe PMC's PMID for a DOI, the converter's DOI for a PMCID) lead to a second round, so a
DOI-only reference still gets PubMed's retraction signals. Each source runs in its own
small thread pool, sized to its service's concurrency; the shared :class:`HttpClient`
keeps every service inside its rate.

A failed fetch is never stored: the failure is reported, an older answer in the cache is
kept, and a reference never fetched stays "not resolved" rather than looking answered.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter, defaultdict
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..errors import Problem
from .cache import Cache, cache_dir
from .crossref import CrossrefUpdates, CrossrefWorks
from .europepmc import EuropePmc
from .http import HttpClient, HttpConfig
from .ids import Identifier, normalise
from .library import Ref, load
from .ncbi import PmcIdConverter, PubMed
from .records import Fetched

Progress = Callable[[int, int, str], None]  # done, total, what just finished
Job = tuple[str, Identifier]  # (source name, identifier)

SOURCES: dict[str, Any] = {s.name: s for s in (CrossrefWorks(), CrossrefUpdates(), PubMed(), PmcIdConverter(),
                                               EuropePmc())}


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def identifiers(ref: Ref, answers: Mapping[Job, Fetched]) -> dict[str, Identifier]:
    """The reference's identifiers: as written in the .bib, then as learned from found answers."""
    out = {i.kind: i for i in ref.idents}
    for (_, ident), fetched in sorted(answers.items(), key=lambda kv: (kv[0][0], kv[0][1].key)):
        if fetched.status != "found" or fetched.work is None or ident not in out.values():
            continue
        for kind in ("doi", "pmid", "pmcid"):
            value = getattr(fetched.work, kind)
            if value and kind not in out:
                out[kind] = normalise(kind, value)  # type: ignore[arg-type]
    return out


def plan(ref: Ref, answers: Mapping[Job, Fetched]) -> set[Job]:
    """The (source, identifier) answers a reference needs, given what is known so far."""
    declared = {i.kind: i for i in ref.idents}
    ids = identifiers(ref, answers)
    doi, pmid, pmcid = ids.get("doi"), ids.get("pmid"), ids.get("pmcid")
    jobs: set[Job] = set()
    if doi:
        jobs |= {("crossref", doi), ("crossref-updates", doi)}
    if pmid:
        jobs.add(("pubmed", pmid))
    # one Europe PMC record per reference: by what the library says, else by what was learned
    epmc = declared.get("doi") or declared.get("pmid") or doi or pmid
    if epmc:
        jobs.add(("europepmc", epmc))
    if pmcid and not (declared.get("doi") or declared.get("pmid")):
        jobs.add(("pmc-idconv", pmcid))
    return jobs


def known_answers(refs: Sequence[Ref], cache: Cache) -> dict[str, dict[Job, Fetched]]:
    """Per citekey, every answer the cache holds for it (following learned identifiers). No network."""
    out: dict[str, dict[Job, Fetched]] = {}
    memo: dict[Job, Fetched | None] = {}
    for ref in refs:
        answers: dict[Job, Fetched] = {}
        for _ in range(3):
            new = False
            for job in plan(ref, answers):
                if job in answers:
                    continue
                if job not in memo:
                    memo[job] = cache.get(job[0], job[1].key)
                if memo[job] is not None:
                    answers[job] = memo[job]  # type: ignore[assignment]
                    new = True
            if not new:
                break
        out[ref.citekey] = answers
    return out


@dataclass(frozen=True)
class Failure:
    source: str
    identifier: str
    citekeys: tuple[str, ...]
    error: str
    kept_previous: str | None = None  # fetched_at of the older answer kept in the cache


@dataclass(frozen=True)
class ResolveSummary:
    """What a run did, for the CLI's summary line and for scripts."""

    references: int
    with_identifiers: int
    answers: int
    fetched: int
    cached: int
    not_found: int
    failed: tuple[Failure, ...]
    not_cached: int
    requests: int
    seconds: float
    offline: bool
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    texts: Any = None  # the source-text step's TextSummary, when ``api.resolve`` ran it

    def reasons(self) -> dict[str, int]:
        return dict(Counter(f"{f.source}: {f.error}" for f in self.failed).most_common())


def answer(source: str, ident: Identifier, cache: Cache, client: HttpClient, refresh: bool = False,
           now: Callable[[], str] = utc_now) -> Fetched:
    """One answer, from the cache when it holds a good one; same keep-the-good-answer rule as resolve."""
    old = cache.get(source, ident.key)
    if old is not None and (client.offline or (not refresh and old.status != "failed")):
        return old
    if client.offline:
        return Fetched(ident.key, source, "failed", now(), error="offline, and not in the cache")
    result = fetch_safely(SOURCES[source], client, [ident], now())[0]
    if result.status == "failed":  # a failure is reported, never stored as an answer
        return old if old is not None and old.status != "failed" else result
    cache.put(result)
    return result


RECORD_SOURCES = ("crossref", "pubmed", "europepmc")  # answers that are bibliographic records (not id maps)


def fetch_safely(source: Any, client: HttpClient, idents: Sequence[Identifier], now: str) -> list[Fetched]:
    """``source.fetch``, with two guarantees: an answer of an unexpected shape is a ``failed`` fetch,
    never a traceback; and a "found" record with no title, no authors and no year is ``failed`` too,
    so it can never replace a good answer in the cache (nor become an empty BibTeX entry)."""
    try:
        results = source.fetch(client, idents, now)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
        return [Fetched(i.key, source.name, "failed", now, error=f"unexpected answer shape ({type(exc).__name__})")
                for i in idents]
    out = []
    for r in results:
        w = r.work
        if r.status == "found" and r.source in RECORD_SOURCES and (w is None or not (w.title or w.authors or w.year)):
            r = dataclasses.replace(r, status="failed", work=None, error="the record has no title, authors or year")
        out.append(r)
    return out


def _batches(source: Any, idents: Sequence[Identifier]) -> Iterable[list[Identifier]]:
    by_kind: dict[str, list[Identifier]] = defaultdict(list)
    for ident in sorted(idents):
        by_kind[ident.kind].append(ident)
    for group in by_kind.values():
        for start in range(0, len(group), source.batch_size):
            yield group[start:start + source.batch_size]


def _sync(refs: Sequence[Ref], answers: dict[str, dict[Job, Fetched]], resolved: Mapping[Job, Fetched]) -> None:
    """Give each reference every resolved answer it plans for; learned identifiers may add more."""
    changed = True
    while changed:
        changed = False
        for ref in refs:
            for job in plan(ref, answers[ref.citekey]):
                if job in resolved and job not in answers[ref.citekey]:
                    answers[ref.citekey][job] = resolved[job]
                    changed = True


def resolve(settings: Any, offline: bool = False, refresh: bool = False, progress: Progress | None = None,
            client: HttpClient | None = None, now: Callable[[], str] = utc_now) -> ResolveSummary:
    """Fetch every answer the library needs into the cache; see the module docstring."""
    started = time.monotonic()
    refs, _, problems = load(settings)
    cache = Cache(cache_dir(settings))
    own_client = client is None
    client = client or HttpClient(HttpConfig.from_settings(settings, offline=offline))
    offline = offline or client.offline
    sent_before = client.requests_sent
    answers: dict[str, dict[Job, Fetched]] = {r.citekey: {} for r in refs}
    resolved: dict[Job, Fetched] = {}
    attempted: set[Job] = set()
    counts = Counter()
    failures: list[Failure] = []
    done = total = 0
    try:
        for _ in range(3):
            _sync(refs, answers, resolved)
            wanted: dict[Job, set[str]] = defaultdict(set)
            for ref in refs:
                for job in plan(ref, answers[ref.citekey]):
                    if job not in resolved and job not in attempted:
                        wanted[job].add(ref.citekey)
            if not wanted:
                break
            total += len(wanted)
            attempted |= set(wanted)
            previous: dict[Job, Fetched | None] = {}
            to_fetch: dict[str, list[Identifier]] = defaultdict(list)
            for job in sorted(wanted, key=lambda j: (j[0], j[1])):
                old = cache.get(job[0], job[1].key)
                previous[job] = old
                usable = old is not None and (offline or (not refresh and old.status != "failed"))
                if usable:
                    resolved[job] = old  # type: ignore[assignment]
                    counts["cached"] += 1
                    if old.status == "not_found":  # type: ignore[union-attr]
                        counts["not_found"] += 1
                    elif old.status == "failed":  # type: ignore[union-attr]
                        failures.append(Failure(job[0], job[1].key, tuple(sorted(wanted[job])),
                                                f"{old.error} (cached {old.fetched_at})"))  # type: ignore[union-attr]
                    done += 1
                    if progress:
                        progress(done, total, f"{job[0]} {job[1].key} (cached)")
                elif offline:
                    counts["not_cached"] += 1
                    done += 1
                    if progress:
                        progress(done, total, f"{job[0]} {job[1].key} (not cached)")
                else:
                    to_fetch[job[0]].append(job[1])
            futures: dict[Future[list[Fetched]], str] = {}
            pools = []
            for name, idents in to_fetch.items():
                source = SOURCES[name]
                workers = max(1, client.config.limits[source.limit].concurrency)
                pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"resolve-{name}")
                pools.append(pool)
                for batch in _batches(source, idents):
                    futures[pool.submit(lambda s=source, b=batch: fetch_safely(s, client, b, now()))] = name
            try:
                for future in as_completed(futures):
                    for result in future.result():
                        job = (result.source, normalise(*result.identifier.split(":", 1)))  # type: ignore[arg-type]
                        old = previous.get(job)
                        if result.status == "failed":
                            keep = old is not None and old.status in ("found", "not_found")
                            resolved[job] = old if keep else result  # type: ignore[assignment]
                            failures.append(Failure(result.source, result.identifier, tuple(sorted(wanted.get(job, ()))),
                                                    result.error or "failed", old.fetched_at if keep else None))
                        else:
                            cache.put(result)
                            resolved[job] = result
                            counts["fetched" if result.status == "found" else "not_found"] += 1
                        done += 1
                        if progress:
                            progress(done, total, f"{result.source} {result.identifier} ({result.status})")
            finally:
                for pool in pools:
                    pool.shutdown(wait=True)
        _sync(refs, answers, resolved)
    finally:
        if own_client:
            client.close()
    return ResolveSummary(
        references=len(refs), with_identifiers=sum(1 for r in refs if r.idents), answers=len(resolved) + counts["not_cached"],
        fetched=counts["fetched"], cached=counts["cached"], not_found=counts["not_found"], failed=tuple(failures),
        not_cached=counts["not_cached"], requests=client.requests_sent - sent_before,
        seconds=round(time.monotonic() - started, 3), offline=offline, problems=tuple(problems))
