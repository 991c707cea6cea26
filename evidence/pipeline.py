"""The library API: read, validate, check, load, render. The CLI only calls these.

``build`` reads and checks *everything* before it writes a byte (as Pelican links all
content before writing a page), so bad input never leaves a half-written database.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from .check.quote_checks import QuoteCheck, check_quotes
from .check.memo import CheckMemo
from .check.report import ArticleReport, check_workspace, notices_by_citekey
from .errors import ROOT_CAUSES, InputError, Problem, has_errors
from .model import Workspace
from .resolve.sourcetext import load_texts
from .resolve.store import metadata_frame
from .read.reader import parse_cache, read_workspace
from .synthesis.body import Synthesis, synthesise
from .validate.rules import validate
from .outputs import check_database_file, clean_leftovers
from .workspace import Settings, load_settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Checked:
    workspace: Workspace
    reports: tuple[ArticleReport, ...]
    warnings: tuple[Problem, ...]  # input problems that are not errors
    metadata: pd.DataFrame  # fetched metadata, from the resolver's cache only (never the network)
    synthesis: Synthesis | None = None  # pooled estimates and the certainty grader behind the verdicts
    quotes: tuple[QuoteCheck, ...] = ()  # each claim's quote against the cached source text (never the network)

    def counts(self) -> dict[str, int]:
        """What the build says it wrote (the CLI prints it)."""
        ws = self.workspace
        return {"references": len(ws.bibliography), "studies": len(ws.studies), "claims": len(ws.claims),
                "statements": len(ws.statements)}

    def article_counts(self) -> list[tuple[str, dict[str, int], int]]:
        """Per article: its slug, its verdict counts and its number of blocking problems."""
        return [(r.article.slug, r.counts(), sum(1 for p in r.problems if p.severity == "error")) for r in self.reports]


class Reused:
    """What a build of an unchanged workspace returns: the database was kept (see ``load/receipt.py``).

    Its warnings and counts come from the receipt of the build that wrote the database, so they
    are reported the same; anything else (the workspace, the reports, ...) is analysed again on
    first use, from the same inputs.
    """

    def __init__(self, settings: Settings, receipt: dict):
        self._settings = settings
        self._full: Checked | None = None
        self.warnings = tuple(Problem(**p) for p in receipt["warnings"])
        self._counts = dict(receipt["counts"])
        self._articles = [(slug, dict(counts), int(errors)) for slug, counts, errors in receipt["articles"]]

    def counts(self) -> dict[str, int]:
        return dict(self._counts)

    def article_counts(self) -> list[tuple[str, dict[str, int], int]]:
        return list(self._articles)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._full is None:
            self._full = analyse(self._settings)
        return getattr(self._full, name)


def analyse(settings: Settings, progress: Progress | None = None) -> Checked:
    """Read, validate and check the workspace; raise InputError listing every input error."""
    cache = parse_cache(settings, deferred=True)  # a failed run writes nothing into the workspace
    ws = read_workspace(settings, progress, cache)
    if any(p.code in ROOT_CAUSES for p in ws.problems):  # root causes first: no follow-on errors
        raise InputError(ws.problems)
    ws, problems = validate(ws)
    problems = list(ws.problems) + problems
    if has_errors(problems):
        raise InputError(problems)
    if progress:
        progress("validated")
    metadata = metadata_frame(settings, ws.bibliography)
    synthesis = synthesise(ws, settings.root / ".evidence-cache" / "synthesis")
    texts = load_texts(settings, ws.bibliography)  # empty when nothing was ever resolved: then no claim is checked, at no cost
    quotes = tuple(check_quotes(ws.claims, texts)) if texts else ()
    reports = check_workspace(ws, notices_by_citekey(metadata), synthesis.grade, {q.claim_id: q for q in quotes},
                              CheckMemo(check_cache_dir(settings)), synthesis.grade_inputs)
    if progress:
        progress("checked")
    cache.flush()
    return Checked(ws, tuple(reports), tuple(problems), metadata, synthesis, quotes)


def check_cache_dir(settings: Settings) -> Path:
    """Each statement's last check result, by a digest of its inputs (``check/memo.py``); safe to delete."""
    return settings.root / ".evidence-cache" / "check"


