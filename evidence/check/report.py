"""Check stage: a verdict with reasons for every statement, and the article-level checks.

Verdicts are deterministic and explainable: every verdict lists the claims, numbers and
study designs that produced it. Blocking findings (no evidence, a number that disagrees,
a quote that changed, a citation to an unknown reference) are problems of severity
"error"; the rest are warnings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import pandas as pd

from ..errors import Problem
from ..model import Article, Grader, Statement, Workspace
from .quote_checks import QuoteCheck, quote_problems
from ..read.anchoring import describe_difference
from ..read.records import plain_records
from .attribution import AttributionCheck, check_statement, study_facts
from .reflist import LibraryIndex, ReferenceCheck, check_reference_list
from .memo import CheckMemo, statement_digest
from .verdicts import Verdict, verdict_for

ATTRIBUTION_HINTS = {
    "year": "correct the year in the article, or cite the study it describes",
    "design": "name the design as the source does, or cite a study of the design the article names",
    "size": "correct the number in the article, or n / studies_included in references/studies.csv",
    "duration": "correct the duration in the article, or record the study's (claims.csv duration, studies.csv "
                "follow_up_months)",
}

@dataclass(frozen=True)
class Uncovered:
    slug: str
    start: int
    end: int
    line: int
    sentence: str
    triggers: tuple[str, ...]
    partial: bool = False  # the rest of a sentence beside a registered statement


@dataclass(frozen=True)
class ArticleReport:
    article: Article
    statements: tuple[Statement, ...]
    verdicts: tuple[Verdict, ...]
    references: tuple[ReferenceCheck, ...]
    uncovered: tuple[Uncovered, ...]
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    attributions: tuple[AttributionCheck, ...] = field(default_factory=tuple)  # year, design, size, duration

    def attributions_of(self, statement_id: str) -> list[AttributionCheck]:
        return [a for a in self.attributions if a.statement_id == statement_id]

    @property
    def blocking(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def counts(self) -> dict[str, int]:
        counts = {v: 0 for v in ("supported", "partly_supported", "overstated", "unsupported", "contradicted",
                                 "not_checkable")}
        for v in self.verdicts:
            counts[v.verdict] += 1
        return counts


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[”\"’)]*|$)")
TRIGGERS = {
    "number": re.compile(r"\d"),
    "percent": re.compile(r"percent|%", re.I),
    "number word": re.compile(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|hundred|half|a year|a couple)\b", re.I),
    "study": re.compile(r"\b(stud(y|ies)|research|evidence|trial|published)\b", re.I),
    "superlative": re.compile(r"\b(most|best|least|fastest|deepest|narrowest|widest|shallowest|only)\b", re.I),
    "certainty": re.compile(r"\b(definitely|always|never|guarantee\w*|proven|imperceptible|permanent\w*|significant\w*)\b", re.I),
}


def uncovered_sentences(article: Article, statements: list[Statement]) -> list[Uncovered]:
    """Checkable-looking text that no statement covers: whole sentences, and the rest of a
    sentence or bullet beside a registered clause (a statement often quotes one clause and the
    claim in the next one goes unchecked)."""
    spans = sorted((s.start, s.end) for s in statements if s.start is not None and s.end is not None)
    found = []
    for m in _SENTENCE.finditer(article.body):
        text = m.group(0).strip()
        if len(text) < 15 or text.startswith("#"):
            continue
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        end = start + len(text)
        covering = [(a, z) for a, z in spans if a < end and start < z]
        pieces = [(start, end)] if not covering else _rest(article.body, start, end, covering)
        for a, z in pieces:
            piece = article.body[a:z]
            hits = tuple(name for name, rx in TRIGGERS.items() if rx.search(piece))
            if hits:
                found.append(Uncovered(article.slug, a, z, article.line_of(a), piece, hits, bool(covering)))
    return found


def _rest(body: str, start: int, end: int, covering: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of [start, end) outside the covering spans that still read as a clause (3+ words)."""
    pieces, cursor = [], start
    for a, z in covering + [(end, end)]:
        if a > cursor:
            pieces.append((cursor, min(a, end)))
        cursor = max(cursor, z)
    out = []
    for a, z in pieces:
        raw = body[a:z]
        rest = raw.lstrip(" ,;:—–-.\n")  # what joined it to the statement: punctuation, not text
        lead, trimmed = len(raw) - len(rest), rest.rstrip(" ,;:—–-\n")
        if len(re.findall(r"\w+", trimmed)) >= 3:
            out.append((a + lead, a + lead + len(trimmed)))
    return out


