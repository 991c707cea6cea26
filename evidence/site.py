"""Render stage: the static site, from the database, through Jinja2 templates.

One bulk query per page kind; typed contexts compute URLs, labels and CSS classes so
templates only print. Output is deterministic and written only where it changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape

from .db import fetch_df, read_only
from .queries import discover, run_query
from .workspace import Settings

VERDICT_LABEL = {
    "supported": "Supported", "partly_supported": "Partly supported", "unsupported": "Unsupported",
    "contradicted": "Contradicted", "not_checkable": "Not checkable",
}
VERDICT_ICON = {"supported": "✓", "partly_supported": "◐", "unsupported": "?", "contradicted": "✗",
                "not_checkable": "–"}
SAFE = re.compile(r"[^a-z0-9_-]+")


def safe_name(value: str) -> str:
    """A file name derived from data: lower-case, no path separators, never empty."""
    cleaned = SAFE.sub("-", str(value).lower()).strip("-.")
    return cleaned[:80] or "item"


@dataclass
class SiteResult:
    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    removed: int = 0

    @property
    def pages(self) -> int:
        return len(self.written) + self.unchanged


def environment(settings: Settings) -> Environment:
    """Workspace templates first, then the packaged ones; 'default:' reaches the originals."""
    dirs = [str(d) for d in settings.template_dirs]
    loader = ChoiceLoader([FileSystemLoader(dirs),
                           PrefixLoader({"default": FileSystemLoader(dirs[-1:])})])
    env = Environment(loader=loader, autoescape=select_autoescape(["html", "xml"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["num"] = _num
    return env


def _num(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.3g}"
    return str(value)


def _rows(df: pd.DataFrame) -> list[dict[str, object]]:
    """DataFrame rows as dicts with None for missing values and plain lists for arrays."""
    out = []
    for rec in df.to_dict("records"):
        clean = {}
        for k, v in rec.items():
            if hasattr(v, "tolist") and not isinstance(v, str):
                v = v.tolist()
            elif v is pd.NA or (isinstance(v, float) and pd.isna(v)):
                v = None
            clean[k] = v
        out.append(clean)
    return out


class Writer:
    """Write-if-changed: an unchanged page keeps its bytes and its mtime."""

    def __init__(self, root: Path):
        self.root = root
        self.result = SiteResult()
        self.seen: set[Path] = set()

    def write(self, rel: str, content: str | bytes) -> None:
        path = self.root / rel
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.seen.add(path)
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            self.result.unchanged += 1
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        self.result.written.append(path)

    def prune(self) -> None:
        """Remove pages of things that no longer exist (only files this site could have written)."""
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and path not in self.seen and path.suffix in {".html", ".csv", ".json", ".css", ".svg"}:
                path.unlink()
                self.result.removed += 1


@dataclass(frozen=True)
class Segment:
    text: str
    statement: dict[str, object] | None


@dataclass(frozen=True)
class Block:
    kind: str  # h1 | h2 | h3 | p | li
    segments: tuple[Segment, ...]
    statements: tuple[dict[str, object], ...]


def article_blocks(body: str, statements: list[dict[str, object]]) -> list[Block]:
    """Split the body into headings, paragraphs and bullets, cutting each at statement spans."""
    spans = sorted((s for s in statements if s["start_offset"] is not None), key=lambda s: s["start_offset"])
    blocks: list[Block] = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", body):
        raw_start, raw = m.start(), m.group(0)
        lines = []
        pos = raw_start
        for line in raw.split("\n"):
            lines.append((pos, line))
            pos += len(line) + 1
        for start, line in lines:
            stripped = line.lstrip()
            lead = len(line) - len(stripped)
            kind, skip = "p", 0
            h = re.match(r"^(#{1,3})\s+", stripped)
            b = re.match(r"^(-|•)\s+", stripped)
            if h:
                kind, skip = f"h{len(h.group(1))}", h.end()
            elif b:
                kind, skip = "li", b.end()
            seg_start = start + lead + skip
            seg_end = start + len(line)
            if seg_start >= seg_end:
                continue
            if kind == "p" and blocks and blocks[-1].kind == "p" and lines[0][0] != start:
                pass
            segments, inside, cursor = [], [], seg_start
            for s in spans:
                a, z = max(int(s["start_offset"]), seg_start), min(int(s["end_offset"]), seg_end)
                if z <= a or a < cursor:
                    continue
                if a > cursor:
                    segments.append(Segment(body[cursor:a], None))
                segments.append(Segment(body[a:z], s))
                if int(s["start_offset"]) >= seg_start:
                    inside.append(s)
                cursor = z
            if cursor < seg_end:
                segments.append(Segment(body[cursor:seg_end], None))
            blocks.append(Block(kind, tuple(segments), tuple(inside)))
    return blocks


def render_site(settings: Settings, output: Path, progress: Callable[[str], None] | None = None) -> SiteResult:
    env = environment(settings)
    writer = Writer(output)
    base = settings.base_url
    queries = discover(settings.query_dirs)
    with read_only(settings.db_path) as con:
        q = lambda sql: _rows(fetch_df(con, sql))  # noqa: E731
        articles = q("SELECT * FROM articles ORDER BY slug")
        statements = q("""SELECT s.*, v.verdict, v.computed_verdict, v.strength, v.reasons, v.claims AS claim_ids,
                                 v.numeric_check, v.override_reason, v.blocking
                          FROM statements s LEFT JOIN verdicts v USING (slug, statement_id)
                          ORDER BY s.slug, s.number""")
        claims = q("""SELECT c.*, s.design, s.evidence_level, s.n AS study_n, b.title AS study_title,
                             b.first_author, b.year, b.journal
                      FROM claims c JOIN studies s USING (citekey) JOIN bibliography b USING (citekey)
                      ORDER BY c.claim_id""")
        links = q("SELECT * FROM links ORDER BY slug, statement_id, claim_id")
        studies = q("""SELECT s.*, b.* EXCLUDE (citekey, source_file, source_line)
                       FROM studies s JOIN bibliography b USING (citekey) ORDER BY s.citekey""")
        treatments = q("SELECT * FROM treatments ORDER BY id")
        scar_types = q("SELECT * FROM scar_types ORDER BY id")
        references = q("SELECT * FROM article_references ORDER BY slug, number")
        problems = q("SELECT * FROM problems ORDER BY slug, file, line, code")
        uncovered = q("SELECT * FROM uncovered ORDER BY slug, start_offset")
    if progress:
        progress("site data loaded")

    claim_by_id = {c["claim_id"]: c for c in claims}
    for r in references:
        r["study_href"] = f"studies/{safe_name(r['matched_citekey'])}.html" if r["matched_citekey"] else ""
    study_by_key = {s["citekey"]: s for s in studies}
    for s in studies:
        s["href"] = f"studies/{safe_name(s['citekey'])}.html"
    treatment_label = {t["id"]: t["label"] for t in treatments}
    scar_label = {t["id"]: t["label"] for t in scar_types}
    statements_for_claim: dict[str, list[dict[str, object]]] = {}
    links_for_statement: dict[tuple[str, str], list[dict[str, object]]] = {}
    for link in links:
        links_for_statement.setdefault((link["slug"], link["statement_id"]), []).append(link)
    for s in statements:
        s["verdict"] = s["verdict"] or "unsupported"
        s["verdict_label"] = VERDICT_LABEL[s["verdict"]]
        s["verdict_icon"] = VERDICT_ICON[s["verdict"]]
        s["anchor_id"] = f"s-{safe_name(s['statement_id'])}"
        s["panel_id"] = f"ev-{safe_name(s['statement_id'])}"
        s["href"] = f"articles/{safe_name(s['slug'])}.html#{s['anchor_id']}"
        s["evidence"] = []
        for link in links_for_statement.get((s["slug"], s["statement_id"]), []):
            c = claim_by_id.get(link["claim_id"])
            if c is None:
                continue
            s["evidence"].append({"relation": link["relation"], "note": link["note"], "claim": c})
            statements_for_claim.setdefault(c["claim_id"], []).append({**s, "relation": link["relation"]})
    for c in claims:
        c["treatment_label"] = treatment_label.get(c["treatment"] or "", "")
        c["scar_label"] = scar_label.get(c["scar_type"] or "", "")
        c["study_href"] = f"studies/{safe_name(c['citekey'])}.html"
        c["anchor_id"] = f"c-{safe_name(c['claim_id'])}"
        c["statements"] = statements_for_claim.get(c["claim_id"], [])
        c["number_text"] = _claim_number(c)
    common = {"site_title": settings.site_title, "base": base, "verdict_labels": VERDICT_LABEL}

    def page(rel: str, template: str, **ctx: object) -> None:
        depth = rel.count("/")
        writer.write(rel, env.get_template(template).render(**common, page_path=rel, root="../" * depth, **ctx))

    # articles
    article_list = []
    statements_by_article = _group(statements, "slug")
    references_by_article = _group(references, "slug")
    problems_by_article = _group(problems, "slug")
    uncovered_by_article = _group(uncovered, "slug")
    for a in articles:
        sts = statements_by_article.get(a["slug"], [])
        counts = {k: sum(1 for s in sts if s["verdict"] == k) for k in VERDICT_LABEL}
        a["href"] = f"articles/{safe_name(a['slug'])}.html"
        a["counts"] = counts
        article_list.append(a)
        page(a["href"], "article.html", article=a,
             blocks=article_blocks(a["body"], sts), statements=sts,
             references=references_by_article.get(a["slug"], []),
             problems=problems_by_article.get(a["slug"], []),
             uncovered=uncovered_by_article.get(a["slug"], []),
             study_by_key=study_by_key)
    if progress:
        progress("article pages")
    # treatments
    claims_by_treatment = _group(claims, "treatment")
    summary = {r["treatment"]: r for r in _rows(run_query(settings.db_path, queries["treatment_evidence"]))} \
        if "treatment_evidence" in queries else {}
    for t in treatments:
        t["href"] = f"treatments/{safe_name(t['id'])}.html"
        t["claims"] = sorted(claims_by_treatment.get(t["id"], []), key=lambda c: (c["evidence_level"] or 9, c["claim_id"]))
        t["summary"] = summary.get(t["id"])
        t["parent_label"] = treatment_label.get(t["parent"] or "", "")
        t["parent_href"] = f"treatments/{safe_name(t['parent'])}.html" if t["parent"] else ""
    for t in treatments:
        page(t["href"], "treatment.html", treatment=t)
    # scar types
    claims_by_scar = _group(claims, "scar_type")
    for st in scar_types:
        st["href"] = f"scar-types/{safe_name(st['id'])}.html"
        st["claims"] = claims_by_scar.get(st["id"], [])
        page(st["href"], "scar_type.html", scar_type=st)
    # studies
    claims_by_study = _group(claims, "citekey")
    for s in studies:
        s["claims"] = claims_by_study.get(s["citekey"], [])
        page(s["href"], "study.html", study=s)
    if progress:
        progress("treatment and study pages")
    # queries
    query_list = []
    for name, query in queries.items():
        try:
            df = run_query(settings.db_path, query)
        except Exception as exc:  # a broken query must not stop the site; its page says why
            df, error = pd.DataFrame(), str(exc)
        else:
            error = ""
        rel = f"queries/{safe_name(name)}"
        writer.write(f"{rel}.csv", df.to_csv(index=False, lineterminator="\n"))
        writer.write(f"{rel}.json", json.dumps(_rows(df), ensure_ascii=False, indent=1, default=str) + "\n")
        info = {"name": name, "title": query.title, "description": query.description, "sql": query.sql,
                "href": f"{rel}.html", "csv": f"{safe_name(name)}.csv", "json": f"{safe_name(name)}.json",
                "columns": list(df.columns), "rows": _rows(df), "error": error}
        query_list.append(info)
        page(f"{rel}.html", "query.html", query=info)
    matrix = _rows(run_query(settings.db_path, queries["treatment_scar_matrix"])) if "treatment_scar_matrix" in queries else []
    page("matrix.html", "matrix.html", matrix=_matrix(matrix, treatment_label, scar_label, base))
    page("index.html", "index.html", articles=article_list,
         treatments=treatments, scar_types=scar_types,
         studies=studies, queries=query_list)
    writer.write("static/style.css", env.get_template("style.css").render())
    writer.write("claims.json", json.dumps([{
        "article": s["slug"], "id": s["statement_id"], "quote": s["quote"], "verdict": s["verdict"],
        "strength": s["strength"], "reasons": s["reasons"], "claims": s["claim_ids"], "url": f"{base}{s['href']}"}
        for s in statements], ensure_ascii=False, indent=1, default=str) + "\n")
    writer.prune()
    if progress:
        progress("site written")
    return writer.result


def _group(rows: list[dict[str, object]], key: str) -> dict[object, list[dict[str, object]]]:
    """Rows by one column, keeping their (already deterministic) order."""
    groups: dict[object, list[dict[str, object]]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


def _claim_number(c: dict[str, object]) -> str:
    if not c.get("unit"):
        return ""
    value, low, high = c.get("value"), c.get("low"), c.get("high")
    parts = []
    if value is not None:
        parts.append(_num(value))
    if low is not None or high is not None:
        rng = f"{_num(low)}–{_num(high)}"
        parts.append(f"({'95% CI ' if c.get('interval') == 'ci95' else ''}{rng})" if value is not None else rng)
    unit = {"percent": "%"}.get(str(c["unit"]), f" {c['unit']}")
    return " ".join(parts) + unit if parts else ""


def _matrix(rows: list[dict[str, object]], tlabel: dict[str, str], slabel: dict[str, str], base: str):
    scar_ids = sorted({r["scar_type"] for r in rows})
    treat_ids = sorted({r["treatment"] for r in rows})
    cells = {(r["treatment"], r["scar_type"]): r for r in rows}
    return {
        "columns": [{"id": s, "label": slabel.get(s, s)} for s in scar_ids],
        "rows": [{"id": t, "label": tlabel.get(t, t), "href": f"treatments/{safe_name(t)}.html",
                  "cells": [cells.get((t, s)) for s in scar_ids]} for t in treat_ids],
    }


def site_digest(root: Path) -> str:
    """A hash of every file's path and bytes: equal digests mean byte-identical sites."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()
