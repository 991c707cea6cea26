"""Render stage, reports for writers: one article's check as Word (.docx), Markdown or HTML.

Writers work in Word and Google Docs, not in a terminal or on the evidence site, so the
report is the article's own text with each checked statement marked, and beside it what an
editor would write in the margin: the verdict, the strength of the evidence, the reasons,
what the sentence says about its source, and the evidence with its citation and links.
The report is built from the site's linked page context (one bulk read of the database), so
the three formats and the site always say the same thing.
"""

from __future__ import annotations

import hashlib
import re
from importlib.metadata import version
from pathlib import Path
from typing import Iterable, Mapping

from jinja2 import Environment

from ..errors import InputError, Problem, QueryError
from ..load.database import fetch_records, read_only
from .citations import CitationFormatter, Formatted, csl_item
from .context import ArticlePage, Row, build_site, load_site_data
from .jsonld import identifier_links
from .labels import VERDICT_LABEL, safe_name
from ..workspace import Settings
from .formats import FORMATS  # re-exported; the CLI lists them without this module
from .report_model import AUTHOR, CheckedStatement, Paragraph, Segment, Source, WriterReport

__all__ = ["AUTHOR", "FORMATS", "CheckedStatement", "DocxCache", "Paragraph", "Segment", "Source", "WriterReport",
           "load_report", "render_report", "report_of", "writer_reports"]

def _source(e: Row, bib_by_key: Mapping[str, Row], formatted: Mapping[str, Formatted]) -> Source:
    c = e["claim"]
    key = str(c["citekey"])
    bib = bib_by_key.get(key, {})
    links = [(f"{kind} {value}", url) for kind, value, url in identifier_links(bib)]
    if c.get("source_url"):
        links.append(("page read", str(c["source_url"])))
    elif bib.get("url") and not links:
        links.append(("link", str(bib["url"])))
    citation = formatted[key].text["ama"] if key in formatted else str(bib.get("title") or key)
    return Source(str(e["relation"]), str(e["relation_label"]), str(c["claim_id"]), str(c["design_label"]),
                  str(c["summary"] or ""), str(c["number_text"] or ""), str(c["quote"] or ""), str(c["locator"] or ""),
                  str(e["note"] or ""), citation, tuple(links))


def _statement(s: Row, attribution: list[str], bib_by_key: Mapping[str, Row],
               formatted: Mapping[str, Formatted]) -> CheckedStatement:
    override = str(s.get("override_reason") or "")
    computed = str(s.get("computed_label") or "") if override else ""
    return CheckedStatement(
        str(s["statement_id"]), str(s["quote"]), str(s["verdict"]), str(s["verdict_label"]), str(s["strength"] or ""),
        computed, override, tuple(str(r) for r in s["shown_reasons"]), tuple(attribution),
        tuple(_source(e, bib_by_key, formatted) for e in s["evidence"]), str(s.get("note") or ""),
        str(s.get("current_text") or "") if s.get("anchor") == "changed" else "", str(s.get("original_url") or ""))


def report_of(page: ArticlePage, bibliography: Iterable[Row], formatted: Mapping[str, Formatted],
              attributions: Iterable[Row]) -> WriterReport:
    """A writer's report from the article's page context and its attribution checks."""
    a = page.article
    bib_by_key = {str(b["citekey"]): b for b in bibliography}
    said: dict[str, list[str]] = {}
    order = {"disagrees": 0, "unknown": 1, "agrees": 2}  # as `evidence check` prints them
    mine = [r for r in attributions if r["slug"] == a["slug"]]
    for row in sorted(mine, key=lambda r: order.get(str(r["status"]), 3)):
        text = "attribution: " + str(row["message"]).split(": ", 1)[-1]
        said.setdefault(str(row["statement_id"]), []).append(text)
    statements = tuple(_statement(s, said.get(str(s["statement_id"]), []), bib_by_key, formatted)
                       for s in page.statements)
    paragraphs, placed = [], set()
    for b in page.blocks:
        segments = []
        for seg in b.segments:
            sid = str(seg.statement["statement_id"]) if seg.statement else None
            segments.append(Segment(seg.text, sid))
            placed.add(sid)
        paragraphs.append(Paragraph(b.kind, tuple(segments)))
    spans = {str(s["statement_id"]): (s.get("start_offset"), s.get("end_offset")) for s in page.statements}
    unplaced = tuple(s.statement_id for s in statements if s.statement_id not in placed)
    hosts = []
    for sid in unplaced:
        start = spans[sid][0]
        host = next((h for h in placed if h and start is not None and spans[h][0] is not None
                     and spans[h][0] <= start < spans[h][1]), None)
        if host:
            hosts.append((sid, host))
    counts = tuple((k, VERDICT_LABEL[k], int(a["counts"][k])) for k in VERDICT_LABEL)
    refs = tuple((int(r["number"]), str(r["printed"]), tuple(d["message"] for d in r["defect_items"]))
                 for r in page.references)
    return WriterReport(str(a["slug"]), str(a["title"]), str(a.get("outlet") or ""), str(a.get("url") or ""),
                        str(a.get("published") or ""), counts, tuple(paragraphs), statements, unplaced,
                        tuple(sorted(hosts)), refs)


