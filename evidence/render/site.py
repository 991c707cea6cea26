"""Render stage: the static site, from the database, through Jinja2 templates.

The orchestrator reads everything and links it (``site_context``) before it writes a page;
typed contexts compute URLs, labels and CSS classes so templates only print. Output is
deterministic (same input, same bytes) and incremental (a file is written only when its
bytes change, so an unchanged page keeps its mtime).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from operator import itemgetter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
from jinja2 import (ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, PrefixLoader, StrictUndefined,
                    select_autoescape)

from .citations import CitationFormatter, csl_item
from .csv_safety import to_csv
from .downloads import write_downloads
from .template_checks import check_templates, template_problem
from ..errors import EvidenceError, InputError, Problem
from .incremental import CODE_VERSION, Manifest, all_templates_digest, combined, manifest_for, value_digest
from .pages import Pages
from ..load.database import fetch_df, read_only, stored_digest
from ..outputs import SITE_MARKER, check_site_folder, clean_leftovers
from ..query.runner import Query, discover, shadowed
from .labels import VERDICT_LABEL, num, safe_name
from .context import CSV_COLUMNS, as_context, build_site, load_site_data, rows
from .report import DocxCache, attribution_rows, render_report, report_file_name, writer_reports
from ..workspace import Settings

__all__ = ["SiteResult", "Writer", "environment", "render_site", "safe_name", "site_digest"]

# Files this site writes, in the folders it writes them to: one of these that the new render did
# not write is a page of something that no longer exists, and is dropped; any other file in the
# site folder (an editor's CNAME, a logo, notes/*.csv) is carried over untouched.
OWNED_SUFFIXES = {".html", ".csv", ".json", ".css", ".svg", ".parquet", ".duckdb"}
REPORT_SUFFIXES = {".docx", ".md"}  # owned in reports/ only: an editor's notes.md at the top is theirs
SITE_FOLDERS = ("articles", "treatments", "conditions", "studies", "queries", "downloads", "static", "reports")
REPORT_FORMATS = ("docx", "markdown")  # each article's report for writers, in reports/ beside the pages


@dataclass
class SiteResult:
    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    removed: int = 0

    @property
    def pages(self) -> int:
        return len(self.written) + self.unchanged


def environment(settings: Settings, cache_dir: Path | None = None) -> Environment:
    """Workspace templates first, then the packaged ones; 'default:' reaches the originals.

    Compiled templates are cached in ``cache_dir`` (compiling them costs more than rendering
    a small site); Jinja checks each template's mtime, so an edited template is recompiled.
    """
    dirs = [str(d) for d in settings.template_dirs]
    loader = ChoiceLoader([FileSystemLoader(dirs),
                           PrefixLoader({"default": FileSystemLoader(dirs[-1:])}, delimiter=":")])
    bytecode = None
    if cache_dir is not None:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            bytecode = FileSystemBytecodeCache(str(cache_dir))
        except OSError:
            bytecode = None  # a read-only workspace only makes rendering slower
    env = Environment(loader=loader, autoescape=select_autoescape(["html", "xml"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      bytecode_cache=bytecode)
    env.filters["num"] = num
    return env


class Writer:
    """Write-if-changed into a staging folder that replaces the site in one rename when complete.

    An unchanged file is hard-linked from the current site (same bytes, same inode, same
    mtime), so it is not rewritten; a failed or interrupted render deletes the staging folder
    and leaves the previous site exactly as it was.
    """

    def __init__(self, root: Path):
        self.root = root.resolve()
        if (self.root / "evidence.toml").exists() or (self.root / ".git").exists():
            raise EvidenceError(f"{root} holds a workspace or repository; render the site into a folder of its own")
        self.stage = self.root.with_name(f".{self.root.name}.staging-{os.getpid()}")
        shutil.rmtree(self.stage, ignore_errors=True)
        self.stage.mkdir(parents=True)
        if (self.root / SITE_MARKER).is_file():  # linked, like an unchanged page: its mtime stays
            _link(self.root / SITE_MARKER, self.stage / SITE_MARKER)
        else:
            (self.stage / SITE_MARKER).write_text("Rendered by `evidence site`; the next render replaces this folder.\n",
                                                  encoding="utf-8")
        self.result = SiteResult()
        self.seen: set[str] = set()

    def _old(self, rel: str) -> Path:
        return self.root / rel

    def _new(self, rel: str) -> Path:
        path = self.stage / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write(self, rel: str, content: str | bytes) -> bool:
        """Stage ``content`` at ``rel``, linking the current file when it holds these bytes; True if new."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.seen.add(rel)
        old = self._old(rel)
        if old.is_file() and old.stat().st_size == len(data) and old.read_bytes() == data:
            _link(old, self._new(rel))
            self.result.unchanged += 1
            return False
        self._new(rel).write_bytes(data)
        self.result.written.append(self.root / rel)
        return True

    def copy(self, rel: str, source: Path) -> None:
        """Stage a (large) file without reading it into memory."""
        self.seen.add(rel)
        shutil.copyfile(source, self._new(rel))
        self.result.written.append(self.root / rel)

    def keep(self, rel: str) -> None:
        """Carry a file of the current site over unchanged."""
        self.seen.add(rel)
        _link(self._old(rel), self._new(rel))
        self.result.unchanged += 1

    def commit(self) -> None:
        """Carry over files the site does not own, count the pages that are gone, then swap folders."""
        if self.root.is_dir():
            for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
                rel = path.relative_to(self.root).as_posix()
                if rel in self.seen or rel == SITE_MARKER:
                    continue
                folder = rel.split("/")[0] if "/" in rel else ""
                if (path.suffix in OWNED_SUFFIXES and folder in ("", *SITE_FOLDERS)) or \
                        (folder == "reports" and path.suffix in REPORT_SUFFIXES):
                    self.result.removed += 1  # a page of something that no longer exists
                else:
                    _link(path, self._new(rel))  # an editor's own file (a logo, a CNAME): keep it
        old = self.root.with_name(f".{self.root.name}.old-{os.getpid()}")
        if self.root.exists():
            os.rename(self.root, old)
        try:
            os.rename(self.stage, self.root)
        except OSError:
            if old.exists() and not self.root.exists():
                os.rename(old, self.root)  # put the previous site back before reporting
            raise
        shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # no hard links on this file system: a copy keeps the bytes and the mtime
        shutil.copy2(src, dst)


