"""``evidence add``: one work into the library, by DOI, PMID or PMCID, from real metadata.

The identifier is checked against the library *before* anything is fetched (a duplicate
costs no request), then again with the fetched title, first author and year. The entry is
appended in the library's style with a stable citekey; nothing else in the file changes.
A ``studies.csv`` row is drafted with it (:mod:`.studyrows`): design from the PubMed
publication types, n and population from the abstract, ``status = unverified``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import EvidenceError, InputError, Problem
from .cache import Cache, cache_dir
from .entries import Candidate, Registry, append_entries, format_entry, from_work
from .http import HttpClient, HttpConfig
from .ids import BadIdentifier, Identifier, parse
from .library import default_bib, load
from .records import Fetched, Work
from .runner import answer
from .search import abstract_of
from .sourcetext import store_abstracts
from .studyrows import StudyRow, append_rows, studies_path
from .studyrows import draft as draft_study


@dataclass(frozen=True)
class AddResult:
    citekey: str
    file: str
    entry: str
    source: str
    study: StudyRow | None = None  # the studies.csv row drafted with it (unverified)
    no_study: str = ""  # why there is none
    studies_file: str = ""


def _bad(identifier: str, code: str, message: str, hint: str) -> InputError:
    return InputError([Problem("<identifier>", None, code, message, hint, field="identifier")])


def _work(fetched: Fetched, ident: Identifier) -> Work:
    if fetched.status == "found" and fetched.work is not None:
        return fetched.work
    if fetched.status == "not_found":
        raise _bad(ident.key, "not-found", f"{fetched.source} has no record of {ident.key}",
                   "check the identifier for typos (copy it from the article page)")
    raise EvidenceError(f"could not fetch {ident.key} from {fetched.source}: {fetched.error}; "
                        "nothing was added (try again, or check the network)")


def fetch_candidate(ident: Identifier, cache: Cache, client: HttpClient) -> Candidate:
    """Metadata for a new entry: Crossref for a DOI, PubMed for a PMID, the ID converter for a PMCID.

    Europe PMC (for a DOI) and the converter only fill identifiers; their failure is not fatal.
    """
    extra: list[Work] = []
    abstract = None
    if ident.kind == "pmcid":
        ids = _work(answer("pmc-idconv", ident, cache, client), ident)
        extra.append(ids)
        if ids.pmid:
            ident = Identifier("pmid", ids.pmid)
        elif ids.doi:
            ident = Identifier("doi", ids.doi)
    if ident.kind == "doi":
        main = _work(answer("crossref", ident, cache, client), ident)
        epmc = answer("europepmc", ident, cache, client)
        if epmc.status == "found" and epmc.work:
            extra.append(epmc.work)
            abstract = abstract_of(epmc)
    else:
        fetched = answer("pubmed", ident, cache, client)
        main = _work(fetched, ident)
        abstract = abstract_of(fetched)
    return replace(from_work(main, ident.key, extra), abstract=abstract)


def write_new(settings: Any, registry: Registry, cand: Candidate, source: str, command: str,
              target: Path | None = None) -> AddResult:
    """Append one checked-new work to the library and its drafted row to studies.csv (both atomic)."""
    key = registry.citekey(cand)
    text = format_entry(key, cand)
    path = target or default_bib(settings)
    row, why = draft_study(key, cand, command)
    append_entries(path, [text])
    registry.accept(cand, key, f"{settings.rel(path)} (new)")
    written = append_rows(studies_path(settings), [row]) if row else []
    return AddResult(key, settings.rel(path), text, source, written[0] if written else None,
                     why or ("" if written else "studies.csv already has a row for it"),
                     settings.rel(studies_path(settings)))


def add(settings: Any, identifier: str, client: HttpClient | None = None, target: Path | None = None) -> AddResult:
    """Append one entry; :class:`InputError` (nothing written) for a bad identifier or a duplicate."""
    try:
        ident = parse(identifier)
    except BadIdentifier as exc:
        raise _bad(identifier, "bad-identifier", exc.message, exc.hint) from None
    refs, _, _ = load(settings)
    registry = Registry(refs)
    probe = Candidate(identifier, **{ident.kind: ident.value})
    dup = registry.duplicate(probe)
    if dup:
        raise _bad(identifier, "duplicate", f"{ident.key} is already in the library: {dup}",
                   f"cite '{dup.citekey}' instead of adding it again")
    own = client is None
    client = client or HttpClient(HttpConfig.from_settings(settings))
    try:
        cand = fetch_candidate(ident, Cache(cache_dir(settings)), client)
    finally:
        if own:
            client.close()
    dup = registry.duplicate(cand)
    if dup:
        raise _bad(identifier, "duplicate", f"{ident.key} ('{cand.title}') is already in the library: {dup}",
                   f"cite '{dup.citekey}' instead of adding it again")
    missing = [name for name, value in (("title", cand.title), ("authors", cand.authors), ("year", cand.year))
               if not value]
    if missing:  # never write an entry the source did not really give: it would break the next build
        raise EvidenceError(f"{ident.key}: the source's record has no {', '.join(missing)}; nothing was added "
                            "(add the entry by hand from the article page)")
    result = write_new(settings, registry, cand, ident.key, "add", target)
    cache = Cache(cache_dir(settings))  # the abstracts fetched with it, where claims suggest reads them
    keys = ([("pubmed", f"pmid:{cand.pmid}")] if cand.pmid else []) + \
        ([("europepmc", f"doi:{cand.doi}"), ("crossref", f"doi:{cand.doi}")] if cand.doi else [])
    store_abstracts(settings, [f for f in (cache.get(source, key) for source, key in keys) if f is not None])
    return result
