"""The library API of the resolve stage: the functions the CLI calls.

``resolve`` is the only one that needs the network (and it has an offline mode); ``verify``
and ``export`` read the cache and the library only; ``add`` fetches one work; ``import_file``
reads a file; both draft studies.csv rows. Bad input raises :class:`~evidence.errors.InputError`
with located problems, and nothing is written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from ..errors import InputError, Problem, has_errors
from .add import AddResult
from .add import add as _add
from .bibwrite import BibEditError, update_file
from .cache import Cache, cache_dir
from .entries import Registry, append_entries, format_entry
from .http import HttpClient, HttpConfig
from ..read.detect import read_references
from .exporters import to_bibtex, to_csljson, to_ris
from .library import default_bib, load
from .match import ReferenceMatch, match_printed
from .studyrows import StudyRow, append_rows, studies_path
from .studyrows import draft as draft_study
from .runner import Progress, ResolveSummary, known_answers, plan, utc_now
from .runner import resolve as _resolve
from .sourcetext import collect as collect_texts
from .verify import Change, VerifyReport, planned_changes, verify_reference
from .options import DEFAULT_WRITE_FIELDS, EXPORT_FORMATS, WRITABLE  # re-exported; the CLI lists them without this module

__all__ = ["resolve", "verify", "add", "import_file", "export", "match_references", "ReferenceMatch", "ImportResult", "ResolveSummary", "VerifyReport",
           "AddResult", "DEFAULT_WRITE_FIELDS", "WRITABLE", "EXPORT_FORMATS"]


def resolve(settings: Any, offline: bool = False, refresh: bool = False, progress: Progress | None = None,
            client: HttpClient | None = None) -> ResolveSummary:
    """Fetch metadata for every reference with a DOI, PMID or PMCID into the cache, then its source text.

    Abstracts come out of the metadata answers; open-access full texts are one more request
    each (``summary.texts`` says what was stored, and what failed and was not stored).
    """
    own = client is None
    client = client or HttpClient(HttpConfig.from_settings(settings, offline=offline))
    try:
        summary = _resolve(settings, offline=offline, refresh=refresh, progress=progress, client=client)
        sent = client.requests_sent
        texts = collect_texts(settings, client, offline=offline or client.offline, refresh=refresh)
        return replace(summary, texts=texts, requests=summary.requests + client.requests_sent - sent)
    finally:
        if own:
            client.close()


def _bib_value(field: str, value: Any) -> str:
    text = str(value)
    if field == "pages":
        return re.sub(r"\s*[-–—]+\s*", "--", text)
    if field in ("title", "journal"):
        return re.sub(r"(?<!\\)([&%#])", r"\\\1", text)
    return text


def _never_fetched(ref: Any, answers: dict) -> list[str]:
    """Sources the reference needs that the cache holds no answer from (failures are not stored)."""
    return sorted({source for source, ident in plan(ref, answers) if (source, ident) not in answers})


def verify(settings: Any, write: bool = False, fields: Iterable[str] | None = None) -> VerifyReport:
    """Compare the library with the cached metadata; with ``write``, set the asked fields in the .bib files.

    ``fields`` are BibTeX field names (default: the identifiers doi, pmid, pmcid). Curated
    fields are never written, and a differing identifier is reported, never replaced.
    """
    asked = tuple(f.lower() for f in (fields or DEFAULT_WRITE_FIELDS))
    unknown = [f for f in asked if f not in WRITABLE]
    if unknown:
        raise InputError([Problem("<--field>", None, "unknown-field", f"cannot write field '{f}'",
                                  f"writable fields: {', '.join(WRITABLE)}") for f in unknown])
    refs, _, problems = load(settings)
    answers = known_answers(refs, Cache(cache_dir(settings)))
    reports = tuple(verify_reference(ref, answers.get(ref.citekey, {}), _never_fetched(ref, answers.get(ref.citekey, {})))
                    for ref in refs)
    changes: list[Change] = []
    if write:
        planned = [c for r in reports for c in planned_changes(r, asked)]
        by_file: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
        for change in planned:
            if change.written:
                by_file[change.file][change.citekey][change.field] = _bib_value(change.field, change.new)
        applied: set[tuple[str, str]] = set()
        for file, edits in sorted(by_file.items()):
            path = Path(file) if Path(file).is_absolute() else Path(settings.root) / file
            try:
                applied |= set(update_file(path, edits))
            except (BibEditError, OSError, UnicodeDecodeError) as exc:
                raise InputError([Problem(file, None, "write-failed", str(exc),
                                          "fix the file so it parses, then run verify --write again")]) from None
        changes = [c if not c.written or (c.citekey, c.field) in applied
                   else replace(c, written=False, reason="not found in the file") for c in planned]
    return VerifyReport(utc_now(), reports, tuple(changes), tuple(problems))


def add(settings: Any, identifier: str, client: HttpClient | None = None) -> AddResult:
    """Append one entry by DOI, ``pmid:``, ``pmcid:``; refuses duplicates naming the entry they duplicate."""
    return _add(settings, identifier, client=client)


@dataclass(frozen=True)
class ImportResult:
    format: str
    added: tuple[tuple[str, str], ...]  # (citekey, origin file:line)
    duplicates: tuple[tuple[str, str], ...]  # (origin, "duplicates KEY (file:line): reason")
    problems: tuple[Problem, ...]
    file: str
    studies: tuple[StudyRow, ...] = ()  # rows appended to studies.csv (unverified)
    no_study: tuple[tuple[str, str], ...] = ()  # (citekey, why it got no studies.csv row)
    studies_file: str = ""


def import_file(settings: Any, path: Path) -> ImportResult:
    """Add every new work of a RIS, PubMed MEDLINE, CSL-JSON or BibTeX file, with a studies.csv row each.

    The format is recognised from the content (:mod:`evidence.read.detect`). A file that is
    not one of them, or has a malformed record, is refused whole with its line: nothing is
    written. Duplicates are refused one by one, naming the entry they duplicate.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(str(path), None, "missing-file", "no such file", "check the path")])
    candidates, problems, fmt = read_references(path)
    if fmt == "unknown" or has_errors(problems):
        raise InputError(problems)
    refs, _, _ = load(settings)
    registry = Registry(refs)
    target = default_bib(settings)
    added, duplicates, texts, rows, no_study = [], [], [], [], []
    for cand in candidates:
        dup = registry.duplicate(cand)
        if dup:
            duplicates.append((cand.origin, f"'{cand.title}' {dup}"))
            continue
        key = registry.citekey(cand)
        registry.accept(cand, key, f"{settings.rel(target)} (new)")
        texts.append(format_entry(key, cand))
        added.append((key, cand.origin))
        row, why = draft_study(key, cand, "import")
        if row:
            rows.append(row)
        else:
            no_study.append((key, why))
    append_entries(target, texts)
    written = append_rows(studies_path(settings), rows)
    return ImportResult(fmt, tuple(added), tuple(duplicates), tuple(problems), settings.rel(target), tuple(written),
                        tuple(no_study), settings.rel(studies_path(settings)))


