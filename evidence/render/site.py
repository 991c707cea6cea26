"""Render stage: the static site, from the database, through Jinja2 templates.

The orchestrator first decides, from per-page input digests computed in DuckDB
(``dependencies.py``, ``plan.py``), which files must be made; it then reads and links the rows
of just those pages, a batch at a time (``site_data.py``), into typed contexts that compute URLs,
labels and CSS classes so templates only print. Output is deterministic (same input, same bytes)
and incremental (a file is written only when its bytes change, so an unchanged page keeps its mtime).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import Callable

import pandas as pd
from jinja2 import (ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, PrefixLoader, StrictUndefined,
                    select_autoescape)

from .citations import CitationFormatter, csl_item
from .csv_safety import to_csv
from .dependencies import page_inputs
from .downloads import write_downloads
from .template_checks import check_templates, template_problem
from ..errors import InputError, Problem
from .incremental import CODE_VERSION, Manifest, Stamp, all_templates_digest, combined, manifest_for
from .overview import load_overview
from .pages import Pages
from .parallel import cores
from .plan import Plan, make_plan
from ..load.database import fetch_df, read_only, stored_digest
from ..outputs import check_site_folder, clean_leftovers
from ..query.runner import Query, discover, shadowed
from .labels import VERDICT_LABEL, num, safe_name
from .context import CSV_COLUMNS, TABLE_LIMIT, as_context, build_site
from .site_data import claims_csv_rows, load_bibliography, load_site_data, rows
from .report import DocxCache, attribution_rows, render_report, report_file_name, writer_reports
from .writer import OWNED_SUFFIXES, REPORT_FORMATS, REPORT_SUFFIXES, SITE_FOLDERS, SiteResult, Writer
from ..workspace import Settings

__all__ = ["SiteResult", "Writer", "environment", "render_site", "safe_name", "site_digest"]

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
    stamp = Stamp.for_output(cache_dir(settings), output)
    inputs = site_inputs_digest(settings, stamp)
    if inputs and stamp.site == inputs and stamp.listing == _owned_listing(output):
        if progress:
            progress("site unchanged")
        return SiteResult(unchanged=stamp.files)
    manifest = manifest_for(cache_dir(settings), output)
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
    owned = {rel: entry[1] for rel, entry in manifest.new.items() if _owned(rel)}
    stamp.save(inputs, _listing(owned), len(manifest.new))
    if progress:
        progress("site written")
    return writer.result


def _owned(rel: str) -> bool:
    """A file a render owns (and replaces or removes): by its folder and suffix."""
    top = rel.split("/")[0] if "/" in rel else ""
    suffix = os.path.splitext(rel)[1]
    return top in ("", *SITE_FOLDERS) and (suffix in OWNED_SUFFIXES or (top == "reports" and suffix in REPORT_SUFFIXES))


def _listing(sizes: dict[str, int]) -> str:
    return hashlib.sha256("".join(f"{rel}\t{size}\n" for rel, size in sorted(sizes.items())).encode()).hexdigest()


def _owned_listing(root: Path) -> str:
    """A digest of the owned files in the site folder and their sizes (a stray, missing or resized
    file means the site is not as rendered)."""
    sizes: dict[str, int] = {}
    base = str(root)
    for folder, _, names in os.walk(base):
        rel_dir = os.path.relpath(folder, base).replace(os.sep, "/")
        for name in names:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if _owned(rel):
                try:
                    sizes[rel] = os.stat(os.path.join(folder, name)).st_size
                except OSError:
                    continue
    return _listing(sizes)


def site_inputs_digest(settings: Settings, stamp: Stamp | None = None) -> str:
    """Everything a render reads: database content, templates, queries, settings, render code ('' if unknown).

    The database's content digest is read from the file, or from the stamp of the last render when
    the file is the very one it rendered (same inode, size and modification time: a build replaces
    the file when its content changes and keeps it when it does not).
    """
    database = stamp.database(settings.db_path) if stamp is not None else stored_digest(settings.db_path)
    if database is None:
        return ""
    queries = "".join(f"{q.name}\n{q.sql}\n" for q in discover(settings.query_dirs).values())
    return combined(CODE_VERSION, database, all_templates_digest(settings.template_dirs),
                    hashlib.sha256(queries.encode()).hexdigest(), repr(settings))


class _Citations(CitationFormatter):
    """Formatted citations for part of the site: what the cache holds for other records is kept."""

    def _save(self, cache: dict[str, list[str]]) -> None:
        old = self._load()
        if any(k not in old for k in cache):
            super()._save({**old, **cache})


def _render(settings: Settings, writer: Writer, progress: Callable[[str], None] | None,
            manifest: Manifest | None = None) -> None:
    env = environment(settings, cache_dir(settings) / "templates")
    manifest = manifest or Manifest(Path(os.devnull), writer.root)
    base = settings.base_url
    queries = discover(settings.query_dirs)
    results = _run_all(settings, queries)
    summary = {str(r["intervention"]): r for r in rows(results["intervention_evidence"][0])} \
        if "intervention_evidence" in results else {}
    inputs = page_inputs(settings.db_path)
    labels = asdict(settings.labels)
    pages = Pages(writer, manifest, env, settings, cache_dir(settings) / "templates")
    shared = combined(inputs.site.get("shared", ""), repr(settings), version("citeproc-py"))  # citations' wording
    plan = make_plan(pages, inputs, shared, summary, base)
    index_inputs = combined(shared, inputs.site.get("index", ""),
                            repr([(q.name, q.title, q.description) for q in queries.values()]))
    index_digest = pages.plan("index.html", "index.html", index_inputs)
    overview = load_overview(settings.db_path, with_studies=index_digest is not None)
    if progress:
        progress("site data loaded")
    # the matrix crosses interventions with conditions: a workspace without a condition vocabulary has none
    matrix_nav = [("matrix.html", f"{labels['intervention']} × {labels['condition'].lower()}", "")] \
        if overview.conditions else []
    nav = [("index.html", settings.site_title, "brand"), *matrix_nav,
           ("index.html#queries", "Queries", ""), ("downloads.html", "Downloads", "")]
    common = {"site_title": settings.site_title, "site_description": settings.site_description, "base": base,
              "verdict_labels": VERDICT_LABEL, "labels": labels}

    def page(rel: str, template: str, digest: str | None = None, **ctx: object) -> None:
        root = "../" * rel.count("/")
        links = [{"href": f"{root}{href}", "label": label, "cls": cls, "current": href == rel}
                 for href, label, cls in nav]
        pages.page(rel, template, {**common, "page_path": rel, "root": root, "nav": links, **ctx}, digest)

    batches = plan.batches(inputs)
    everything = None
    if len(batches) > 1:  # many pages: every record formatted once (the cache keeps what the site uses)
        everything = CitationFormatter(cache_dir(settings) / "citations.json").format(
            csl_item(b) for b in load_bibliography(settings.db_path))
    docx_cache = DocxCache(cache_dir(settings) / "reports")
    try:
        for selection in batches:
            data = load_site_data(settings.db_path, selection, TABLE_LIMIT)
            formatted = everything if everything is not None else _formatted(settings, data)
            site = build_site(data, formatted, base, settings.site_title, summary)
            _pages(site, plan, pages, page, docx_cache, data, formatted, settings)
            del data, site
        if progress:
            progress("article, intervention, condition and study pages")
        _prune_reports(docx_cache, writer, plan.complete)
        _site_pages(settings, writer, site_results := results, queries, pages, page, overview, index_digest)
    except BaseException:
        pages.abort()
        raise
    del site_results
    pages.close()


def _prune_reports(docx_cache: DocxCache, writer: Writer, complete: bool) -> None:
    """Drop the cached Word reports no page of the site uses any more.

    A partial render makes only the reports of the articles that changed; the cached files of the
    others are still used when they hold the bytes of a report the site carries over.
    """
    folder = docx_cache.folder
    if not complete and folder is not None and folder.is_dir():
        reports = writer.stage / "reports"
        in_site = {p.read_bytes() for p in reports.glob("*.docx")} if reports.is_dir() else set()
        sizes = {len(b) for b in in_site}
        for path in folder.glob("*.docx"):
            if path.stem not in docx_cache.used and path.stat().st_size in sizes and path.read_bytes() in in_site:
                docx_cache.used.add(path.stem)
    docx_cache.prune()


def _formatted(settings: Settings, data) -> dict:
    """Citations of the records these pages format: their studies, and what their articles cite."""
    wanted = {str(s["citekey"]) for s in data.studies} | {str(r["matched_citekey"]) for r in data.references}
    if data.selection.articles:
        statements = {(s["slug"], s["statement_id"]) for s in data.statements if s["slug"] in data.selection.articles}
        claims = {lk["claim_id"] for lk in data.links if (lk["slug"], lk["statement_id"]) in statements}
        wanted |= {str(c["citekey"]) for c in data.claims if c["claim_id"] in claims}
    items = [csl_item(b) for b in data.bibliography if str(b["citekey"]) in wanted]
    return _Citations(cache_dir(settings) / "citations.json").format(items) if items else {}


def _pages(site, plan: Plan, pages: Pages, page: Callable[..., None], docx_cache: DocxCache, data, formatted,
           settings: Settings) -> None:
    """The planned files of one batch's pages."""
    reports = writer_reports(site.articles, data.bibliography, formatted, attribution_rows(settings.db_path)) \
        if site.articles else []
    want_docx = [rep for rep in reports
                 if plan.digest("article", rep.slug, f"reports/{report_file_name(rep.slug, 'docx')}")]
    docx = docx_cache.start(want_docx, cores())  # made in worker processes while the pages are built here
    try:
        for rep in reports:
            rel = f"reports/{report_file_name(rep.slug, 'markdown')}"
            if (digest := plan.digest("article", rep.slug, rel)) is not None:
                pages.made(rel, "", lambda rep=rep: render_report(rep, "markdown"), digest)
        for ap in site.articles:
            slug = str(ap.article["slug"])
            if (digest := plan.digest("article", slug, str(ap.article["href"]))) is not None:
                links = [{"label": {"docx": "Word", "markdown": "Markdown"}[fmt],
                          "href": f"reports/{report_file_name(slug, fmt)}"} for fmt in REPORT_FORMATS]
                page(str(ap.article["href"]), "article.html", digest, reports=links, **as_context(ap))
        # every finding is in the page's CSV; the page prints its table's best rows, so the full list stays
        # out of the context (pickled to hand it to a worker: a million claims made it gigabytes)
        for kind, items, row in (("treatment", site.treatments, "treatment"), ("condition", site.conditions, "condition")):
            for tp in items:
                key, href = str(getattr(tp, row)["id"]), str(getattr(tp, row)["href"])
                if (digest := plan.digest(kind, key, href)) is not None:
                    page(href, f"{kind}.html", digest, **_without(as_context(tp), "all_claims"))
                rel = f"{kind}s/{tp.table.csv}"
                if (digest := plan.digest(kind, key, rel)) is not None:
                    pages.made(rel, "", lambda kind=kind, key=key: _claims_csv(
                        claims_csv_rows(settings.db_path, kind, key, CSV_COLUMNS)), digest)
        for st in site.studies:
            key = str(st.study["citekey"])
            if (digest := plan.digest("study", key, str(st.study["href"]))) is not None:
                page(str(st.study["href"]), "study.html", digest, **as_context(st))
        for rep, data_docx in zip(want_docx, docx.result(), strict=True):
            rel = f"reports/{report_file_name(rep.slug, 'docx')}"
            pages.made(rel, "", lambda data_docx=data_docx: data_docx, plan.digest("article", rep.slug, rel))
        if plan.claims_json is not None and data.selection.all_statements:
            pages.made("claims.json", "", lambda: json.dumps(site.claims_json, ensure_ascii=False, indent=1,
                                                             default=str) + "\n", plan.claims_json)
    except BaseException:
        docx.cancel()
        raise


def _site_pages(settings: Settings, writer: Writer, results, queries, pages: Pages, page: Callable[..., None],
                overview, index_digest: str | None) -> None:
    """The pages of the whole site: queries, matrix, downloads, index, style sheet."""
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
    if overview.conditions:
        page("matrix.html", "matrix.html", matrix=_matrix(matrix, overview.treatment_label, overview.condition_label))
    downloads = write_downloads(settings.db_path, pages, stored_digest(settings.db_path) or "")
    page("downloads.html", "downloads.html", downloads=downloads)
    if index_digest is not None:
        page("index.html", "index.html", index_digest, articles=overview.articles, treatments=overview.treatments,
             comparators=overview.comparators, conditions=overview.conditions, studies=overview.studies,
             queries=query_list)
    writer.write("static/style.css", pages.env.get_template("style.css").render())


def _without(context: dict[str, object], name: str) -> dict[str, object]:
    return {k: v for k, v in context.items() if k != name}


def _claims_csv(claims: list[dict[str, object]]) -> str:
    """Every finding of a page, in the order of its table (best evidence first: ranked by the query)."""
    return to_csv(pd.DataFrame(claims, columns=CSV_COLUMNS))


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
