"""The ``evidence`` command: a thin layer that calls :mod:`evidence.pipeline` and prints.

Exit codes: 0 ok; 1 the article has blocking problems (``check``) or a query failed at run
time; 2 bad input or usage (nothing was written).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.text import Text

from . import claims as cli_claims, find as cli_find, references as cli_resolve, report as cli_report, serve as cli_site
from . import workflow as cli_workflow
from ..errors import EvidenceError, InputError, Problem
from ..outputs import clean_leftovers
from ..workspace import load_settings

# The library (pipeline, check, query) is imported inside each command: every command is a fresh process,
# and `evidence --help` or a light command should not pay for pandas, DuckDB, statsmodels and Jinja2.
if TYPE_CHECKING:
    from ..check.report import ArticleReport

# Text is printed as it is: rich would otherwise turn "my-article.md:100:" into an emoji and eat
# "[brackets]" in titles and quotes as markup. Colour comes from Text styles, never from markup.
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False, markup=False)
out = Console(highlight=False, soft_wrap=True, emoji=False, markup=False)


def more(hidden: int) -> str:
    """The line that ends every truncated list, the same in every command."""
    return f"… and {hidden} more (use -v)"


class _Steps:
    """A progress bar over the pipeline's named steps; silent when stderr is not a terminal."""

    def __init__(self, total: int):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.enabled = err.is_terminal
        self.progress = Progress(TextColumn("{task.description}", markup=False), BarColumn(), TimeElapsedColumn(),
                                 console=err, transient=True, disable=not self.enabled)
        self.task = self.progress.add_task("starting", total=total)

    def __enter__(self) -> "_Steps":
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)

    def __call__(self, step: str) -> None:
        self.progress.update(self.task, advance=1, description=step)


def _print_problems(problems: list[Problem] | tuple[Problem, ...], limit: int | None = None) -> None:
    shown = list(problems)[:limit] if limit else list(problems)
    for p in shown:
        err.print(Text.assemble((p.severity, "red" if p.severity == "error" else "yellow"), f": {p}"))
    if limit and len(problems) > limit:
        err.print(more(len(problems) - limit))


def _run(fn):
    """Convert library exceptions to messages and exit codes in one place."""
    try:
        return fn()
    except InputError as exc:
        _print_problems(exc.problems)
        errors = sum(1 for p in exc.problems if p.severity == "error")
        err.print(Text.assemble((f"{errors} error(s)", "red"),
                                f", {len(exc.problems) - errors} warning(s); nothing was written."))
        sys.exit(exc.exit_code)
    except EvidenceError as exc:
        err.print(Text.assemble(("error:", "red"), f" {exc}"))
        sys.exit(exc.exit_code)
    except OSError as exc:  # the last line of defence: a file system refusal is a message, never a traceback
        err.print(Text.assemble(("error:", "red"), f" {exc.strerror or exc}: {exc.filename or ''}"))
        sys.exit(2)


