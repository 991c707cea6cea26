"""Check stage, verdicts: one statement's verdict from its linked claims, with every reason.

Works on plain records (dicts) rather than DataFrames: a verdict touches a handful of
claims, and per-statement pandas calls cost 100x more than the logic at 100k claims.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from ..model import Certainty, Grader, Statement
from ..read.quantities import claim_quantity, parse_quantity
from ..read.tables import NOT_CHECKABLE_KINDS, UNITS
from .rubric import basis, decide, design_grade, level, unverified

Claim = Mapping[str, object]  # a linked claim: claim fields + relation, link_note, design

RANK = {"contradicted": 0, "unsupported": 1, "overstated": 2, "partly_supported": 3, "supported": 4}
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
    certainty: str = "none"  # GRADE-lite level of the evidence for the outcome the statement asserts
    certainty_reasons: tuple[str, ...] = ()
    outcome: str = ""  # that outcome


def _quantity(c: Claim):
    return claim_quantity(c.get("value"), c.get("low"), c.get("high"), c.get("unit"))  # type: ignore[arg-type]


def claim_line(c: Claim) -> str:
    q = _quantity(c)
    n = f", n={int(c['n'])}" if c.get("n") is not None else ""
    design = DESIGN_LABEL.get(str(c.get("design")), c.get("design") or "study")
    tags = ""
    if basis(c) == "background":
        tags += " [background: a statement citing others, counts as the weakest evidence]"
    elif basis(c) == "conclusion":
        tags += " [the authors' conclusion, not a reported result]"
    if unverified(c):
        tags += " [unverified: counted apart]"
    return f"{c['claim_id']} ({design}{n}): {c['summary']}" + (f" [{q.text}]" if q else "") + tags


def _measure_of(c: Claim) -> str:
    return f"{c.get('endpoint') or ''} {c.get('measure') or ''}".lower()


def asserted_outcome(statement: Statement, linked: Sequence[Claim]) -> str:
    """The outcome the statement asserts: its own ``outcome``, else the one most of its support is about."""
    if statement.outcome:
        return statement.outcome
    for relations in (("supports",), ("supports", "partly"), ("supports", "partly", "contradicts")):
        outcomes = [str(c["outcome"]) for c in linked if c["relation"] in relations and c.get("outcome")]
        if outcomes:
            return max(sorted(set(outcomes)), key=outcomes.count)
    return ""


def numeric_check(statement: Statement, linked: Sequence[Claim]) -> tuple[str, list[str]]:
    """Compare the statement's asserted quantity with the linked claims' numbers about the same outcome (and
    measure, when the statement names one) in the same dimension; other numbers are context, not agreement."""
    if not statement.asserts:
        return "not_asserted", []
    asserted = parse_quantity(statement.asserts, UNITS)
    outcome = asserted_outcome(statement, [c for c in linked if _quantity(c) is not None
                                           and _quantity(c).dimension == asserted.dimension] or linked)
    wanted = (statement.measure or "").lower()
    agree, disagree, aside = [], [], []
    for c in linked:
        q = _quantity(c)
        if c["relation"] == "context" or q is None or q.dimension != asserted.dimension:
            continue
        about = f"{c.get('outcome') or 'no outcome'}" + (f": {c['measure']}" if c.get("measure") else "")
        if (outcome and c.get("outcome") != outcome) or (wanted and wanted not in _measure_of(c)):
            aside.append(f"{c['claim_id']} gives {q.text} ({about})")
            continue
        (agree if asserted.overlaps(q) else disagree).append(f"{c['claim_id']} gives {q.text} ({about})")
    scope = (f" about {outcome}" if outcome else "") + (f" ({statement.measure})" if wanted else "")
    tail = f"; not compared, another outcome or measure: {'; '.join(aside)}" if aside else ""
    if agree:
        return "agrees", [f"number: the article says {asserted.text}{scope}; agrees with " + "; ".join(agree)
                          + (f" (but {'; '.join(disagree)})" if disagree else "") + tail]
    if disagree:
        return "disagrees", [f"number: the article says {asserted.text}{scope}; the evidence says "
                             + "; ".join(disagree) + tail]
    unit = "time" if asserted.dimension == "time" else asserted.unit
    return "no_number", [f"number: the article says {asserted.text}{scope}; no linked claim{scope} gives a number "
                         f"in {unit}" + tail]


def _about(outcome: str, claims: Sequence[Claim]) -> list[Claim]:
    """The body of evidence for the asserted outcome (all of it when none is about that outcome)."""
    same = [c for c in claims if c.get("outcome") == outcome]
    return same or list(claims)


def verdict_for(statement: Statement, linked: Sequence[Claim], cited_ok: bool, grade: Grader | None = None) -> Verdict:
    """The verdict of one statement from its linked claims; every step leaves a reason."""
    grade = grade or design_grade
    claims = tuple(str(c["claim_id"]) for c in linked)
    certainty, outcome = Certainty("none"), ""
    if statement.kind in NOT_CHECKABLE_KINDS:
        computed, strength, numeric = "not_checkable", "n/a", "not_asserted"
        reasons = [f"{statement.kind}: not a checkable claim"]
    else:
        ordered = sorted(linked, key=lambda c: (unverified(c), level(c), str(c["claim_id"])))  # strongest first
        by = {r: [c for c in ordered if c["relation"] == r] for r in ("supports", "partly", "contradicts", "context")}
        sup, part, con, ctx = by["supports"], by["partly"], by["contradicts"], by["context"]
        outcome = asserted_outcome(statement, ordered)
        computed, head, certainty = decide(statement, _about(outcome, sup) if sup else [],
                                           _about(outcome, part) if part else [], con, grade)
        if outcome and computed != "unsupported":
            certainty = replace(certainty, outcome=outcome)
        numeric, notes = numeric_check(statement, ordered)
        if numeric == "disagrees" and RANK[computed] > RANK["overstated"]:
            computed = "overstated"
            head.insert(0, "downgraded: the article's number disagrees with its evidence")
        if not cited_ok and computed == "supported":
            computed = "partly_supported"
            head.insert(0, "downgraded: the cited source does not carry this claim")
        if [*sup, *part] and all(unverified(c) for c in [*sup, *part]) and not any("unverified" in h for h in head):
            head.append("the support rests only on unverified claims")
        order = [("supports", sup), ("partly supports", part), ("contradicts", con), ("context", ctx)]
        if computed == "contradicted":
            order.insert(0, order.pop(2))
        lines = [f"{label}: {claim_line(c)}" + (f" — {c['link_note']}" if c.get("link_note") else "")
                 for label, group in order for c in group]
        strength = certainty.level
        grade_line = (f"certainty: {certainty.level}" + (f" for {outcome}" if outcome else "") + ": "
                      + "; ".join(certainty.reasons)) if certainty.rank else ""
        if numeric == "disagrees":  # the blocking finding leads, wherever the verdict ended up
            head, notes = notes + head, []
        reasons = head + notes + lines + ([grade_line] if grade_line else [])
    verdict = statement.override_verdict or computed
    if statement.override_verdict:
        reasons.insert(0, f"editor override ({computed} -> {verdict}): {statement.override_reason}")
    blocking = verdict != "not_checkable" and (verdict == "unsupported" or numeric == "disagrees"
                                               or statement.anchor in ("changed", "missing"))
    return Verdict(statement.slug, statement.statement_id, verdict, computed, strength, tuple(reasons), claims,
                   numeric, statement.override_reason, blocking, certainty.level, certainty.reasons, outcome)
