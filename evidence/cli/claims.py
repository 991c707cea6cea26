"""The ``claims`` command group: ``evidence claims suggest CITEKEY [--statement ARTICLE:S12] [--write]``.

Thin: :mod:`evidence.workflow.suggest` drafts and writes; this prints. Exit codes: 0 ok
(candidates listed, or written); 2 bad input (unknown citekey or statement, no cached
source text, a study without a studies.csv row), nothing written. ``register(main)`` adds
the group to the ``evidence`` command.
"""

from __future__ import annotations

import json

import click

from .failures import fail as _fail
from ..errors import EvidenceError
from ..workspace import load_settings


@click.group("claims")
def claims_group() -> None:
    """Draft claims from a study's cached abstract and open-access full text."""


@claims_group.command("suggest")
@click.argument("citekey")
@click.option("--statement", default=None, metavar="ARTICLE:S12",
              help="Also link the drafts to this statement (relation left empty for the editor).")
@click.option("--write", is_flag=True, help="Append the drafts to references/claims.csv as unverified claims.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def suggest_cmd(ctx: click.Context, citekey: str, statement: str | None, write: bool, fmt: str) -> None:
    """Draft one claim per finding sentence of CITEKEY's results and conclusions (run `evidence resolve` first)."""
    if statement and not write:
        raise click.UsageError("--statement only makes sense with --write")
    from ..workflow import suggest as drafting  # here: `evidence --help` need not load the drafting

    try:
        settings = load_settings(ctx.find_root().obj)
        found = drafting.suggest(settings, citekey)
        written = drafting.write(settings, found, statement) if write else None
    except EvidenceError as exc:
        _fail(exc)
        return
    if fmt == "json":
        click.echo(json.dumps({"candidates": [c.as_dict() for c in found],
                               "written": None if written is None else {
                                   "claims": list(written.claims), "duplicates": list(written.duplicates),
                                   "links": list(written.links), "files": list(written.files)}},
                              ensure_ascii=False, indent=2))
    else:
        for i, c in enumerate(found, start=1):
            click.echo(f"[{i}] {c.locator} ({c.source_label}): \"{c.quote}\"")
            n = c.numbers
            parts = [f"{k} {v}" for k, v in (("value", n.value), ("low", n.low), ("high", n.high), ("unit", n.unit),
                                              ("interval", n.interval), ("n", n.n), ("measure", n.measure)) if v]
            if parts:
                click.echo("    numbers: " + ", ".join(parts))
            if n.p_values:
                click.echo("    p-values (kept apart): " + "; ".join(n.p_values))
            click.echo(f"    guessed: treatment {c.treatment or '-'}, comparator {c.comparator or '-'}, "
                       f"condition {c.condition or '-'}, outcome {c.outcome}")
    summary = f"claims suggest {citekey}: {len(found)} candidate(s)"
    if written is not None:
        summary += (f"; {len(written.claims)} appended as unverified, {len(written.duplicates)} already in claims.csv"
                    + (f", {len(written.links)} link(s) to choose a relation for" if statement else "")
                    + (f" ({', '.join(written.files)})" if written.files else ""))
    click.echo(summary, err=True)


def register(main: click.Group) -> None:
    """Add the ``claims`` group to the ``evidence`` command."""
    main.add_command(claims_group)
