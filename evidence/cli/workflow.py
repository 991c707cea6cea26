"""The editor's workflow commands: ``article add``, ``todo``, ``accept``.

Thin, like the rest of the CLI: each command calls one function of :mod:`evidence.workflow`
and prints plain text (click.echo: no markup or emoji substitution, so "[1]" or ":100:" in
an article prints as written). Exit codes: 0 ok; 1 ``todo`` found something blocking;
2 bad input or usage, nothing written. ``register(main)`` adds them to the ``evidence`` group.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, TypeVar

import click

from ..errors import EvidenceError, InputError
from ..workspace import Settings, load_settings

# Each command imports the library it calls inside its body: `evidence --help` and a light command
# should not pay for pandas, DuckDB or statsmodels (every command is a fresh process).

T = TypeVar("T")


def _run(fn: Callable[[], T]) -> T:
    """Library exceptions -> messages and exit codes, in one place."""
    try:
        return fn()
    except InputError as exc:
        for p in exc.problems:
            click.echo(f"{p.severity}: {p}", err=True)
        errors = sum(1 for p in exc.problems if p.severity == "error")
        click.echo(f"{errors} error(s); nothing was written.", err=True)
        sys.exit(exc.exit_code)
    except EvidenceError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


def _settings(ctx: click.Context) -> Settings:
    return _run(lambda: load_settings(ctx.obj))


@click.group("article")
def article_group() -> None:
    """Add an article to the workspace."""


@article_group.command("add")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", help="File name of the article (default: from its title).")
@click.option("--title", help="Title (default: the draft's first heading or HTML title).")
@click.option("--url", help="Where the article is published.")
@click.option("--outlet", help="Publication (default: the HTML page's site name, if any).")
@click.option("--published", help="Publication date: 2024 or 2024-05-01.")
@click.option("--dry-run", is_flag=True, help="Print what would be registered; write nothing.")
@click.pass_context
def article_add(ctx: click.Context, path: Path, slug: str | None, title: str | None, url: str | None,
                outlet: str | None, published: str | None, dry_run: bool) -> None:
    """Make PATH (Markdown, plain text or saved HTML) an article, with a statement for every checkable sentence."""
    from ..workflow.article_add import add_article

    settings = _settings(ctx)
    added = _run(lambda: add_article(settings, path, slug, title, url, outlet, published, dry_run))
    for s in added.statements:
        asserts = f" [{s.asserts}]" if s.asserts else ""
        click.echo(f"{s.statement_id} {s.kind}{asserts} line {s.line}: {s.quote}")
        for detail in s.details:
            click.echo(f"    {detail}")
    counts = ", ".join(f"{n} {k}" for k, n in sorted(added.counts().items()))
    verb = "would register" if dry_run else "registered"
    click.echo(f"{verb} {len(added.statements)} statement(s) ({counts or 'none'}) from {added.sentences} "
               f"sentence(s); {added.references} printed reference(s)", err=True)
    if dry_run:
        click.echo("dry run: nothing was written", err=True)
    else:
        files = ", ".join(settings.rel(p) for p in (added.article_path, added.statements_path, added.links_path))
        click.echo(f"wrote {files}; next: evidence todo {added.slug}", err=True)


@click.command("todo")
@click.argument("article", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.pass_context
def todo_cmd(ctx: click.Context, article: str | None, fmt: str) -> None:
    """What is left to do on ARTICLE (default: the whole workspace), most urgent first. Exit 1 while anything blocks."""
    from .. import pipeline
    from ..workflow.todo import blocking, todo_items
    from ..workflow.todo_report import as_json, as_markdown, as_text

    settings = _settings(ctx)
    checked = _run(lambda: pipeline.check(settings, article))
    items = todo_items(checked, article)
    if fmt == "json":
        click.echo(as_json(items, [r.article.slug for r in checked.reports]))
    elif fmt == "markdown":
        click.echo(as_markdown(items))
    else:
        click.echo(as_text(items))
    sys.exit(1 if blocking(items) else 0)


@click.command("accept")
@click.argument("article")
@click.argument("statements", nargs=-1, required=True)
@click.pass_context
def accept_cmd(ctx: click.Context, article: str, statements: tuple[str, ...]) -> None:
    """Take the article's new wording for STATEMENTS of ARTICLE after reviewing them (old text is logged)."""
    from ..workflow.accept import accept

    settings = _settings(ctx)
    results = _run(lambda: accept(settings, article, list(statements)))
    for r in results:
        if not r.changed:
            click.echo(f"{r.statement_id}: already matches the article; nothing to do")
            continue
        click.echo(f"{r.statement_id}: was: {r.old_quote}")
        click.echo(f"{' ' * len(r.statement_id)}  now: {r.new_quote}")
        if r.new_prefix != r.old_prefix:
            click.echo(f"{' ' * len(r.statement_id)}  prefix: {r.new_prefix!r} (was {r.old_prefix!r})")
    if any(r.changed for r in results):
        folder = settings.articles_dir
        click.echo(f"updated {settings.rel(folder / f'{article}.statements.csv')}; old and new text logged in "
                   f"{settings.rel(folder / f'{article}.accepted.csv')}", err=True)


def register(main: click.Group) -> None:
    """Add the workflow commands to the ``evidence`` group."""
    for command in (article_group, todo_cmd, accept_cmd):
        main.add_command(command)
