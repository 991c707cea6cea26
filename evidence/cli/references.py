"""The reference commands: ``resolve``, ``verify``, ``add``, ``match``, ``import``, ``export``.

Thin, like the rest of the CLI: each command calls one function of
:mod:`evidence.resolve.api` and prints. Exit codes: 0 ok; 1 something needs an editor
(a failed fetch in ``resolve``; a retraction, notice or mismatch in ``verify``) or the
network failed; 2 bad input or usage, nothing written. ``register(main)`` adds them to the
``evidence`` group.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from .failures import run as _run
from ..resolve import options
from ..workspace import Settings, load_settings

if TYPE_CHECKING:
    from ..resolve import api

_err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False, markup=False)


def _echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err)  # plain text: titles may contain [brackets] that rich would eat


def _settings(ctx: click.Context) -> Settings:
    return _run(lambda: load_settings(ctx.obj))


@click.command("resolve")
@click.option("--offline", is_flag=True, help="Use only the cache; never touch the network.")
@click.option("--refresh", is_flag=True, help="Fetch again even what is cached.")
@click.pass_context
def resolve_cmd(ctx: click.Context, offline: bool, refresh: bool) -> None:
    """Fetch metadata and notices for every reference with a DOI, PMID or PMCID (cached)."""
    settings = _settings(ctx)
    if offline and refresh:
        raise click.UsageError("--offline and --refresh cannot be used together")
    if not settings.mailto and not offline:
        _echo("note: set [resolve] mailto in evidence.toml so Crossref and NCBI can reach you (polite pool)", err=True)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..resolve import api  # here, not at the top: `evidence --help` need not load the resolver

    progress = Progress(TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=_err, transient=True, disable=not _err.is_terminal)
    task = progress.add_task("resolving", total=None)

    def tick(done: int, total: int, label: str) -> None:
        progress.update(task, completed=done, total=total, description=label[:60])

    with progress:
        summary = _run(lambda: api.resolve(settings, offline=offline, refresh=refresh, progress=tick))
    for p in summary.problems:
        if p.code.startswith("bad-"):
            _echo(f"{p.severity}: {p}", err=True)
    _echo(f"resolve: {summary.references} references, {summary.with_identifiers} with an identifier; "
          f"{summary.answers} answers: {summary.fetched} fetched, {summary.cached} cached, "
          f"{summary.not_found} not found, {len(summary.failed)} failed"
          + (f", {summary.not_cached} not in the cache (offline)" if summary.not_cached else "")
          + f"; {summary.requests} requests in {summary.seconds:.1f} s")
    for reason, count in summary.reasons().items():
        _echo(f"  failed {count}x: {reason}")
    kept = [f for f in summary.failed if f.kept_previous]
    if kept:
        _echo(f"  {len(kept)} failed refetch(es) kept the earlier answer in the cache")
    texts = summary.texts
    if texts is not None:
        _echo(f"source text: {texts.abstracts} abstracts, {texts.no_abstract} records without one; full texts: "
              f"{texts.fulltexts_fetched} fetched, {texts.fulltexts_cached} cached, {texts.fulltexts_not_found} not "
              f"open access, {len(texts.failed)} failed"
              + (f", {texts.not_cached} not in the cache (offline)" if texts.not_cached else ""))
        for citekey, ident, why in texts.failed:
            _echo(f"  failed (not stored): full text {ident} for {citekey}: {why}")
    if summary.failed or (texts is not None and texts.failed):
        sys.exit(1)


def _text_report(report: api.VerifyReport) -> None:
    for r in report.references:
        _echo(f"{r.citekey} ({r.file}:{r.line}): {r.status}")
        for m in r.mismatches:
            extra = f" (similarity {m.similarity:.0f})" if m.similarity is not None else ""
            _echo(f"  {m.field}: library '{m.library}' / {m.service} '{m.source}'{extra}")
        for m in r.missing_identifiers:
            _echo(f"  missing {m.field}: {m.value} ({m.source})")
        for m in r.missing_fields:
            _echo(f"  missing {m.field}: {m.value} ({m.source})")
        for n in r.notices:
            what = "THIS RECORD IS a " + n["type"] + " notice" if n["relation"] == "is-notice" else n["type"]
            target = f" for {n['target']}" if n.get("target") else ""
            ids = " ".join(x for x in (f"doi {n['doi']}" if n.get("doi") else "",
                                       f"pmid {n['pmid']}" if n.get("pmid") else "") if x)
            _echo(f"  notice: {what}{target} {n.get('date') or 'date unknown'} {ids} ({', '.join(n['sources'])})")
        if not r.notices:
            _echo(f"  notices: {r.notice_check}")
    for c in report.changes:
        state = "wrote" if c.written else f"did not write ({c.reason})"
        _echo(f"{state} {c.file} {c.citekey}.{c.field} = {c.new} (from {c.source})")


def _quotes_report(settings: Settings, fmt: str) -> None:
    """``verify --quotes``: each claim's quote in the cached source text; exit 1 on not_found or a missing number."""
    from .. import pipeline

    checks = _run(lambda: pipeline.quote_report(settings))
    if fmt == "json":
        _echo(json.dumps({"claims": [c.as_dict() for c in checks]}, ensure_ascii=False, indent=2))
    else:
        for c in checks:
            where = f" — {c.source_label}, {c.section}, fetched {str(c.fetched_at)[:10]}" if c.found else ""
            _echo(f"{c.claim_id} ({c.citekey}): {c.status}{where}")
            if c.status == "near":
                _echo(f"  similarity {c.score:.0f}: " + "; ".join(c.differences))
            if c.status in ("not_found", "no_text"):
                _echo(f"  {'searched ' if c.status == 'not_found' else ''}{c.detail}"
                      + (f" (best similarity {c.score:.0f})" if c.status == "not_found" and c.score is not None else ""))
            if c.numbers and c.found:
                _echo("  numbers: " + ", ".join(f"{n.field} {n.as_dict()['value']} "
                                               f"{'found' if n.found else 'MISSING'}" for n in c.numbers))
            if c.locator_agrees is False:
                _echo(f"  locator '{c.locator}' is not where the quote was found ({c.section})")
    counts: dict[str, int] = {}
    for c in checks:
        counts[c.status] = counts.get(c.status, 0) + 1
    missing = sum(len(c.missing_numbers) for c in checks)
    _echo("verify --quotes: " + ", ".join(f"{counts[k]} {k}" for k in ("exact", "normalised", "near", "not_found",
                                                                       "no_text") if counts.get(k))
          + f"; {missing} number(s) missing from their passage", err=True)
    if counts.get("not_found") or missing:
        sys.exit(1)