def _cannot_write(output: Path, exc: OSError) -> InputError:
    return InputError([Problem(str(getattr(exc, "filename", None) or output), None, "cannot-write",
                               f"cannot write the site in {output}: {exc.strerror or exc}",
                               "make the folder writable or choose another output; the previous site is unchanged")])


def cache_dir(settings: Settings) -> Path:
    """Derived render caches (formatted citations, compiled templates), beside the resolve cache; safe to delete."""
    return settings.root / ".evidence-cache" / "site"


def _run_all(settings: Settings, queries: dict[str, Query]) -> dict[str, tuple[pd.DataFrame, str]]:
    """Every canned query on one sandboxed connection: (result, '') or (empty frame, why it failed).

    A workspace query that overrides a packaged one must give at least the packaged query's
    columns (pages read them by name); one that does not is an input problem, not a KeyError.
    """
    results: dict[str, tuple[pd.DataFrame, str]] = {}
    problems: list[Problem] = []
    with read_only(settings.db_path, settings.limits) as con:
        for name, query in queries.items():
            try:
                results[name] = (fetch_df(con, query.sql, query.bind({})), "")
            except Exception as exc:  # a broken query must not stop the site; its page says why
                results[name] = (pd.DataFrame(), str(exc))
        for name, original in shadowed(settings.query_dirs).items():
            try:
                wanted = list(fetch_df(con, original.sql, original.bind({}), max_rows=0).columns)
            except Exception:  # noqa: BLE001 - the packaged query itself failing is not the workspace's fault
                continue
            got = list(results[name][0].columns)
            missing = [c for c in wanted if c not in got]
            if missing and not results[name][1]:
                problems.append(Problem(settings.rel(queries[name].path), 1, "query-columns",
                                        f"query '{name}' overrides the packaged one but lacks its columns "
                                        f"{', '.join(missing)}", f"return at least: {', '.join(wanted)}"))
    if problems:
        raise InputError(problems)
    return results


