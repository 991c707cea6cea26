"""Resolve stage, source text: abstracts and open-access full texts into the text cache, and back.

Why abstracts cost no extra request: the metadata answers ``resolve`` already caches carry
them (PubMed EFetch XML, Europe PMC's ``resultType=core`` search, Crossref's work record),
so each is parsed into sections and stored as its own :class:`~.texts.SourceText`, with the
URL, date and hash of the answer it was read from. Full texts need one request each to
Europe PMC, made only for references Europe PMC marks open access.

``load_texts`` is the read side (cache only, never the network): per citekey, the texts
found, the sources that answered without text ("not found at the source"), and the ones
never fetched, so no one mistakes "we never asked" for "there is no abstract".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from .abstracts import crossref_abstract, europepmc_abstract, pubmed_abstract
from .cache import Cache, cache_dir
from .fulltext import SOURCE as FULLTEXT, fetch_fulltext
from .http import HttpClient
from .ids import Identifier
from .library import Ref, load, refs_of
from .records import Fetched
from .runner import SOURCES, Job, identifiers, known_answers, plan, utc_now
from .texts import SOURCE_ORDER, Section, SourceText, TextCache

Progress = Callable[[int, int, str], None]


def _pubmed(raw: Any) -> list[Section]:
    return pubmed_abstract(raw) if isinstance(raw, str) else []


def _europepmc(raw: Any) -> list[Section]:
    return europepmc_abstract(raw) if isinstance(raw, dict) else []


def _crossref(raw: Any) -> list[Section]:
    return crossref_abstract(raw.get("message") or {}) if isinstance(raw, dict) else []


PARSERS: dict[str, Callable[[Any], list[Section]]] = {"pubmed": _pubmed, "europepmc": _europepmc,
                                                      "crossref": _crossref}


def abstract_of(fetched: Fetched) -> SourceText | None:
    """The abstract a cached metadata answer carries; None for a failed answer (nothing to say)."""
    if fetched.source not in PARSERS or fetched.status == "failed":
        return None
    common = dict(identifier=fetched.identifier, source=fetched.source, fetched_at=fetched.fetched_at,
                  url=fetched.url, sha256=fetched.sha256)
    if fetched.status == "not_found":
        return SourceText(status="not_found", reason=fetched.error or "the service has no record", **common)
    sections = tuple(PARSERS[fetched.source](fetched.raw))
    if not sections:
        name = {"pubmed": "PubMed", "europepmc": "Europe PMC", "crossref": "Crossref"}[fetched.source]
        return SourceText(status="not_found", reason=f"the {name} record has no abstract", **common)
    return SourceText(status="found", sections=sections, **common)


def _open_access(answers: Mapping[Job, Fetched]) -> bool:
    return any(f.status == "found" and f.work is not None and f.work.open_access
               for (source, _), f in answers.items() if source == "europepmc")


def fulltext_id(ref: Ref, answers: Mapping[Job, Fetched]) -> Identifier | None:
    """The PMCID to ask Europe PMC's full text for: only when Europe PMC says it is open access."""
    pmcid = identifiers(ref, answers).get("pmcid")
    return pmcid if pmcid is not None and _open_access(answers) else None


@dataclass(frozen=True)
class TextSummary:
    """What the source-text step of a resolve run did."""

    abstracts: int = 0  # found, in the cache now
    no_abstract: int = 0  # the source answered without one
    fulltexts_fetched: int = 0
    fulltexts_cached: int = 0
    fulltexts_not_found: int = 0
    not_cached: int = 0  # offline, and never fetched
    failed: tuple[tuple[str, str, str], ...] = ()  # (citekey, identifier, why); never stored