def attribution_rows(db_path: Path) -> list[Row]:
    """The attribution checks stored by the build (none in a database built before they existed)."""
    with read_only(db_path) as con:
        try:
            return fetch_records(con, "SELECT * FROM attributions ORDER BY slug, statement_id, field, citekey")
        except QueryError:
            return []


def writer_reports(pages: Iterable[ArticlePage], bibliography: list[Row], formatted: Mapping[str, Formatted],
                   attributions: list[Row]) -> list[WriterReport]:
    return [report_of(p, bibliography, formatted, attributions) for p in pages]


def load_report(settings: Settings, slug: str) -> WriterReport:
    """One article's report, from the built database."""
    from .site import cache_dir  # the site module imports this one to write reports beside the pages

    data = load_site_data(settings.db_path)
    formatted = CitationFormatter(cache_dir(settings) / "citations.json").format(csl_item(b) for b in data.bibliography)
    site = build_site(data, formatted, settings.base_url, settings.site_title, {})
    page = next((p for p in site.articles if p.article["slug"] == slug), None)
    if page is None:
        known = ", ".join(str(p.article["slug"]) for p in site.articles) or "none"
        raise InputError([Problem("articles/", None, "unknown-article", f"no article with slug '{slug}'",
                                  f"known articles: {known}")])
    return report_of(page, data.bibliography, formatted, attribution_rows(settings.db_path))


# --- Markdown -------------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """Text that Markdown prints as written."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_link(label: str, url: str) -> str:
    return f"[{_md(label)}](<{url.replace('>', '%3E').replace(' ', '%20')}>)"


def render_markdown(report: WriterReport) -> str:
    """The article with each statement in bold and tagged [S01], then one section per statement."""
    out = [f"# Evidence check: {_md(report.title)}", ""]
    meta = ", ".join(x for x in (report.outlet, report.published) if x)
    if meta or report.url:
        out += [(_md(meta) + (" — " if meta and report.url else "") + (_md_link("original", report.url)
                                                                       if report.url else "")), ""]
    out += [f"**Summary:** {report.summary}.", "", "## The article", ""]
    heading = {"h2": "###", "h3": "####", "h4": "#####"}
    for p in report.paragraphs:
        text = "".join(f"**{_md(seg.text)}** \\[{seg.statement_id}\\]" if seg.statement_id else _md(seg.text)
                       for seg in p.segments)
        out += [f"{heading[p.kind]} {text}" if p.kind in heading else (f"- {text}" if p.kind == "li" else text), ""]
    out += ["## Statements", ""]
    for s in report.statements:
        out += [f"### {_md(s.heading)}", "", f"> {_md(s.quote)}", ""]
        if s.statement_id in report.unplaced:
            out += ["*Inside another statement's words, so not marked separately.*", ""]
        if s.changed_to:
            out += [f"The article's wording changed; it now reads: “{_md(s.changed_to)}”", ""]
        if s.override_reason:
            out += [f"Editor's verdict overrides the computed one ({_md(s.computed_label)}): "
                    f"{_md(s.override_reason)}", ""]
        lines = [f"- {_md(r)}" for r in (*s.reasons, *s.attribution)]
        for e in s.evidence:
            links = " · ".join(_md_link(label, url) for label, url in e.links)
            number = f" **{_md(e.number)}**" if e.number else ""
            lines.append(f"- *{_md(e.relation_label)}* ({_md(e.design)}): {_md(e.summary)}{number} "
                         f"“{_md(e.quote)}” ({_md(e.locator)}). {_md(e.citation)}" + (f" {links}" if links else "")
                         + (f" — {_md(e.note)}" if e.note else ""))
        if s.note:
            lines.append(f"- Editor's note: {_md(s.note)}")
        if s.original_url:
            lines.append(f"- {_md_link('This sentence in the original article', s.original_url)}")
        out += [*lines, ""] if lines else []
    if report.references:
        out += ["## The article's references", ""]
        for number, printed, defects in report.references:
            out.append(f"{number}. {_md(printed)}" + (f" — *{_md('; '.join(defects))}*" if defects else ""))
        out.append("")
    return "\n".join(out)