def notices_by_citekey(metadata: pd.DataFrame) -> dict[str, list[dict[str, object]]]:
    """Retractions, corrections and expressions of concern per study, de-duplicated across sources."""
    found: dict[str, dict[tuple[str, str], dict[str, object]]] = {}
    for row in metadata.itertuples(index=False):
        for notice in json.loads(row.notices or "[]"):
            if notice.get("relation") == "is-notice":
                continue  # the cited record is itself a notice; verify reports that case
            key = (str(notice.get("type")), str(notice.get("doi") or notice.get("pmid") or notice.get("date")))
            found.setdefault(row.citekey, {}).setdefault(key, notice)
    return {k: sorted(v.values(), key=lambda n: (str(n.get("type")), str(n.get("date")))) for k, v in found.items()}


def _notice_problems(s: Statement, linked: list[dict[str, object]],
                     notices: Mapping[str, list[dict[str, object]]]) -> list[Problem]:
    problems = []
    for key in sorted({str(c["citekey"]) for c in linked if c["relation"] in ("supports", "partly")}):
        for n in notices.get(key, []):
            retracted = "retract" in str(n.get("type")).lower()
            problems.append(Problem(s.source_file, s.source_line, "rests-on-retracted" if retracted else "rests-on-notice",
                                    f"{s.statement_id} rests on {key}, which has a {n.get('type')} notice "
                                    f"({n.get('source')}, {n.get('date') or 'undated'}"
                                    f"{', doi ' + str(n['doi']) if n.get('doi') else ''})",
                                    "remove the evidence or re-check the statement against the notice",
                                    field="statement_id", severity="error" if retracted else "warning"))
    return problems


def check_workspace(ws: Workspace, notices: Mapping[str, list[dict[str, object]]] | None = None,
                    grade: Grader | None = None, quotes: Mapping[str, QuoteCheck] | None = None,
                    memo: CheckMemo | None = None,
                    grade_inputs: Callable[[Sequence[Mapping[str, object]]], object] | None = None,
                    ) -> list[ArticleReport]:
    """Verdicts and article-level checks for every article in the workspace.

    ``grade`` gives the certainty of a body of linked claims (the synthesis stage's GRADE-lite, passed in
    by the pipeline); without it a design-only stand-in grades the evidence. ``quotes`` (claim_id ->
    :class:`QuoteCheck`, from the cached source text) adds warnings for statements resting on a quote
    that is not in its source, and for misplaced locators.

    ``memo`` (``memo.py``) keeps each statement's result by a digest of its inputs, so only the
    statements an edit touches are checked again; the grader's own inputs (the pooled comparisons
    a set of claims takes part in, what their reviews pool) come from ``grade_inputs``, and
    without it a custom grader is never memoised.
    """
    notices = notices or {}
    if memo is None or (grade is not None and grade_inputs is None):
        memo = CheckMemo(None)
    study_cols = [c for c in ("citekey", "design", "n", "funding", "risk_of_bias", "risk_of_bias_reason", "includes")
                  if c in ws.studies.columns]
    links = ws.links.rename(columns={"note": "link_note"})[["slug", "statement_id", "claim_id", "relation", "link_note"]]
    # the linked claims first, then their studies: a few thousand rows joined, not every claim of the library
    linked_all = links.merge(ws.claims, on="claim_id", how="inner").merge(
        ws.studies[study_cols].rename(columns={"n": "study_n"}), on="citekey", how="left")
    linked_all["n"] = linked_all["n"].fillna(linked_all["study_n"])
    linked_by_statement: dict[tuple[str, str], list[dict[str, object]]] = {}
    for rec in plain_records(linked_all):
        linked_by_statement.setdefault((rec["slug"], rec["statement_id"]), []).append(rec)
    citekeys = set(ws.bibliography["citekey"])
    facts = study_facts(ws.bibliography, ws.studies, ws.claims)
    library: LibraryIndex | None = None  # indexed when the first article with a reference list needs it
    reports = []
    for article in ws.articles:
        statements = [s for s in ws.statements if s.slug == article.slug]
        verdicts, problems, attributions = [], [], []
        for s in statements:
            linked = linked_by_statement.get((article.slug, s.statement_id), [])
            v, found, checks = memo.result(
                _digest(s, linked, citekeys, facts, notices, grade_inputs),
                lambda s=s, linked=linked: _check_one(s, linked, citekeys, facts, notices, grade))
            verdicts.append(v)
            problems.extend(found)
            attributions.extend(checks)
        if quotes:
            problems.extend(quote_problems(statements, linked_by_statement, quotes))
        if article.references and library is None:
            library = LibraryIndex(ws.bibliography)
        refs = check_reference_list(article, library) if library is not None and article.references else []
        for r in refs:
            for d in r.defects:
                problems.append(Problem(article.source_file, r.line, f"reference-{d.code}", f"reference {r.number}: {d.message}",
                                        d.hint, severity="warning"))
        uncovered = uncovered_sentences(article, statements)
        for u in uncovered:
            problems.append(Problem(article.source_file, u.line, "uncovered-sentence",
                                    ("the rest of a sentence beside a statement is not registered" if u.partial
                                     else "checkable-looking sentence is not a statement")
                                    + f" ({', '.join(u.triggers)}): "
                                    f"'{u.sentence[:80]}'", "register it in the .statements.csv file (as opinion if "
                                    "it is not checkable)", severity="warning"))
        reports.append(ArticleReport(article, tuple(statements), tuple(verdicts), tuple(refs), tuple(uncovered),
                                     tuple(problems), tuple(attributions)))
    memo.save()
    return reports