@click.group()
@click.version_option(package_name="evidence-desk")
@click.option("-w", "--workspace", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Workspace folder (default: the nearest folder with evidence.toml).")
@click.pass_context
def main(ctx: click.Context, workspace: Path | None) -> None:
    """Evidence toolkit: check a health article against its studies, query the evidence, publish it."""
    ctx.obj = workspace


def _settings(ctx: click.Context):
    settings = _run(lambda: load_settings(ctx.obj))
    _run(lambda: clean_leftovers(settings.db_path, settings.site_dir))  # every run tidies what killed runs left
    return settings


@main.command()
@click.option("--verbose", "-v", is_flag=True, help="Show every warning.")
@click.pass_context
def build(ctx: click.Context, verbose: bool) -> None:
    """Read and check the workspace and write evidence.duckdb (atomically)."""
    from .. import pipeline

    settings = _settings(ctx)
    with _Steps(7) as steps:
        checked = _run(lambda: pipeline.build(settings, steps))
    if checked.warnings:
        _print_problems(checked.warnings, limit=None if verbose else 20)
    counts = checked.counts()  # from the receipt when the workspace was unchanged (no re-analysis)
    err.print(f"built {settings.rel(settings.db_path)}: {counts['references']} references, "
              f"{counts['studies']} studies, {counts['claims']} claims, {counts['statements']} statements")


def _report_json(report: ArticleReport) -> dict[str, object]:
    verdicts = {v.statement_id: v for v in report.verdicts}
    return {
        "article": {"slug": report.article.slug, "title": report.article.title, "file": report.article.source_file},
        "summary": report.counts(),
        "blocking": report.blocking,
        "statements": [{
            "id": s.statement_id, "quote": s.quote, "kind": s.kind, "asserts": s.asserts,
            "verdict": verdicts[s.statement_id].verdict, "computed_verdict": verdicts[s.statement_id].computed_verdict,
            "strength": verdicts[s.statement_id].strength, "reasons": list(verdicts[s.statement_id].reasons),
            "claims": list(verdicts[s.statement_id].claims), "numeric_check": verdicts[s.statement_id].numeric_check,
            "certainty": verdicts[s.statement_id].certainty, "outcome": verdicts[s.statement_id].outcome,
            "certainty_reasons": list(verdicts[s.statement_id].certainty_reasons),
            "anchor": s.anchor, "line": report.article.line_of(s.start) if s.start is not None else None,
            "attribution": [{"phrase": a.phrase, "field": a.field, "citekey": a.citekey, "article": a.article,
                             "source": a.source, "status": a.status, "message": a.message}
                            for a in report.attributions_of(s.statement_id)],
        } for s in report.statements],
        "references": [{"number": r.number, "citekey": r.citekey, "match": r.match_method,
                        "defects": [d.code for d in r.defects]} for r in report.references],
        "problems": [{k: v for k, v in p.as_dict().items()} for p in report.problems],
    }


@main.command()
@click.argument("article", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--verbose", "-v", is_flag=True, help="Show every reason and every warning.")
@click.pass_context
def check(ctx: click.Context, article: str | None, fmt: str, verbose: bool) -> None:
    """Verdicts for every statement of ARTICLE (default: all articles). Exit 1 on blocking problems."""
    from .. import pipeline

    settings = _settings(ctx)
    checked = _run(lambda: pipeline.check(settings, article))
    reports = list(checked.reports)
    if fmt == "json":  # one shape whatever the arguments: {"articles": [...]}
        quotes = {q.claim_id: q.as_dict() for q in checked.quotes}
        data = [_report_json(r) for r in reports]
        for report in data:  # each statement's claims with their quote status
            for st in report["statements"]:
                st["quotes"] = [quotes[c] for c in st["claims"] if c in quotes]
        click.echo(json.dumps({"articles": data}, indent=2, ensure_ascii=False))
    else:
        quotes = {q.claim_id: q for q in checked.quotes}
        for r in reports:
            _print_report(r, verbose, quotes)
    sys.exit(1 if any(r.blocking for r in reports) else 0)


def _print_report(report: ArticleReport, verbose: bool, quotes: dict | None = None) -> None:
    """One block per statement: id, verdict, strength, the quote, its reasons, its claims' quote status."""
    from ..check.attribution import attribution_line, attribution_order

    quotes = quotes or {}
    colours = {"supported": "green", "partly_supported": "yellow", "overstated": "dark_orange", "unsupported": "magenta",
               "contradicted": "red", "not_checkable": "dim"}
    out.print(Text.assemble((report.article.title, "bold"), f" ({report.article.source_file})"))
    verdicts = {v.statement_id: v for v in report.verdicts}
    for s in report.statements:
        v = verdicts[s.statement_id]
        quote = s.quote if len(s.quote) < 140 else s.quote[:137] + "..."
        out.print(Text.assemble("\n", (s.statement_id, "bold"), " ",
                                (v.verdict.replace('_', ' ').upper(), colours[v.verdict]),
                                f" (certainty: {v.strength}) “{quote}”"))
        reasons = v.reasons if verbose else v.reasons[:4]
        for r in reasons:
            out.print(f"    - {r}")
        if len(v.reasons) > len(reasons):
            out.print(f"    {more(len(v.reasons) - len(reasons))}")
        for claim_id in v.claims:
            if claim_id in quotes:
                out.print(f"    quote {claim_id}: {quotes[claim_id].describe()}")
        for c in attribution_order(report.attributions_of(s.statement_id), agreeing=verbose):
            out.print(Text.assemble("    - ", (attribution_line(c), "yellow" if c.status == "disagrees" else "")))
    counts = report.counts()
    out.print("\n" + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items()))
    errors = [p for p in report.problems if p.severity == "error"]
    warnings = [p for p in report.problems if p.severity == "warning"]
    _print_problems(errors)
    _print_problems(warnings, limit=None if verbose else 15)
    err.print(f"{len(errors)} blocking problem(s), {len(warnings)} warning(s)")


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for item in values:
        if "=" not in item:
            raise click.BadParameter(f"'{item}' is not k=v", param_hint="--param")
        k, v = item.split("=", 1)
        params[k.strip()] = v
    return params


@main.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, help="Query parameter, k=v (repeatable).")
@click.option("--sql", help="Run this ad-hoc SQL instead of a named query (read-only, sandboxed).")
@click.option("--list", "list_", is_flag=True, help="List the canned queries.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "markdown"]), default="table",
              show_default=True)
@click.option("--max-rows", type=click.IntRange(min=1), default=None,
              help="Print at most this many rows (default: [query] max_rows in evidence.toml, 1000).")