def build(settings: Settings, progress: Progress | None = None,
          before_rename: Callable[[Path], None] | None = None) -> Checked:
    """Build ``evidence.duckdb`` atomically; returns what was checked."""
    from .load.receipt import input_digest, unchanged_build, write_receipt

    clean_leftovers(settings.db_path, settings.site_dir)
    digest = input_digest(settings) if before_rename is None else None  # a test's hook wants a real write
    receipt = unchanged_build(settings, digest)
    if receipt is not None:
        try:
            reused = Reused(settings, receipt)
        except (KeyError, TypeError, ValueError):  # a receipt of another shape: build in full
            reused = None
        if reused is not None:
            check_database_file(settings)
            if progress:
                progress("unchanged: database kept")
            return reused  # type: ignore[return-value]
    checked = analyse(settings, progress)
    check_database_file(settings)
    write_database(settings, checked, before_rename)
    write_receipt(settings, digest, {"warnings": [p.as_dict() for p in checked.warnings], "counts": checked.counts(),
                                     "articles": checked.article_counts()})
    if progress:
        progress("database written")
    return checked


def write_database(settings: Settings, checked: Checked, before_rename: Callable[[Path], None] | None = None) -> None:
    """Write what ``analyse`` found into ``evidence.duckdb`` (atomically): the one place that does."""
    from .load.database import build_database  # here: `check` and `todo` never load DuckDB
    from .load.frames import database_frames
    frames = database_frames(checked.workspace, list(checked.reports), checked.metadata, checked.synthesis,
                             checked.quotes)
    build_database(settings.db_path, frames, before_rename=before_rename)


def check(settings: Settings, slug: str | None = None) -> Checked:
    """Check articles without writing anything (the database is not needed)."""
    checked = analyse(settings)
    if slug is None:
        return checked
    reports = tuple(r for r in checked.reports if r.article.slug == slug)
    if not reports:
        known = ", ".join(r.article.slug for r in checked.reports) or "none"
        raise InputError([Problem("articles/", None, "unknown-article", f"no article with slug '{slug}'",
                                  f"known articles: {known}")])
    return Checked(checked.workspace, reports, checked.warnings, checked.metadata, checked.synthesis, checked.quotes)


def quote_report(settings: Settings) -> tuple[QuoteCheck, ...]:
    """Every claim's quote against the cached source text (``no_text`` for all when none is cached)."""
    checked = analyse(settings)
    return checked.quotes or tuple(check_quotes(checked.workspace.claims, {}))


def render(settings: Settings, progress: Progress | None = None, output: Path | None = None):
    """Render the static site from the database."""
    from .render.site import render_site

    clean_leftovers(settings.db_path, output or settings.site_dir)
    return render_site(settings, output or settings.site_dir, progress, explicit=output is not None)


def publish(settings: Settings, progress: Progress | None = None):
    checked = build(settings, progress)
    result = render(settings, progress)
    return checked, result


def report(settings: Settings, slug: str, fmt: str, output: Path | None = None,
           progress: Progress | None = None) -> bytes:
    """Build, then one article's report for writers (docx, markdown or html); written to ``output`` if given."""
    from .render.report import load_report, render_report
    from .render.site import environment

    if output is not None and settings.is_input(output):
        raise InputError([Problem(str(output), None, "output-is-input",
                                  f"{settings.rel(output)} is a workspace input; a report never overwrites one",
                                  "write the report outside references/, articles/, queries/ and site_templates/")])
    checked = analyse(settings, progress)
    if slug not in {a.slug for a in checked.workspace.articles}:  # before the database is touched
        known = ", ".join(a.slug for a in checked.workspace.articles) or "none"
        raise InputError([Problem("articles/", None, "unknown-article", f"no article with slug '{slug}'",
                                  f"known articles: {known}")])
    write_database(settings, checked)
    data = render_report(load_report(settings, slug), fmt, environment(settings) if fmt == "html" else None)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(f".{output.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(output)  # a reader never sees half a file
    return data


STARTER = Path(__file__).parent / "starter"


def init(target: Path) -> Settings:
    """Create a new, minimal workspace that builds."""
    if (target / "evidence.toml").exists():
        raise InputError([Problem(str(target / "evidence.toml"), None, "workspace-exists",
                                  "a workspace already exists here", "choose an empty folder")])
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(STARTER, target, dirs_exist_ok=True)
    (target / "articles").mkdir(exist_ok=True)  # filled by `evidence article add`
    return load_settings(target)