def collect(settings: Any, client: HttpClient, offline: bool = False, refresh: bool = False,
            progress: Progress | None = None, now: Callable[[], str] = utc_now) -> TextSummary:
    """Store every abstract the metadata cache carries; fetch open-access full texts not yet cached."""
    refs, _, _ = load(settings)
    cache = Cache(cache_dir(settings))
    texts = TextCache(cache.root)
    answers = known_answers(refs, cache)
    counts = {"abstracts": 0, "no_abstract": 0, "fulltexts_fetched": 0, "fulltexts_cached": 0,
              "fulltexts_not_found": 0, "not_cached": 0}
    failed: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    wanted: list[tuple[str, Identifier]] = []
    for ref in refs:
        for (source, ident), fetched in sorted(answers[ref.citekey].items(), key=lambda kv: (kv[0][0], kv[0][1])):
            text = abstract_of(fetched)
            if text is None or (source, ident.key) in seen:
                continue
            seen.add((source, ident.key))
            old = texts.get(source, ident.key)
            if old is None or old.as_dict() != text.as_dict():
                texts.put(text)
            counts["abstracts" if text.status == "found" else "no_abstract"] += 1
        pmcid = fulltext_id(ref, answers[ref.citekey])
        if pmcid is not None and (FULLTEXT, pmcid.key) not in seen:
            seen.add((FULLTEXT, pmcid.key))
            wanted.append((ref.citekey, pmcid))
    for done, (citekey, pmcid) in enumerate(wanted, start=1):
        old = texts.get(FULLTEXT, pmcid.key)
        if old is not None and (offline or not refresh):
            counts["fulltexts_cached"] += 1
        elif offline or client.offline:
            counts["not_cached"] += 1
        else:
            text, why = fetch_fulltext(client, pmcid, now())
            if text is None:  # a failure is reported, never stored; an older good answer stays
                failed.append((citekey, pmcid.key, why or "failed"))
            else:
                texts.put(text)
                counts["fulltexts_fetched" if text.status == "found" else "fulltexts_not_found"] += 1
        if progress:
            progress(done, len(wanted), f"full text {pmcid.key}")
    return TextSummary(**counts, failed=tuple(failed))


@dataclass(frozen=True)
class TextState:
    """Everything the cache knows about one reference's source text."""

    citekey: str
    texts: tuple[SourceText, ...] = ()  # found, abstracts first (PubMed, Europe PMC, Crossref), then full text
    not_found: tuple[SourceText, ...] = ()  # the source answered: no text there
    never_fetched: tuple[str, ...] = ()  # 'pubmed pmid:123': asked of no one yet
    has_identifier: bool = True

    def why_no_text(self) -> str:
        """Why there is nothing to search: 'never fetched' and 'not found at the source' kept apart."""
        if not self.has_identifier:
            return "no DOI, PMID or PMCID in the library record, so no text can be fetched"
        parts = []
        if self.not_found:
            parts.append("not found at the source: " + "; ".join(f"{t.label} ({t.reason}, {t.fetched_at[:10]})"
                                                                 for t in self.not_found))
        if self.never_fetched:
            parts.append("never fetched (" + ", ".join(self.never_fetched) + "): run `evidence resolve`")
        return "; ".join(parts) or "never fetched: run `evidence resolve`"


def load_texts(settings: Any, bibliography: Any = None) -> dict[str, TextState]:
    """Per citekey, the texts the cache holds (no network, ever).

    With no cache at all (nothing was ever resolved) the answer is empty without reading the
    library again: every claim's text is then "never fetched" (see ``check.quote_checks``).
    """
    cache = Cache(cache_dir(settings))
    if not any((cache.root / name).is_dir() for name in (*SOURCES, "text")):  # the site keeps its own folder there
        return {}
    # the build passes the bibliography it has read, so the library is parsed once per build
    refs = refs_of(bibliography) if bibliography is not None else load(settings)[0]
    texts = TextCache(cache.root)
    answers = known_answers(refs, cache)
    out: dict[str, TextState] = {}
    for ref in refs:
        found, missing, never = [], [], []
        jobs = sorted((j for j in plan(ref, answers[ref.citekey]) if j[0] in PARSERS), key=lambda j: (j[0], j[1]))
        pmcid = fulltext_id(ref, answers[ref.citekey])
        if pmcid is not None:
            jobs.append((FULLTEXT, pmcid))
        for source, ident in jobs:
            text = texts.get(source, ident.key)
            if text is None:
                never.append(f"{source} {ident.key}")
            elif text.status == "found":
                found.append(text)
            else:
                missing.append(text)
        rank = {name: i for i, name in enumerate(SOURCE_ORDER)}
        found.sort(key=lambda t: (rank.get(t.source, 99), t.identifier))
        out[ref.citekey] = TextState(ref.citekey, tuple(found), tuple(missing), tuple(never), bool(ref.idents))
    return out


def store_abstracts(settings: Any, answers: Sequence[Fetched]) -> int:
    """Put the abstracts these cached answers carry into the text cache, as ``resolve`` would.

    ``find --add`` fetches a full PubMed record for each study it adds; storing its abstract
    at once lets ``claims suggest`` draft from it without a ``resolve`` run in between."""
    texts = TextCache(cache_dir(settings))
    stored = 0
    for fetched in answers:
        text = abstract_of(fetched)
        if text is not None:
            texts.put(text)
            stored += text.status == "found"
    return stored