@click.command("verify")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--write", is_flag=True, help="Fill the --field values in the .bib files (curated fields never).")
@click.option("--field", "fields", multiple=True, type=click.Choice(list(options.WRITABLE)),
              help="Field to write with --write (repeatable; default: doi, pmid, pmcid).")
@click.option("--quotes", is_flag=True, help="Check every claim's quote and numbers against the cached source text.")
@click.pass_context
def verify_cmd(ctx: click.Context, fmt: str, write: bool, fields: tuple[str, ...], quotes: bool) -> None:
    """Compare every reference with its fetched metadata (run `evidence resolve` first).

    Exit 1 when a reference is retracted, has a notice or a mismatch. With --quotes: where
    each claim's quote stands in the source text; exit 1 when a quote is not found or a
    number the claim records is not in the passage.
    """
    settings = _settings(ctx)
    if fields and not write:
        raise click.UsageError("--field only makes sense with --write")
    if quotes:
        if write:
            raise click.UsageError("--quotes only reads; it cannot be used with --write")
        _quotes_report(settings, fmt)
        return
    from ..resolve import api
    report = _run(lambda: api.verify(settings, write=write, fields=fields or None))
    if fmt == "json":
        _echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        _text_report(report)
    counts = report.counts()
    _echo("verify: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()), err=True)
    if any(counts.get(k) for k in ("retracted", "notice", "mismatch")):
        sys.exit(1)


@click.command("add")
@click.argument("identifier")
@click.pass_context
def add_cmd(ctx: click.Context, identifier: str) -> None:
    """Add a work by DOI (10.xxxx/yyyy), pmid:NNNN or pmcid:PMCNNNN; duplicates are refused."""
    settings = _settings(ctx)
    from ..resolve import api
    result = _run(lambda: api.add(settings, identifier))
    _echo(result.entry)
    _echo(f"added {result.citekey} to {result.file} (from {result.source})", err=True)
    _study_lines([result.study] if result.study else [], [(result.citekey, result.no_study)] if not result.study else [],
                 result.studies_file)


def _study_lines(rows: list, missing: list[tuple[str, str]], file: str) -> None:
    """What was drafted into studies.csv, and what an editor must add by hand."""
    for row in rows:
        extra = f", n={row.n}" if row.n else ""
        _echo(f"{file}: {row.citekey} design={row.design}{extra} status=unverified (check it on {row.source_url})",
              err=True)
    for key, why in missing:
        _echo(f"{file}: no row for {key}: {why}", err=True)


@click.command("match")
@click.argument("article", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def match_cmd(ctx: click.Context, article: str | None, fmt: str) -> None:
    """Match an article's printed references to DOIs (printed DOI/PMID, else a Crossref search with a score).

    Exit 1 when a match needs an editor's confirmation (low score, or nothing found)."""
    settings = _settings(ctx)
    from ..resolve import api
    found = _run(lambda: api.match_article_references(settings, article))
    if fmt == "json":
        # one object, like check's {"articles": [...]}: one entry per article, its references in printed order
        articles: dict[str, list[dict[str, object]]] = {}
        for slug, n, m in found:
            articles.setdefault(slug, []).append({"number": n, "doi": m.doi, "pmid": m.pmid, "method": m.method,
                                                  "score": m.score, "confirm": m.confirm, "title": m.title,
                                                  "error": m.error})
        _echo(json.dumps({"articles": [{"article": slug, "references": refs} for slug, refs in articles.items()],
                          "to_confirm": sum(1 for _, _, m in found if m.confirm)}, indent=2, ensure_ascii=False))
    else:
        for slug, n, m in found:
            ident = m.doi or (f"pmid:{m.pmid}" if m.pmid else "no match")
            flag = "CONFIRM" if m.confirm else "ok"
            _echo(f"{slug} [{n}] {flag} {ident} ({m.method}, score {m.score:.0f})"
                  + (f" — {m.title}" if m.title else "") + (f" — {m.error}" if m.error else ""))
    sys.exit(1 if any(m.confirm for _, _, m in found) else 0)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_cmd(ctx: click.Context, file: Path) -> None:
    """Import a RIS, PubMed .nbib, CSL-JSON or BibTeX export (recognised by content); duplicates are refused.

    Each new work also gets an unverified studies.csv row when its PubMed publication types
    state a design. Exit 2, nothing written, for a file that is not one of these formats or
    has a malformed record."""
    settings = _settings(ctx)
    from ..resolve import api
    result = _run(lambda: api.import_file(settings, file))
    for p in result.problems:
        _echo(f"{p.severity}: {p}", err=True)
    for key, origin in result.added:
        _echo(f"added {key} ({origin})")
    for origin, why in result.duplicates:
        _echo(f"refused {origin}: {why}")
    _study_lines(list(result.studies), list(result.no_study), result.studies_file)
    _echo(f"import ({result.format}): {len(result.added)} added to {result.file}, "
          f"{len(result.duplicates)} duplicate(s) refused; {len(result.studies)} unverified row(s) added to "
          f"{result.studies_file}", err=True)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(list(options.EXPORT_FORMATS)), default="bibtex", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.pass_context
def export_cmd(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Write the library out as BibTeX, CSL-JSON or RIS."""
    settings = _settings(ctx)
    from ..resolve import api
    text = _run(lambda: api.export(settings, fmt))
    if output:
        output.write_text(text, encoding="utf-8")
        _echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def register(main: click.Group) -> None:
    """Add the reference commands to the ``evidence`` group."""
    for command in (resolve_cmd, verify_cmd, add_cmd, match_cmd, import_cmd, export_cmd):
        main.add_command(command)

