"""Library errors become messages and exit codes here, once for the commands that print plain text.

An input error lists every problem, then says nothing was written; any other library error is one
line. The exit code is the error's own (2 for bad input).
"""

from __future__ import annotations

import sys
from typing import Callable, NoReturn, TypeVar

import click

from ..errors import EvidenceError, InputError

T = TypeVar("T")


def fail(exc: EvidenceError) -> NoReturn:
    """Print ``exc`` on stderr as plain text (titles may hold [brackets] that markup would eat) and exit."""
    if isinstance(exc, InputError):
        for p in exc.problems:
            click.echo(f"{p.severity}: {p}", err=True)
        click.echo("nothing was written.", err=True)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


def run(fn: Callable[[], T]) -> T:
    """Call ``fn``; a library error becomes a message and an exit code."""
    try:
        return fn()
    except EvidenceError as exc:
        fail(exc)