def render_site(settings: Settings, output: Path, progress: Callable[[str], None] | None = None,
                explicit: bool = False) -> SiteResult:
    """Render into a staging folder and swap it in only when every file is written.

    Incremental (``incremental.py``): a site whose inputs are all unchanged is left as it is;
    otherwise only the pages whose own inputs changed are rendered again.

    Refused before anything is written: a site folder that is or holds an input, or holds
    files no render made; workspace templates that are unreadable or do not compile. A
    template that fails while rendering, or a folder that cannot be written, is reported with
    its file (and line) and the previous site stays as it was.
    """
    check_site_folder(settings, output, explicit)
    clean_leftovers(settings.db_path, output)
    check_templates(settings)
    manifest = manifest_for(cache_dir(settings), output)
    inputs = site_inputs_digest(settings)
    if inputs and manifest.intact(inputs) and _owned_files(output) <= manifest.old.keys():
        if progress:
            progress("site unchanged")
        return SiteResult(unchanged=len(manifest.old))
    try:
        writer = Writer(output)
    except OSError as exc:
        raise _cannot_write(output, exc) from None
    try:
        _render(settings, writer, progress, manifest)
    except BaseException as exc:
        writer.abort()
        problem = template_problem(settings, exc)
        if problem:
            raise InputError([problem]) from None
        if isinstance(exc, OSError):
            raise _cannot_write(output, exc) from None
        raise
    try:
        writer.commit()
    except OSError as exc:
        writer.abort()
        raise _cannot_write(output, exc) from None
    for rel in sorted(writer.seen - manifest.new.keys()):  # downloads, query results: made every render, listed
        manifest.record(rel, "", (writer.root / rel).stat().st_size)
    manifest.save(inputs)
    if progress:
        progress("site written")
    return writer.result


def _owned_files(root: Path) -> set[str]:
    """Files in the site folder that a render owns (a stray one means the site is not as rendered)."""
    found = set()
    for folder, _, names in os.walk(root):
        rel_dir = Path(folder).relative_to(root).as_posix()
        top = rel_dir.split("/")[0] if rel_dir != "." else ""
        if top in ("", *SITE_FOLDERS):
            found.update(n if rel_dir == "." else f"{rel_dir}/{n}" for n in names
                         if Path(n).suffix in OWNED_SUFFIXES or (top == "reports" and Path(n).suffix in REPORT_SUFFIXES))
    return found


def site_inputs_digest(settings: Settings) -> str:
    """Everything a render reads: database content, templates, queries, settings, render code ('' if unknown)."""
    database = stored_digest(settings.db_path)
    if database is None:
        return ""
    queries = "".join(f"{q.name}\n{q.sql}\n" for q in discover(settings.query_dirs).values())
    return combined(CODE_VERSION, database, all_templates_digest(settings.template_dirs),
                    hashlib.sha256(queries.encode()).hexdigest(), repr(settings))


def _render(settings: Settings, writer: Writer, progress: Callable[[str], None] | None,
            manifest: Manifest | None = None) -> None:
    env = environment(settings, cache_dir(settings) / "templates")
    manifest = manifest or Manifest(Path(os.devnull), writer.root)
    base = settings.base_url
    queries = discover(settings.query_dirs)
    data = load_site_data(settings.db_path)
    results = _run_all(settings, queries)
    summary = {str(r["intervention"]): r for r in rows(results["intervention_evidence"][0])} \
        if "intervention_evidence" in results else {}
    formatted = CitationFormatter(cache_dir(settings) / "citations.json").format(csl_item(b) for b in data.bibliography)
    site = build_site(data, formatted, base, settings.site_title, summary)
    if progress:
        progress("site data loaded")

    labels = asdict(settings.labels)
    # the matrix crosses interventions with conditions: a workspace without a condition vocabulary has none
    matrix_nav = [("matrix.html", f"{labels['intervention']} × {labels['condition'].lower()}", "")] \
        if site.conditions else []
    nav = [("index.html", settings.site_title, "brand"), *matrix_nav,
           ("index.html#queries", "Queries", ""), ("downloads.html", "Downloads", "")]
    common = {"site_title": settings.site_title, "site_description": settings.site_description, "base": base,
              "verdict_labels": VERDICT_LABEL, "labels": labels}

    pages = Pages(writer, manifest, env, settings, cache_dir(settings) / "templates")

    def page(rel: str, template: str, **ctx: object) -> None:
        root = "../" * rel.count("/")
        links = [{"href": f"{root}{href}", "label": label, "cls": cls, "current": href == rel}
                 for href, label, cls in nav]
        pages.page(rel, template, {**common, "page_path": rel, "root": root, "nav": links, **ctx})

    def claims_csv(rel: str, claims: list[dict[str, object]]) -> None:
        pages.made(rel, value_digest(list(map(itemgetter(*CSV_COLUMNS), claims))), lambda: _claims_csv(claims))

    try:
        docx_cache = DocxCache(cache_dir(settings) / "reports")
        for rep in writer_reports(site.articles, data.bibliography, formatted, attribution_rows(settings.db_path)):
            writer.write(f"reports/{report_file_name(rep.slug, 'docx')}", docx_cache.get(rep))
            writer.write(f"reports/{report_file_name(rep.slug, 'markdown')}", render_report(rep, "markdown"))
        docx_cache.prune()
        _pages(settings, writer, progress, site, results, queries, pages, page, claims_csv)
    except BaseException:
        pages.abort()
        raise
    pages.close()