@click.pass_context
def query(ctx: click.Context, name: str | None, params: tuple[str, ...], sql: str | None, list_: bool, fmt: str,
          max_rows: int | None) -> None:
    """Run a canned query from queries/ or ad-hoc SQL on the database (time, memory and output limited)."""
    from ..query.named import find_query, run_named
    from ..query.runner import discover, run_sql

    settings = _settings(ctx)
    limits = settings.limits
    max_rows = max_rows or limits.max_rows
    queries = _run(lambda: discover(settings.query_dirs))
    if list_:
        for q in queries.values():
            extra = f" (params: {', '.join(p.name for p in q.params)})" if q.params else ""
            click.echo(f"{q.name}\t{q.description}{extra}")
        return
    if sql and name:
        raise click.UsageError("give a query NAME or --sql, not both")
    if sql:
        df = _run(lambda: run_sql(settings.db_path, sql, None, limits, max_rows))
    elif name:
        if find_query(queries, name) is None:
            err.print(Text.assemble(("error:", "red"), f" no query named '{name}'; `evidence query --list` shows them"))
            sys.exit(2)
        df = _run(lambda: run_named(settings.db_path, queries, name, _parse_params(params), limits, max_rows))
    else:
        raise click.UsageError("give a query NAME, --sql or --list")
    _print_result(df, fmt, limits.max_bytes)
    if df.attrs.get("truncated"):
        err.print(f"output cut at {len(df)} rows; more rows exist (--max-rows N, or [query] max_rows in evidence.toml)",
                  markup=False)


def _print_result(df, fmt: str, max_bytes: int) -> None:
    """Print a result in ``fmt``, cut at ``max_bytes`` (at a line end) with a note saying so."""
    if fmt == "table":
        from rich.table import Table

        table = Table()
        for c in df.columns:
            table.add_column(str(c), overflow="fold")
        for row in df.itertuples(index=False):
            table.add_row(*(Text("" if _missing(v) else str(v)[:max_bytes]) for v in row))
        out.print(table)
        return
    if fmt == "csv":
        text = df.to_csv(index=False, lineterminator="\n")
    elif fmt == "json":
        text = df.to_json(orient="records", force_ascii=False, indent=1, date_format="iso") + "\n"
    else:
        cols = list(df.columns)
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join("" if _missing(v) else str(v).replace("|", "\\|") for v in row) + " |"
                  for row in df.itertuples(index=False)]
        text = "\n".join(lines) + "\n"
    data = text.encode("utf-8")
    if len(data) > max_bytes:
        cut = data.rfind(b"\n", 0, max_bytes) + 1 or max_bytes
        click.echo(data[:cut].decode("utf-8", "ignore"), nl=False)
        err.print(f"output cut at {cut} of {len(data)} bytes ([query] max_bytes in evidence.toml)", markup=False)
    else:
        click.echo(text, nl=False)


def _missing(v: object) -> bool:
    try:
        return v is None or bool(v != v)
    except (TypeError, ValueError):
        return False


@main.command()
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: [site] output in evidence.toml, 'site').")
@click.pass_context
def site(ctx: click.Context, output: Path | None) -> None:
    """Render the static site from evidence.duckdb."""
    from .. import pipeline

    settings = _settings(ctx)
    with _Steps(6) as steps:
        result = _run(lambda: pipeline.render(settings, steps, output))
    err.print(f"site: {result.pages} files ({len(result.written)} written, {result.unchanged} unchanged, "
              f"{result.removed} removed) in {settings.rel(output or settings.site_dir)}")


@main.command()
@click.pass_context
def publish(ctx: click.Context) -> None:
    """Build the database, report the check, render the site. Exit 0 when the site was built."""
    from .. import pipeline

    settings = _settings(ctx)
    with _Steps(13) as steps:
        checked, result = _run(lambda: pipeline.publish(settings, steps))
    for slug, counts, errors in checked.article_counts():
        out.print(f"{slug}: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
                  + f"; {errors} blocking problem(s) (see `evidence check {slug}`)")
    err.print(f"database: {settings.rel(settings.db_path)}; site: {result.pages} files "
              f"({len(result.written)} written) in {settings.rel(settings.site_dir)}/ — open "
              f"{settings.rel(settings.site_dir / 'index.html')}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new, minimal workspace in DIRECTORY that builds."""
    from .. import pipeline

    settings = _run(lambda: pipeline.init(directory))
    err.print(f"created a workspace in {settings.root}; next: cd {directory} && evidence article add DRAFT.md "
              "(references/README.md says what goes in each file)")


# Commands of other stages live beside their stage and register themselves here.
cli_resolve.register(main)
cli_site.register(main)
cli_claims.register(main)
cli_find.register(main)
cli_workflow.register(main)
cli_report.register(main)


if __name__ == "__main__":  # pragma: no cover
    main()
