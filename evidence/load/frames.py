"""Load stage, shaping: the workspace and check results as DataFrames matching schema.sql."""

from __future__ import annotations

from dataclasses import asdict
from typing import Sequence

import pandas as pd

from ..check.quote_checks import QuoteCheck, quote_checks_frame
from ..check.report import ArticleReport
from ..model import Workspace
from ..read.tables import split_list
from ..synthesis.body import Synthesis, comparison_rows, outcome_certainty
from ..validate.rules import EVIDENCE_LEVEL


def _vocab(df: pd.DataFrame) -> pd.DataFrame:
    out = df[["id", "label", "parent", "description"] + (["kind"] if "kind" in df else [])].copy()
    out["synonyms"] = df["synonyms"].map(split_list)
    return out.dropna(subset=["id"]).drop_duplicates("id")


def database_frames(ws: Workspace, reports: list[ArticleReport], metadata: pd.DataFrame,
                    synthesis: Synthesis | None = None, quotes: Sequence[QuoteCheck] = ()) -> dict[str, pd.DataFrame]:
    studies = ws.studies.dropna(subset=["citekey"]).drop_duplicates("citekey").copy()
    studies["evidence_level"] = studies["design"].map(EVIDENCE_LEVEL).astype("Int64")
    claims = ws.claims.dropna(subset=["claim_id"]).drop_duplicates("claim_id")
    articles = pd.DataFrame([{
        "slug": a.slug, "title": a.title, "outlet": a.outlet, "url": a.url, "published": a.published,
        "experts": list(a.experts), "body": a.body, "body_line": a.body_line, "text_hash": a.text_hash,
        "source_file": a.source_file} for a in ws.articles],
        columns=["slug", "title", "outlet", "url", "published", "experts", "body", "body_line", "text_hash",
                 "source_file"])
    statements = pd.DataFrame([{
        "slug": s.slug, "statement_id": s.statement_id, "number": s.number, "quote": s.quote, "kind": s.kind,
        "asserts": s.asserts, "outcome": s.outcome, "measure": s.measure, "cites": list(s.cites),
        "start_offset": s.start, "end_offset": s.end,
        "prefix": s.prefix, "suffix": s.suffix, "anchor": s.anchor, "current_text": s.current_text,
        "anchor_score": s.score, "note": s.note, "source_file": s.source_file, "source_line": s.source_line}
        for s in ws.statements],
        columns=["slug", "statement_id", "number", "quote", "kind", "asserts", "outcome", "measure", "cites",
                 "start_offset", "end_offset",
                 "prefix", "suffix", "anchor", "current_text", "anchor_score", "note", "source_file", "source_line"])
    for col in ("start_offset", "end_offset"):
        statements[col] = statements[col].astype("Int64")
    verdicts = pd.DataFrame([{**asdict(v), "reasons": list(v.reasons), "claims": list(v.claims),
                              "certainty_reasons": list(v.certainty_reasons)}
                             for r in reports for v in r.verdicts],
                            columns=["slug", "statement_id", "verdict", "computed_verdict", "strength", "reasons",
                                     "claims", "numeric_check", "override_reason", "blocking", "certainty",
                                     "certainty_reasons", "outcome"])
    refs = pd.DataFrame([{
        "slug": r.article.slug, "number": c.number, "printed": c.printed, "title": c.title, "year": c.year,
        "volume": c.volume, "issue": c.issue, "pages": c.pages, "matched_citekey": c.citekey,
        "match_method": c.match_method, "match_score": c.match_score, "defects": [d.code for d in c.defects],
        "defect_messages": [d.message for d in c.defects], "source_line": c.line}
        for r in reports for c in r.references],
        columns=["slug", "number", "printed", "title", "year", "volume", "issue", "pages", "matched_citekey",
                 "match_method", "match_score", "defects", "defect_messages", "source_line"])
    problems = pd.DataFrame([{"slug": r.article.slug, **p.as_dict()} for r in reports for p in r.problems],
                            columns=["slug", "file", "line", "code", "severity", "message", "hint", "field"])
    problems["line"] = problems["line"].astype("Int64")
    uncovered = pd.DataFrame([{"slug": u.slug, "start_offset": u.start, "end_offset": u.end, "line": u.line,
                               "sentence": u.sentence, "triggers": list(u.triggers)}
                              for r in reports for u in r.uncovered],
                             columns=["slug", "start_offset", "end_offset", "line", "sentence", "triggers"])
    attributions = pd.DataFrame([{"slug": a.slug, "statement_id": a.statement_id, "phrase": a.phrase, "field": a.field,
                                  "citekey": a.citekey, "article": a.article, "source": a.source, "status": a.status,
                                  "code": a.code, "message": a.message} for r in reports for a in r.attributions],
                                columns=["slug", "statement_id", "phrase", "field", "citekey", "article", "source",
                                         "status", "code", "message"])
    return {
        "bibliography": ws.bibliography,
        "interventions": _vocab(ws.interventions),
        "conditions": _vocab(ws.conditions),
        "studies": studies,
        "claims": claims,
        "articles": articles,
        "article_references": refs,
        "statements": statements,
        "links": ws.links.dropna(subset=["statement_id", "claim_id"]),
        "verdicts": verdicts,
        "problems": problems,
        "uncovered": uncovered,
        "attributions": attributions,
        "metadata": metadata,
        "pooled_estimates": comparison_rows(synthesis.comparisons if synthesis else ()),
        "outcome_certainty": outcome_certainty(ws, synthesis) if synthesis else outcome_certainty_empty(),
        "quote_checks": quote_checks_frame(quotes),
    }


def outcome_certainty_empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["treatment", "outcome", "certainty", "reasons", "studies", "participants", "claims",
                                 "comparators"])
