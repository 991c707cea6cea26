"""The ``evidence report`` command: one article's check as a Word, Markdown or HTML file for writers.

A thin layer over :func:`evidence.pipeline.report`. Exit codes: 0 written; 2 bad input, an
unknown article, or ``-o`` pointing at a workspace input (nothing written).
"""

from __future__ import annotations

from pathlib import Path

import click

from .failures import fail as _fail
from ..errors import EvidenceError
from ..render.formats import FORMATS
from ..workspace import load_settings

_BY_SUFFIX = {suffix: fmt for fmt, suffix in FORMATS.items()} | {".markdown": "markdown", ".htm": "html"}


def register(main: click.Group) -> None:
    """Add ``report`` to the ``evidence`` command group."""

    @main.command("report")
    @click.argument("article")
    @click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default=None,
                  help="docx, markdown or html (default: from the -o suffix, else markdown).")
    @click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="File to write (required for docx; markdown and html go to stdout without it).")
    @click.pass_context
    def report(ctx: click.Context, article: str, fmt: str | None, output: Path | None) -> None:
        """Write ARTICLE's check for writers: its text with the verdict, reasons and evidence of each statement.

        Builds the database first (like publish), so the report matches the workspace as it is now.
        """
        fmt = fmt or (_BY_SUFFIX.get(output.suffix.lower()) if output else None) or "markdown"
        if fmt == "docx" and output is None:
            raise click.UsageError("a .docx report needs -o FILE")
        from .. import pipeline  # here: `evidence --help` need not load the renderer

        try:
            settings = load_settings(ctx.obj)
            data = pipeline.report(settings, article, fmt, output)
        except EvidenceError as exc:
            _fail(exc)
            return
        if output is None:
            click.echo(data.decode("utf-8"), nl=False)
        else:
            click.echo(f"wrote {output} ({fmt}, {len(data):,} bytes)", err=True)