def _pages(settings: Settings, writer: Writer, progress: Callable[[str], None] | None, site, results, queries,
           pages: Pages, page: Callable[..., None], claims_csv: Callable[[str, list], None]) -> None:
    for ap in site.articles:
        reports = [{"label": {"docx": "Word", "markdown": "Markdown"}[fmt],
                    "href": f"reports/{report_file_name(str(ap.article['slug']), fmt)}"} for fmt in REPORT_FORMATS]
        page(str(ap.article["href"]), "article.html", reports=reports, **as_context(ap))
    if progress:
        progress("article pages")
    for tp in site.treatments:
        page(str(tp.treatment["href"]), "treatment.html", **as_context(tp))
        claims_csv(f"treatments/{tp.table.csv}", tp.all_claims)
    for sp in site.conditions:
        page(str(sp.condition["href"]), "condition.html", **as_context(sp))
        claims_csv(f"conditions/{sp.table.csv}", sp.all_claims)
    for st in site.studies:
        page(str(st.study["href"]), "study.html", **as_context(st))
    if progress:
        progress("intervention, condition and study pages")

    query_list = []
    for name, query in queries.items():
        df, error = results[name]
        rel = f"queries/{safe_name(name)}"
        writer.write(f"{rel}.csv", to_csv(df))
        writer.write(f"{rel}.json", json.dumps(rows(df), ensure_ascii=False, indent=1, default=str) + "\n")
        info = {"name": name, "title": query.title, "description": query.description, "sql": query.sql,
                "href": f"{rel}.html", "csv": f"{safe_name(name)}.csv", "json": f"{safe_name(name)}.json",
                "columns": list(df.columns), "rows": rows(df), "error": error}
        query_list.append(info)
        page(f"{rel}.html", "query.html", query=info)
    matrix = rows(results["intervention_condition_matrix"][0]) if "intervention_condition_matrix" in results else []
    treatment_label = {str(t.treatment["id"]): str(t.treatment["label"]) for t in site.treatments}
    condition_label = {str(s.condition["id"]): str(s.condition["label"]) for s in site.conditions}
    if site.conditions:
        page("matrix.html", "matrix.html", matrix=_matrix(matrix, treatment_label, condition_label))
    downloads = write_downloads(settings.db_path, writer)
    page("downloads.html", "downloads.html", downloads=downloads)
    page("index.html", "index.html", articles=[a.article for a in site.articles],
         treatments=[t.treatment for t in site.treatments], comparators=site.comparators,
         conditions=[s.condition for s in site.conditions],
         studies=[s.study for s in site.studies], queries=query_list)
    writer.write("static/style.css", pages.env.get_template("style.css").render())
    writer.write("claims.json", json.dumps(site.claims_json, ensure_ascii=False, indent=1, default=str) + "\n")


def _claims_csv(claims: list[dict[str, object]]) -> str:
    """Every finding of a page, in the order of its table (best evidence first)."""
    ranked = sorted(claims, key=lambda c: (c["evidence_level"] or 9, c["claim_id"]))
    return to_csv(pd.DataFrame(ranked, columns=CSV_COLUMNS))


def _matrix(matrix_rows: list[dict[str, object]], tlabel: dict[str, str], slabel: dict[str, str]):
    condition_ids = sorted({str(r["condition"]) for r in matrix_rows})
    treat_ids = sorted({str(r["intervention"]) for r in matrix_rows})
    cells = {(str(r["intervention"]), str(r["condition"])): r for r in matrix_rows}
    return {
        "columns": [{"id": s, "label": slabel.get(s, s.replace("_", " ").capitalize()),
                     "href": f"conditions/{safe_name(s)}.html" if s in slabel else ""} for s in condition_ids],
        "rows": [{"id": t, "label": tlabel.get(t, t), "href": f"treatments/{safe_name(t)}.html" if t in tlabel else "",
                  "cells": [cells.get((t, s)) for s in condition_ids]} for t in treat_ids],
    }


def site_digest(root: Path) -> str:
    """A hash of every file's path and bytes: equal digests mean byte-identical sites."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()
