"""The ``evidence find`` command: a thin layer over :func:`evidence.workflow.find.find`.

Exit codes: 0 the search answered (even with no hits); 1 it could not be run (network down,
or offline with the search not in the cache); 2 bad input (unknown statement or design, a
number not in the list), nothing written. ``register(main)`` adds it to the ``evidence`` group.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from .failures import fail
from ..errors import EvidenceError
from ..workspace import load_settings

if TYPE_CHECKING:
    from ..workflow.find import FindReport


def _echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err)  # plain: titles carry [brackets] and markup-like text


def _text(report: FindReport) -> None:
    r = report.result
    if report.statement:
        s = report.statement
        _echo(f"statement {s.article}:{s.statement_id}: {s.quote}")
        _echo(f"built from the {' and '.join(s.sources)}: interventions {', '.join(s.treatments) or '-'}; "
              f"conditions {', '.join(s.conditions) or '-'}; outcome {s.outcome or '-'}")
    _echo(f"query: {r.term}")
    where = {"pubmed": "PubMed", "europepmc": "Europe PMC (PubMed failed)", "none": "no service"}[r.source]
    when = f" (cached {r.fetched_at[:10]}; --refresh to search again)" if r.cached and r.fetched_at else ""
    _echo(f"{where}: {r.count} match(es){when}; {len(report.found)} shown, best evidence first"
          + (f"; {report.hidden} of another design left out" if report.hidden else ""))
    for f in report.found:
        w = f.hit.work
        ids = " ".join(x for x in (f"pmid:{w.pmid}" if w.pmid else "", f"doi:{w.doi}" if w.doi else "") if x)
        design = f.design.design if f.design else "design not stated"
        _echo(f"{f.number:>3}. [{design}] {w.year or 'n.d.'} {w.title} {w.journal or ''}. {ids}")
        if f.in_library:
            _echo(f"     IN LIBRARY: {f.in_library}")
        for notice in f.notices:
            _echo(f"     NOTICE: {notice}")
    if r.missing:
        hidden = f" … and {len(r.missing) - 5} more" if len(r.missing) > 5 else ""
        _echo(f"not fetched: {len(r.missing)} record(s) ({', '.join(r.missing[:5])}{hidden})")


@click.command("find")
@click.argument("query", required=False, default="")
@click.option("--statement", help="Build the query from a statement: ARTICLE:S12.")
@click.option("--design", "designs", help="Only these designs, e.g. meta-analysis,systematic-review,rct.")
@click.option("--since", type=int, help="Published in this year or later.")
@click.option("--limit", type=int, default=10, show_default=True, help="Candidates shown.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--add", "add_numbers", help="Add these candidates (numbers shown), e.g. --add 1,3.")
@click.option("--offline", is_flag=True, help="Use only the cache; never touch the network.")
@click.option("--refresh", is_flag=True, help="Search again even when the search is cached.")
@click.pass_context
def find_cmd(ctx: click.Context, query: str, statement: str | None, designs: str | None, since: int | None,
             limit: int, fmt: str, add_numbers: str | None, offline: bool, refresh: bool) -> None:
    """Search PubMed (Europe PMC as fallback) for studies, best evidence first; --add writes the chosen ones.

    Each candidate shows its design (from PubMed publication types), whether the library
    already holds it, and any retraction or correction notice. --add writes the BibTeX entry
    and an unverified studies.csv row, never a duplicate."""
    if offline and refresh:
        raise click.UsageError("--offline and --refresh cannot be used together")
    from ..workflow.find import find, parse_designs, parse_numbers  # here: `evidence --help` need not load the resolver

    try:
        settings = load_settings(ctx.obj)
        report = find(settings, query, statement, parse_designs(designs), since, limit, parse_numbers(add_numbers),
                      offline=offline, refresh=refresh)
    except EvidenceError as exc:
        fail(exc)
    if fmt == "json":
        _echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        _text(report)
    for error in report.result.errors:
        _echo(f"failed: {error}", err=True)
    for a in report.added:
        _echo(f"added {a.citekey} to {a.file} (from {a.source})", err=True)
        if a.study:
            _echo(f"{a.studies_file}: {a.citekey} design={a.study.design}"
                  + (f", n={a.study.n}" if a.study.n else "") + " status=unverified", err=True)
        else:
            _echo(f"{a.studies_file}: no row for {a.citekey}: {a.no_study}", err=True)
    for number, why in report.refused:
        _echo(f"refused {number}: {why}", err=True)
    if report.result.source == "none":
        sys.exit(1)


def register(main: click.Group) -> None:
    """Add ``find`` to the ``evidence`` command group."""
    main.add_command(find_cmd)
