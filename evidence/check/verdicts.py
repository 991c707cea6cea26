"""Check stage, verdicts: one statement's verdict from its linked claims, with every reason.

Works on plain records (dicts) rather than DataFrames: a verdict touches a handful of
claims, and per-statement pandas calls cost 100x more than the logic at 100k claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from ..model import Statement
from ..read.quantities import claim_quantity, parse_quantity
from ..read.tables import NOT_CHECKABLE_KINDS, UNITS
from ..validate.rules import EVIDENCE_LEVEL

Claim = Mapping[str, object]  # a linked claim: claim fields + relation, link_note, design

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


def _level(c: Claim) -> int:
    return EVIDENCE_LEVEL.get(str(c.get("design")), 5)


def _quantity(c: Claim):
    return claim_quantity(c.get("value"), c.get("low"), c.get("high"), c.get("unit"))  # type: ignore[arg-type]


def claim_line(c: Claim) -> str:
    q = _quantity(c)
    n = f", n={int(c['n'])}" if c.get("n") is not None else ""
    design = DESIGN_LABEL.get(str(c.get("design")), c.get("design") or "study")
    return f"{c['claim_id']} ({design}{n}): {c['summary']}" + (f" [{q.text}]" if q else "")


def numeric_check(statement: Statement, linked: Sequence[Claim]) -> tuple[str, list[str]]:
    """Compare the statement's asserted quantity with every linked claim's number in the same dimension."""
    if not statement.asserts:
        return "not_asserted", []
    asserted = parse_quantity(statement.asserts, UNITS)
    agree, disagree = [], []
    for c in linked:
        q = _quantity(c)
        if c["relation"] == "context" or q is None or q.dimension != asserted.dimension:
            continue
        (agree if asserted.overlaps(q) else disagree).append(f"{c['claim_id']} gives {q.text}")
    if agree:
        return "agrees", [f"number: the article says {asserted.text}; agrees with " + "; ".join(agree)
                          + (f" (but {'; '.join(disagree)})" if disagree else "")]
    if disagree:
        return "disagrees", [f"number: the article says {asserted.text}; the evidence says " + "; ".join(disagree)]
    unit = "time" if asserted.dimension == "time" else asserted.unit
    return "no_number", [f"number: the article says {asserted.text}; no linked claim gives a number in {unit}"]


def strength_of(claims: Sequence[Claim]) -> tuple[str, str]:
    """GRADE-like, from design alone: the best design among the evidence, and how many studies."""
    if not claims:
        return "none", ""
    best = min(claims, key=_level)
    level = _level(best)
    studies = len({c["citekey"] for c in claims})
    strength = "limited" if level == 2 and studies == 1 else STRENGTH[level]  # one trial is not yet a body of evidence
    design = DESIGN_LABEL.get(str(best.get("design")), "study")
    return strength, f"strength: {strength}: best evidence is a {design}; {studies} stud{'y' if studies == 1 else 'ies'}"


def _best(claims: Sequence[Claim]) -> tuple[int, str]:
    best = min(claims, key=_level)
    return _level(best), DESIGN_LABEL.get(str(best.get("design")), "study")


def combine(sup: Sequence[Claim], part: Sequence[Claim], con: Sequence[Claim]) -> tuple[str, str]:
    """The verdict from the relations alone, and the sentence that explains it."""
    favour = [*sup, *part]
    if not favour and not con:
        return "unsupported", "no linked evidence supports or contradicts this statement"
    if not favour:
        return "contradicted", "all linked evidence contradicts it"
    if not con:
        if not sup:
            return "partly_supported", "the evidence supports only part, or a weaker form, of it"
        return "supported", ""
    (for_level, for_design), (against_level, against_design) = _best(favour), _best(con)
    if against_level < for_level:
        return "contradicted", (f"evidence is mixed: the contradicting evidence ({against_design}) is stronger "
                                f"than the support ({for_design})")
    if not sup and against_level == for_level:
        return "contradicted", (f"evidence is mixed: only partial support ({for_design}) against contradicting "
                                f"evidence of the same level ({against_design})")
    return "partly_supported", (f"evidence is mixed: the support ({for_design}) is at least as strong as the "
                                f"contradicting evidence ({against_design})")


def verdict_for(statement: Statement, linked: Sequence[Claim], cited_ok: bool) -> Verdict:
    """The verdict of one statement from its linked claims; every step leaves a reason."""
    claims = tuple(str(c["claim_id"]) for c in linked)
    if statement.kind in NOT_CHECKABLE_KINDS:
        computed, strength, numeric = "not_checkable", "n/a", "not_asserted"
        reasons = [f"{statement.kind}: not a checkable claim"]
    else:
        ordered = sorted(linked, key=lambda c: (_level(c), str(c["claim_id"])))  # strongest evidence first
        by = {r: [c for c in ordered if c["relation"] == r] for r in ("supports", "partly", "contradicts", "context")}
        sup, part, con, ctx = by["supports"], by["partly"], by["contradicts"], by["context"]
        computed, why = combine(sup, part, con)
        head = [why] if why else []
        numeric, notes = numeric_check(statement, ordered)
        if numeric == "disagrees" and RANK[computed] > RANK["partly_supported"]:
            computed = "partly_supported"
            head.insert(0, "downgraded: the article's number disagrees with its evidence")
        if not cited_ok and computed == "supported":
            computed = "partly_supported"
            head.insert(0, "downgraded: the cited source does not carry this claim")
        order = [("supports", sup), ("partly supports", part), ("contradicts", con), ("context", ctx)]
        if computed == "contradicted":
            order.insert(0, order.pop(2))
        lines = [f"{label}: {claim_line(c)}" + (f" — {c['link_note']}" if c.get("link_note") else "")
                 for label, group in order for c in group]
        strength, grade = strength_of(con if computed == "contradicted" else [*sup, *part])
        if numeric == "disagrees":  # the blocking finding leads, wherever the verdict ended up
            head, notes = notes + head, []
        reasons = head + notes + lines + ([grade] if grade else [])
    verdict = statement.override_verdict or computed
    if statement.override_verdict:
        reasons.insert(0, f"editor override ({computed} -> {verdict}): {statement.override_reason}")
    blocking = verdict != "not_checkable" and (verdict == "unsupported" or numeric == "disagrees"
                                               or statement.anchor in ("changed", "missing"))
    return Verdict(statement.slug, statement.statement_id, verdict, computed, strength, tuple(reasons), claims,
                   numeric, statement.override_reason, blocking)
