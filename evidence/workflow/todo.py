"""Workflow: ``evidence todo`` — the editor's work list, most urgent first.

It decides nothing the check has not decided: the items are the check's own problems
(from :func:`evidence.pipeline.check`), sorted into the editor's order, each with the
command or edit that resolves it; the only additions are facts read straight off the
workspace tables (a statement whose supporting claims are all ``unverified``, a reference
with no DOI, PMID or PMCID, a study with no claims), which the check does not report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from ..errors import Problem
from ..model import Article, Statement
from ..pipeline import Checked

# The order of the work list; each category's label as printed.
CATEGORIES = {
    "blocking": "Blocking problems",
    "no-evidence": "Statements with no evidence",
    "unverified": "Statements resting only on unverified claims",
    "uncovered": "Checkable text no statement covers",
    "changed": "Changed wording waiting for review",
    "no-identifier": "References without an identifier",
    "no-claims": "Studies without claims",
    "warning": "Other warnings",
}
_BY_CODE = {"no-evidence": "no-evidence", "statement-changed": "changed", "uncovered-sentence": "uncovered"}


@dataclass(frozen=True)
class TodoItem:
    """One thing to do: what, where (file and line to edit; the article line for a statement), and how."""

    category: str
    blocking: bool
    message: str
    fix: str
    file: str
    line: int | None
    article: str | None = None
    statement: str | None = None
    article_line: int | None = None  # line of the statement in the article file

    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def todo_items(checked: Checked, slug: str | None = None) -> list[TodoItem]:
    """The work list for one article (``slug``) or the whole workspace, most urgent first."""
    ws = checked.workspace
    reports = [r for r in checked.reports if slug is None or r.article.slug == slug]
    by_row = {(s.source_file, s.source_line): s for s in ws.statements}
    articles = {r.article.slug: r.article for r in reports}
    items: list[TodoItem] = []
    for report in reports:
        for p in report.problems:
            items.append(_from_problem(p, by_row.get((p.file, p.line or 0)), report.article.slug,
                                       report.article.line_of))
    own_files = {f for r in reports for f in _files_of(r.article.source_file)}
    for p in checked.warnings:
        if slug is None or p.file in own_files:
            items.append(_from_problem(p, by_row.get((p.file, p.line or 0)), None, None))
    statements = [s for r in reports for s in r.statements]
    items += _unverified(statements, ws.links, ws.claims, ws.studies, articles)
    used = None if slug is None else _citekeys_used(checked, slug, statements)
    items += _without_identifier(ws.bibliography, used)
    items += _without_claims(ws.studies, ws.claims, used)
    order = list(CATEGORIES)
    return sorted(items, key=lambda i: (order.index(i.category), i.file, i.line or 0, i.statement or ""))


def _files_of(article_file: str) -> list[str]:
    stem = article_file.removesuffix(".md")
    return [article_file, f"{stem}.statements.csv", f"{stem}.links.csv"]


def _from_problem(p: Problem, s: Statement | None, slug: str | None, line_of) -> TodoItem:
    category = _BY_CODE.get(p.code, "blocking" if p.severity == "error" else "warning")
    statement = s.statement_id if s else None
    article = slug or (s.slug if s else None)
    article_line = line_of(s.start) if (s and line_of and s.start is not None) else None
    fix = p.hint
    if category == "no-evidence" and s:
        fix = (f"evidence find --statement {s.slug}:{s.statement_id}  (then link a claim in "
               f"{p.file.removesuffix('.statements.csv')}.links.csv, or set kind to opinion/advice if it is one)")
    elif category == "changed" and s:
        fix = (f"review the new wording and its evidence, then: evidence accept {s.slug} {s.statement_id}")
    elif category == "uncovered":
        fix = ("register it: add a row to the article's .statements.csv with this text as quote "
               "(kind opinion or advice if it is not checkable)")
    message = p.message.removeprefix(f"{statement}: ") if statement else p.message
    if p.code == "uncovered-sentence" and article_line is None:
        article_line = p.line
    return TodoItem(category, p.severity == "error", message, fix, p.file, p.line, article, statement, article_line)


def _unverified(statements: list[Statement], links: pd.DataFrame, claims: pd.DataFrame, studies: pd.DataFrame,
                articles: dict[str, Article]) -> list[TodoItem]:
    """Statements whose every supporting claim is unverified (or comes from an unverified study)."""
    study_rows = {row.citekey: row for row in studies.itertuples(index=False)}
    claim_rows = {row.claim_id: row for row in claims.itertuples(index=False)}
    favouring = links[links["relation"].isin(["supports", "partly"])]
    by_statement: dict[tuple[str, str], list[str]] = {}
    for row in favouring.itertuples(index=False):
        by_statement.setdefault((row.slug, row.statement_id), []).append(row.claim_id)
    items = []
    for s in statements:
        ids = [c for c in by_statement.get((s.slug, s.statement_id), []) if c in claim_rows]
        if not ids:
            continue

        def study_unverified(c: str) -> bool:
            study = study_rows.get(claim_rows[c].citekey)
            return study is not None and study.status != "verified"

        unverified = [c for c in ids if claim_rows[c].status != "verified" or study_unverified(c)]
        if len(unverified) < len(ids):
            continue
        rows = [f"{claim_rows[c].source_file}:{claim_rows[c].source_line} ({c})"
                for c in unverified if claim_rows[c].status != "verified"]
        for key in dict.fromkeys(claim_rows[c].citekey for c in unverified if study_unverified(c)):
            rows.append(f"{study_rows[key].source_file}:{study_rows[key].source_line} ({key})")
        first_file, first_line = rows[0].split(" ")[0].rsplit(":", 1)
        items.append(TodoItem(
            "unverified", False,
            f"rests only on unverified claims: {', '.join(unverified)}",
            "check the quotes and numbers on the study's page (source_url), then set status to verified in "
            + ", ".join(rows),
            first_file, int(first_line), s.slug, s.statement_id,
            articles[s.slug].line_of(s.start) if s.slug in articles and s.start is not None else None,
        ))
    return items


def _citekeys_used(checked: Checked, slug: str, statements: list[Statement]) -> set[str]:
    """Studies an article uses: linked through claims, cited by a statement, or matched in its reference list."""
    ws = checked.workspace
    claim_ids = set(ws.links.loc[ws.links["slug"] == slug, "claim_id"])
    used = set(ws.claims.loc[ws.claims["claim_id"].isin(claim_ids), "citekey"])
    used |= {key for s in statements for key in s.cites}
    used |= {r.citekey for rep in checked.reports if rep.article.slug == slug for r in rep.references if r.citekey}
    return used


def _without_identifier(bibliography: pd.DataFrame, used: set[str] | None) -> list[TodoItem]:
    items = []
    for row in bibliography.itertuples(index=False):
        if used is not None and row.citekey not in used:
            continue
        if any(isinstance(v, str) and v for v in (row.doi, row.pmid, row.pmcid)):
            continue
        where = f"{row.source_file}:{row.source_line}"
        items.append(TodoItem("no-identifier", False, f"reference '{row.citekey}' has no DOI, PMID or PMCID",
                              f"look it up (the study's page, PubMed) and add doi = {{...}} or pmid = {{...}} to "
                              f"{where}; then `evidence resolve` and `evidence verify` check the record",
                              str(row.source_file), int(row.source_line)))
    return items


def _without_claims(studies: pd.DataFrame, claims: pd.DataFrame, used: set[str] | None) -> list[TodoItem]:
    with_claims = set(claims["citekey"])
    items = []
    for row in studies.itertuples(index=False):
        if row.citekey in with_claims or (used is not None and row.citekey not in used):
            continue
        items.append(TodoItem("no-claims", False, f"study '{row.citekey}' has no claims",
                              f"evidence claims suggest {row.citekey}  (or add its findings to references/claims.csv)",
                              str(row.source_file), int(row.source_line)))
    return items


def blocking(items: list[TodoItem]) -> bool:
    return any(i.blocking for i in items)
