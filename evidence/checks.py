"""Check stage: a verdict with reasons for every statement, and the article-level checks.

Verdicts are deterministic and explainable: every verdict lists the claims, numbers and
study designs that produced it. Blocking findings (no evidence, a number that disagrees,
a quote that changed, a citation to an unknown reference) are problems of severity
"error"; the rest are warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from .errors import Problem
from .model import Article, Statement, Workspace
from .quantities import Quantity, claim_quantity, parse_quantity
from .sources.tables import NOT_CHECKABLE_KINDS, UNITS
from .validate import EVIDENCE_LEVEL, REVIEW_DESIGNS
from .reflist import LibraryIndex, ReferenceCheck, check_reference_list

RANK = {"contradicted": 0, "unsupported": 1, "partly_supported": 2, "supported": 3}
STRENGTH = {1: "strong", 2: "moderate", 3: "limited", 4: "limited", 5: "weak"}
DESIGN_LABEL = {
    "meta_analysis": "meta-analysis", "systematic_review": "systematic review", "rct": "RCT",
    "split_face_rct": "split-face RCT", "non_randomised_trial": "non-randomised trial", "cohort": "cohort study",
    "case_control": "case-control study", "cross_sectional": "cross-sectional study", "case_series": "case series",
    "case_report": "case report", "narrative_review": "narrative review", "guideline": "guideline",
    "expert_opinion": "expert opinion",
}


@dataclass(frozen=True)
class Verdict:
    slug: str
    statement_id: str
    verdict: str
    computed_verdict: str
    strength: str
    reasons: tuple[str, ...]
    claims: tuple[str, ...]
    numeric_check: str  # agrees | disagrees | no_number | not_asserted
    override_reason: str | None
    blocking: bool


@dataclass(frozen=True)
class Uncovered:
    slug: str
    start: int
    end: int
    line: int
    sentence: str
    triggers: tuple[str, ...]


@dataclass(frozen=True)
class ArticleReport:
    article: Article
    statements: tuple[Statement, ...]
    verdicts: tuple[Verdict, ...]
    references: tuple[ReferenceCheck, ...]
    uncovered: tuple[Uncovered, ...]
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def blocking(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def counts(self) -> dict[str, int]:
        counts = {v: 0 for v in ("supported", "partly_supported", "unsupported", "contradicted", "not_checkable")}
        for v in self.verdicts:
            counts[v.verdict] += 1
        return counts


def _isnum(x: object) -> bool:
    return x is not None and not pd.isna(x)


def _claim_line(c: pd.Series) -> str:
    q = claim_quantity(c["value"] if _isnum(c["value"]) else None, c["low"] if _isnum(c["low"]) else None,
                       c["high"] if _isnum(c["high"]) else None, c["unit"])
    number = f" [{q.text}]" if q else ""
    return f"{c['claim_id']} ({DESIGN_LABEL.get(c['design'], c['design'] or 'study')}{', n=' + str(int(c['n'])) if _isnum(c['n']) else ''}): {c['summary']}{number}"


def _numeric(statement: Statement, linked: pd.DataFrame) -> tuple[str, list[str]]:
    if not statement.asserts:
        return "not_asserted", []
    asserted = parse_quantity(statement.asserts, UNITS)
    agree, disagree = [], []
    for _, c in linked[linked["relation"].isin(("supports", "partly", "contradicts"))].iterrows():
        q = claim_quantity(c["value"] if _isnum(c["value"]) else None, c["low"] if _isnum(c["low"]) else None,
                           c["high"] if _isnum(c["high"]) else None, c["unit"])
        if q is None or q.dimension != asserted.dimension:
            continue
        (agree if asserted.overlaps(q) else disagree).append(f"{c['claim_id']} gives {q.text}")
    if agree:
        return "agrees", [f"number: the article says {asserted.text}; agrees with " + "; ".join(agree)
                          + (f" (but {'; '.join(disagree)})" if disagree else "")]
    if disagree:
        return "disagrees", [f"number: the article says {asserted.text}; the evidence says " + "; ".join(disagree)]
    return "no_number", [f"number: the article says {asserted.text}; no linked claim gives a number in "
                         f"{'time' if asserted.dimension == 'time' else asserted.unit}"]


def _strength(rows: pd.DataFrame) -> tuple[str, str]:
    """GRADE-like, from design alone: the best design among the evidence, and how many studies."""
    if rows.empty:
        return "none", ""
    levels = rows["design"].map(EVIDENCE_LEVEL).fillna(5)
    best = int(levels.min())
    best_design = rows.loc[levels == best, "design"].iloc[0] or "unknown"
    studies = rows["citekey"].nunique()
    strength = STRENGTH[best]
    if best == 2 and studies == 1:
        strength = "limited"  # one trial, however well designed, is not yet a body of evidence
    return strength, (f"strength: {strength}: best evidence is a {DESIGN_LABEL.get(best_design, best_design)}; "
                      f"{studies} stud{'y' if studies == 1 else 'ies'}")


def _best(rows: pd.DataFrame) -> tuple[int, str]:
    levels = rows["design"].map(EVIDENCE_LEVEL).fillna(5)
    best = int(levels.min())
    return best, DESIGN_LABEL.get(rows.loc[levels == best, "design"].iloc[0], "study")


def _by_level(rows: pd.DataFrame) -> pd.DataFrame:
    """Best evidence first, then by claim id, so reasons read strongest-first and stay stable."""
    return rows.assign(_level=rows["design"].map(EVIDENCE_LEVEL).fillna(5)).sort_values(["_level", "claim_id"])


def _combine(sup: pd.DataFrame, part: pd.DataFrame, con: pd.DataFrame) -> tuple[str, str]:
    """The verdict from the relations alone, and the sentence that explains it."""
    favour = pd.concat([sup, part])
    if favour.empty and con.empty:
        return "unsupported", "no linked evidence supports or contradicts this statement"
    if favour.empty:
        return "contradicted", "all linked evidence contradicts it"
    if con.empty:
        if sup.empty:
            return "partly_supported", "the evidence supports only part, or a weaker form, of it"
        return "supported", ""
    (for_level, for_design), (against_level, against_design) = _best(favour), _best(con)
    if against_level < for_level:
        return "contradicted", (f"evidence is mixed: the contradicting evidence ({against_design}) is stronger "
                                f"than the support ({for_design})")
    if sup.empty and against_level == for_level:
        return "contradicted", (f"evidence is mixed: only partial support ({for_design}) against contradicting "
                                f"evidence of the same level ({against_design})")
    return "partly_supported", (f"evidence is mixed: the support ({for_design}) is at least as strong as the "
                                f"contradicting evidence ({against_design})")


def verdict_for(statement: Statement, linked: pd.DataFrame, cited_ok: bool) -> Verdict:
    """The verdict of one statement from its linked claims; every step leaves a reason."""
    claims = tuple(linked["claim_id"])
    if statement.kind in NOT_CHECKABLE_KINDS:
        computed, strength, numeric = "not_checkable", "n/a", "not_asserted"
        reasons = [f"{statement.kind}: not a checkable claim"]
    else:
        by = {name: grp for name, grp in linked.groupby("relation")}
        empty = linked.iloc[0:0]
        sup, part, con, ctx = (by.get(r, empty) for r in ("supports", "partly", "contradicts", "context"))
        computed, why = _combine(sup, part, con)
        head = [why] if why else []
        numeric, notes = _numeric(statement, linked)
        if numeric == "disagrees" and RANK[computed] > RANK["partly_supported"]:
            computed = "partly_supported"
            head.insert(0, "downgraded: the article's number disagrees with its evidence")
        if not cited_ok and computed == "supported":
            computed = "partly_supported"
            head.insert(0, "downgraded: the cited source does not carry this claim")
        order = (("contradicts", con), ("supports", sup), ("partly supports", part), ("context", ctx))
        if computed != "contradicted":
            order = order[1:3] + order[:1] + order[3:]
        lines = [f"{label}: {_claim_line(c)}" + (f" — {c['link_note']}" if c["link_note"] else "")
                 for label, grp in order for _, c in _by_level(grp).iterrows()]
        strength, grade = _strength(con if computed == "contradicted" else pd.concat([sup, part]))
        reasons = head + notes + lines + ([grade] if grade else [])
    verdict = statement.override_verdict or computed
    if statement.override_verdict:
        reasons.insert(0, f"editor override ({computed} -> {verdict}): {statement.override_reason}")
    blocking = verdict != "not_checkable" and (verdict == "unsupported" or numeric == "disagrees"
                                               or statement.anchor in ("changed", "missing"))
    return Verdict(statement.slug, statement.statement_id, verdict, computed, strength, tuple(reasons), claims,
                   numeric, statement.override_reason, blocking)


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
    spans = [(s.start, s.end) for s in statements if s.start is not None]
    found = []
    for m in _SENTENCE.finditer(article.body):
        text = m.group(0).strip()
        if len(text) < 15 or text.startswith("#"):
            continue
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        end = start + len(text)
        if any(s < end and start < e for s, e in spans):
            continue
        hits = tuple(name for name, rx in TRIGGERS.items() if rx.search(text))
        if hits:
            found.append(Uncovered(article.slug, start, end, article.line_of(start), text, hits))
    return found


def check_workspace(ws: Workspace) -> list[ArticleReport]:
    """Verdicts and article-level checks for every article in the workspace."""
    claims = ws.claims.merge(ws.studies[["citekey", "design", "n"]].rename(columns={"n": "study_n"}),
                             on="citekey", how="left")
    claims["n"] = claims["n"].fillna(claims["study_n"])
    links = ws.links.rename(columns={"note": "link_note"})[["slug", "statement_id", "claim_id", "relation", "link_note"]]
    linked_all = links.merge(claims, on="claim_id", how="inner")
    citekeys = set(ws.bibliography["citekey"])
    designs = dict(zip(ws.studies["citekey"], ws.studies["design"]))
    library = LibraryIndex(ws.bibliography)
    reports = []
    for article in ws.articles:
        statements = [s for s in ws.statements if s.slug == article.slug]
        linked_article = linked_all[linked_all["slug"] == article.slug]
        groups = {k: g for k, g in linked_article.groupby("statement_id")}
        verdicts, problems = [], []
        for s in statements:
            linked = groups.get(s.statement_id, linked_article.iloc[0:0])
            where = dict(file=s.source_file, line=s.source_line)
            cited_ok = True
            for key in s.cites:
                if key not in citekeys:
                    problems.append(Problem(**where, code="unknown-citation",
                                            message=f"{s.statement_id} cites '{key}', which is not in the library",
                                            hint="add the reference to references/*.bib or fix the citekey", field="cites"))
                elif designs.get(key) in REVIEW_DESIGNS and re.search(r"\ba (\d{4} )?study\b", s.quote, re.I):
                    problems.append(Problem(**where, code="review-cited-as-study", severity="warning",
                                            message=f"{s.statement_id} calls '{key}' a study, but it is a "
                                                    f"{DESIGN_LABEL[designs[key]]}",
                                            hint="say 'a review' or cite the primary study", field="cites"))
            favouring = linked[linked["relation"].isin(("supports", "partly"))]
            if s.cites and not favouring.empty and not favouring["citekey"].isin(s.cites).any():
                cited_ok = False
                problems.append(Problem(**where, code="cited-source-lacks-claim", severity="warning",
                                        message=f"{s.statement_id}: cited source ({', '.join(s.cites)}) does not carry "
                                                f"this claim; the evidence comes from {', '.join(sorted(set(favouring['citekey'])))}",
                                        hint="cite the study that carries the claim", field="cites"))
            v = verdict_for(s, linked, cited_ok)
            verdicts.append(v)
            if s.anchor == "changed":
                problems.append(Problem(**where, code="statement-changed",
                                        message=f"{s.statement_id}: the article's wording changed — re-check "
                                                f"(now: '{(s.current_text or '')[:80]}', {s.score:.0f}% similar)",
                                        hint="update the quote and re-check its evidence", field="quote"))
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
        refs = check_reference_list(article, library)
        for r in refs:
            for d in r.defects:
                problems.append(Problem(article.source_file, r.line, f"reference-{d.code}", f"reference {r.number}: {d.message}",
                                        d.hint, severity="warning"))
        uncovered = uncovered_sentences(article, statements)
        for u in uncovered:
            problems.append(Problem(article.source_file, u.line, "uncovered-sentence",
                                    f"checkable-looking sentence is not a statement ({', '.join(u.triggers)}): "
                                    f"'{u.sentence[:80]}'", "register it in the .statements.csv file (as opinion if "
                                    "it is not checkable)", severity="warning"))
        reports.append(ArticleReport(article, tuple(statements), tuple(verdicts), tuple(refs), tuple(uncovered),
                                     tuple(problems)))
    return reports
