"""The ``evidence serve`` command: preview the site on 127.0.0.1, rebuilding on change.

A thin layer over :mod:`evidence.workflow.serve`; ``register(main)`` adds the command to the
``evidence`` group (``cli.py`` calls it), so this module needs nothing from ``cli.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..errors import EvidenceError, InputError
from ..workspace import load_settings


def _fail(exc: EvidenceError) -> None:
    if isinstance(exc, InputError):
        for p in exc.problems:
            click.echo(f"{p.severity}: {p}", err=True)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


def register(main: click.Group) -> None:
    """Add ``serve`` to the ``evidence`` command group."""

    @main.command()
    @click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
                  help="Port on 127.0.0.1 (0 picks a free one).")
    @click.option("--interval", type=click.FloatRange(0.1, 60), default=1.0, show_default=True,
                  help="Seconds between checks for changed files.")
    @click.pass_context
    def serve(ctx: click.Context, port: int, interval: float) -> None:
        """Preview the site on 127.0.0.1 and rebuild it when a workspace file changes (Ctrl-C stops)."""
        from ..workflow.serve import HOST, Preview  # here: `evidence --help` need not load the pipeline

        workspace: Path | None = ctx.obj if isinstance(ctx.obj, Path) else None
        try:
            settings = load_settings(workspace)
            preview = Preview(settings, port=port, interval=interval,
                              log=lambda message: click.echo(message, err=True))
        except EvidenceError as exc:
            _fail(exc)
            return
        except OSError as exc:
            click.echo(f"error: cannot listen on {HOST}:{port}: {exc.strerror}; try --port 0", err=True)
            sys.exit(2)
        try:
            preview.start(ready=lambda url: click.echo(
                f"serving {settings.rel(settings.site_dir)}/ at {url} (rebuilds on change; Ctrl-C stops)", err=True))
        except EvidenceError as exc:
            preview.stop()
            _fail(exc)
            return
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped", err=True)
        finally:
            preview.stop()