def render_html(env: Environment, report: WriterReport) -> str:
    """A standalone HTML page (autoescaped template ``report.html``)."""
    return env.get_template("report.html").render(report=report)


def render_report(report: WriterReport, fmt: str, env: Environment | None = None) -> bytes:
    """The report in one of FORMATS, as the bytes to write."""
    if fmt == "docx":
        from .report_docx import render_docx

        return render_docx(report)
    if fmt == "markdown":
        return render_markdown(report).encode("utf-8")
    if fmt == "html":
        if env is None:
            raise ValueError("the HTML report needs the template environment")
        return render_html(env, report).encode("utf-8")
    raise ValueError(f"unknown report format '{fmt}'; use one of: {', '.join(FORMATS)}")


class DocxCache:
    """Finished .docx files keyed by a hash of the report and of the code that writes them.

    python-docx costs some 5 ms per statement (every run is an XML element built in Python), so
    a site of 50 articles spent 15 s re-making identical files on each render. The key covers
    the report's every field, python-docx's version and report_docx.py's own source, so a
    change to any of them makes a new file; ``prune`` drops the files a full render did not use.
    """

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.used: set[str] = set()
        self._code = ""

    def _key(self, report: WriterReport) -> str:
        if not self._code:
            from . import report_docx

            self._code = hashlib.sha256(Path(report_docx.__file__).read_bytes()).hexdigest() + version("python-docx")
        return hashlib.sha256(f"{self._code}|{report!r}".encode("utf-8")).hexdigest()

    def get(self, report: WriterReport) -> bytes:
        if self.folder is None:
            return render_report(report, "docx")
        key = self._key(report)
        self.used.add(key)
        path = self.folder / f"{key}.docx"
        if path.is_file():
            return path.read_bytes()
        data = render_report(report, "docx")
        self._store(path, data)
        return data

    def start(self, reports: list[WriterReport], workers: int = 1) -> "PendingDocx":
        """Begin making the files of many reports; ``result()`` of what is returned waits and gives them in order.

        The files not in the cache are made in worker processes (spawned, like the page workers)
        while the caller goes on building pages, so a first render of hundreds of articles does
        not wait on python-docx in one process. ``workers`` < 2 or a single missing file: made here.
        """
        paths = {}
        if self.folder is not None:
            for rep in reports:
                key = self._key(rep)
                self.used.add(key)
                paths[rep.slug] = self.folder / f"{key}.docx"
        missing = [rep for rep in reports if self.folder is None or not paths[rep.slug].is_file()]
        return PendingDocx(self, reports, paths, missing if workers >= 2 and len(missing) >= 2 else [], workers)

    def _store(self, path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError:
            pass  # a read-only workspace only makes rendering slower

    def prune(self) -> None:
        if self.folder is not None and self.folder.is_dir():
            for path in self.folder.glob("*.docx"):
                if path.stem not in self.used:
                    path.unlink(missing_ok=True)


class PendingDocx:
    """Reports' .docx files being made in worker processes; ``cancel`` stops them (a failed render)."""

    def __init__(self, cache: DocxCache, reports: list[WriterReport], paths: dict[str, Path],
                 missing: list[WriterReport], workers: int):
        self.cache, self.reports, self.paths = cache, reports, paths
        self.pool = None
        self.futures = {}
        if missing:
            from .report_docx import render_docx  # a worker imports it, the report's classes and python-docx only

            from .workers import worker_pool

            self.pool = worker_pool(min(workers, len(missing)))
            self.futures = {rep.slug: self.pool.submit(render_docx, rep) for rep in missing}

    def result(self) -> list[bytes]:
        try:
            made = {slug: f.result() for slug, f in self.futures.items()}
        finally:
            self.cancel()
        for slug, data in made.items():
            if slug in self.paths:
                self.cache._store(self.paths[slug], data)
        return [made[rep.slug] if rep.slug in made else self.cache.get(rep) for rep in self.reports]

    def cancel(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def report_file_name(slug: str, fmt: str) -> str:
    return f"{safe_name(slug)}{FORMATS[fmt]}"