def _digest(s: Statement, linked: list[dict[str, object]], citekeys: set[str], facts: Mapping[str, object],
            notices: Mapping[str, list[dict[str, object]]],
            grade_inputs: Callable[[Sequence[Mapping[str, object]]], object] | None) -> str:
    """Everything ``_check_one`` reads for this statement, beyond the statement and its linked claims."""
    evidence_keys = sorted({str(c["citekey"]) for c in linked if c["relation"] in ("supports", "partly")})
    compared = s.cites or tuple(evidence_keys)
    return statement_digest(s, linked, tuple(k in citekeys for k in s.cites), [facts.get(k) for k in compared],
                            [notices.get(k, []) for k in evidence_keys],
                            grade_inputs(linked) if grade_inputs else None)


def _check_one(s: Statement, linked: list[dict[str, object]], citekeys: set[str], facts: Mapping[str, object],
               notices: Mapping[str, list[dict[str, object]]], grade: Grader | None,
               ) -> tuple[Verdict, list[Problem], list[AttributionCheck]]:
    """One statement: its verdict, its problems and its attribution checks (from its own inputs only)."""
    problems: list[Problem] = []
    where = dict(file=s.source_file, line=s.source_line)
    cited_ok = True
    for key in s.cites:
        if key not in citekeys:
            problems.append(Problem(**where, code="unknown-citation",
                                    message=f"{s.statement_id} cites '{key}', which is not in the library",
                                    hint="add the reference to references/*.bib or fix the citekey", field="cites"))
    evidence_keys = sorted({str(c["citekey"]) for c in linked if c["relation"] in ("supports", "partly")})
    # what the quote says of its source (year, design, size, duration): the cited study, else its evidence
    checks = check_statement(s, facts, evidence_keys)
    for c in checks:
        if c.status == "disagrees":
            hint = "say 'a review' or cite the primary study" if c.code == "review-cited-as-study" \
                else ATTRIBUTION_HINTS[c.field]
            problems.append(Problem(**where, code=c.code, message=c.message, hint=hint, severity="warning",
                                    field="cites"))
    favouring = {str(c["citekey"]) for c in linked if c["relation"] in ("supports", "partly")}
    if s.cites and favouring and not favouring & set(s.cites):
        cited_ok = False
        problems.append(Problem(**where, code="cited-source-lacks-claim", severity="warning",
                                message=f"{s.statement_id}: cited source ({', '.join(s.cites)}) does not carry "
                                        f"this claim; the evidence comes from {', '.join(sorted(favouring))}",
                                hint="cite the study that carries the claim", field="cites"))
    v = verdict_for(s, linked, cited_ok, grade)
    problems.extend(_notice_problems(s, linked, notices))
    if s.anchor == "changed":
        problems.append(Problem(**where, code="statement-changed",
                                message=f"{s.statement_id}: the article's wording changed — re-check: "
                                        f"{describe_difference(s.quote, s.current_text or '')} "
                                        f"({s.score:.0f}% similar; now: '{(s.current_text or '')[:80]}')",
                                hint=f"re-check its evidence, then `evidence accept {s.slug} "
                                     f"{s.statement_id}` takes the new wording", field="quote"))
    if v.verdict == "unsupported":
        problems.append(Problem(**where, code="no-evidence",
                                message=f"{s.statement_id}: no evidence supports '{s.quote[:70]}'",
                                hint="link claims in the .links.csv file, or mark the statement as opinion",
                                field="statement_id"))
    if v.numeric_check == "disagrees":
        problems.append(Problem(**where, code="number-mismatch",
                                message=f"{s.statement_id}: " + next(r for r in v.reasons if r.startswith("number:")),
                                hint="correct the number in the article or link the evidence for it",
                                field="asserts"))
    elif v.numeric_check == "no_number" and v.verdict != "not_checkable":
        problems.append(Problem(**where, code="number-unverified", severity="warning",
                                message=f"{s.statement_id}: " + next(r for r in v.reasons if r.startswith("number:")),
                                hint="link a claim that reports the number", field="asserts"))
    return v, problems, checks