def export(settings: Any, fmt: str) -> str:
    """The whole library as BibTeX, CSL-JSON or RIS text."""
    if fmt not in EXPORT_FORMATS:
        raise InputError([Problem("<--format>", None, "unknown-format", f"unknown export format '{fmt}'",
                                  f"use one of: {', '.join(EXPORT_FORMATS)}")])
    refs, _, _ = load(settings)
    return {"bibtex": to_bibtex, "csljson": to_csljson, "ris": to_ris}[fmt](refs)


def match_references(settings: Any, printed: Iterable[str], client: HttpClient | None = None) -> list[ReferenceMatch]:
    """Identifiers for an article's printed references; low scores are flagged for an editor."""
    own = client is None
    client = client or HttpClient(HttpConfig.from_settings(settings))
    try:
        return [match_printed(client, text) for text in printed]
    finally:
        if own:
            client.close()


def match_article_references(settings: Any, slug: str | None = None,
                             client: HttpClient | None = None) -> list[tuple[str, int, ReferenceMatch]]:
    """Match every printed reference of the workspace's articles (or of one) to a DOI or PMID."""
    from ..read.articles import read_article

    found = []
    for path in sorted(settings.articles_dir.glob("*.md")):
        article, _ = read_article(path, settings.rel(path))
        if article is None or (slug and article.slug != slug):
            continue
        matches = match_references(settings, [r.text for r in article.references], client)
        found += [(article.slug, r.number, m) for r, m in zip(article.references, matches)]
    if slug and not found:
        raise InputError([Problem("articles/", None, "unknown-article", f"no article '{slug}' with a reference list",
                                  "check the slug, and that the article ends with a ## References section")])
    return found

