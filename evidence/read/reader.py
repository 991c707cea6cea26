"""Read a whole workspace: every file, every problem, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd

from ..errors import Problem
from ..files import file_problem
from ..model import Workspace
from ..workspace import Settings
from .articles import read_article
from .bibtex import read_bibtex
from .cache import ParseCache
from .statements import read_links, read_statements
from ..old_names import OLD_COMPARATORS, OLD_FILES
from .tables import CLAIMS, INTERVENTIONS, LINKS, STUDIES, VOCABULARY, TableSchema, empty_table, read_table


def parse_cache(settings: Settings, deferred: bool = False) -> ParseCache:
    """Parsed input files by content hash, in the workspace's derived cache folder (``deferred``: written only
    when the caller calls ``flush``, after its run succeeded)."""
    return ParseCache(settings.root / ".evidence-cache" / "parsed", deferred)


def _table(settings: Settings, path: Path, schema: TableSchema, problems: list[Problem], required: bool = True,
           cache: ParseCache | None = None) -> pd.DataFrame:
    shown = settings.rel(path)
    if path.exists() or path.is_symlink():
        refused = file_problem(path, settings.root, shown)
        if refused:
            problems.append(refused)
            return empty_table(schema, shown)
    if not path.is_file():
        if required:
            problems.append(Problem(shown, None, "missing-file", f"{shown} does not exist",
                                    f"create it with the header: {','.join(schema.names)}"))
        return empty_table(schema, shown)
    df, found = read_table(path, schema, shown, cache)
    problems.extend(found)
    return df


def vocabulary_path(settings: Settings, name: str, problems: list[Problem] | None = None) -> Path:
    """The file a vocabulary is read from: ``references/<name>``, or the first format's name for it when
    only that one exists. Both at once would leave it unclear which one an editor is changing: a problem."""
    new, old = settings.references_dir / name, settings.references_dir / OLD_FILES[name]
    if not (old.exists() or old.is_symlink()):
        return new
    if new.exists() or new.is_symlink():
        if problems is not None:
            problems.append(Problem(settings.rel(old), 1, "old-and-new-file",
                                    f"both {settings.rel(new)} and its old name {settings.rel(old)} exist",
                                    f"keep one: merge the rows of {settings.rel(old)} into {settings.rel(new)} "
                                    f"and delete {settings.rel(old)}"))
        return new
    return old


def with_kinds(vocab: pd.DataFrame) -> pd.DataFrame:
    """Fill each intervention term's kind: an empty cell (or an old file without the column) is an
    intervention, except placebo, no treatment and baseline, which the first format meant as comparators."""
    vocab = vocab.copy()
    default = vocab["id"].map(lambda i: "comparator" if i in OLD_COMPARATORS else "intervention")
    vocab["kind"] = vocab["kind"].where(vocab["kind"].notna(), default) if len(vocab) else vocab["kind"]
    return vocab


def _usable(settings: Settings, paths: list[Path], problems: list[Problem]) -> list[Path]:
    """The paths that are regular files really inside the workspace; a problem for each other one.

    Checked before opening: a FIFO would block the run, a symlink could publish a file from
    outside the workspace.
    """
    usable = []
    for path in paths:
        refused = file_problem(path, settings.root, settings.rel(path))
        if refused:
            problems.append(refused)
        else:
            usable.append(path)
    return usable


def read_workspace(settings: Settings, progress: Callable[[str], None] | None = None,
                   cache: ParseCache | None = None) -> Workspace:
    """Read every input file; problems are collected, never raised. Each file is parsed once,
    or not at all when ``cache`` holds its parse for the same bytes."""
    problems: list[Problem] = []
    cache = cache if cache is not None else parse_cache(settings)
    refs = settings.references_dir
    bib_paths = _usable(settings, sorted(refs.glob("*.bib")), problems)
    if not bib_paths:
        problems.append(Problem(settings.rel(refs), None, "missing-file", "no .bib file in references/",
                                "add references/library.bib"))
    bibliography, found = read_bibtex(bib_paths, {p: settings.rel(p) for p in bib_paths}, cache)
    problems.extend(found)
    if progress:
        progress("read bibliography")
    studies = _table(settings, refs / "studies.csv", STUDIES, problems, cache=cache)
    claims = _table(settings, refs / "claims.csv", CLAIMS, problems, cache=cache)
    interventions = with_kinds(_table(settings, vocabulary_path(settings, "interventions.csv", problems),
                                      INTERVENTIONS, problems, cache=cache))
    conditions = _table(settings, vocabulary_path(settings, "conditions.csv", problems), VOCABULARY, problems,
                        required=False, cache=cache)
    if progress:
        progress("read tables")
    articles, statements, link_frames = [], [], []
    for path in _usable(settings, sorted(settings.articles_dir.glob("*.md")), problems):
        article, found = read_article(path, settings.rel(path))
        problems.extend(found)
        if article is None:
            continue
        articles.append(article)
        stem = path.name.removesuffix(".md")
        st_path = path.with_name(f"{stem}.statements.csv")
        if _usable(settings, [st_path] if st_path.exists() or st_path.is_symlink() else [], problems):
            sts, found = read_statements(st_path, settings.rel(st_path), article, cache)
            problems.extend(found)
            statements.extend(sts)
        ln_path = path.with_name(f"{stem}.links.csv")
        if _usable(settings, [ln_path] if ln_path.exists() or ln_path.is_symlink() else [], problems):
            links, found = read_links(ln_path, settings.rel(ln_path), article.slug, cache)
            problems.extend(found)
            link_frames.append(links)
    if progress:
        progress("read articles")
    links = (pd.concat(link_frames, ignore_index=True) if link_frames
             else empty_table(LINKS, "").assign(slug=pd.Series(dtype="object")))
    return Workspace(bibliography, studies, claims, interventions, conditions, tuple(articles), tuple(statements),
                     links, tuple(problems))
