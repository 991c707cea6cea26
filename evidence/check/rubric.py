"""Check stage, rubric: the verdict an editor would give, from the relations and the certainty of each side.

The rubric (README, "Verdicts, explained"):

- supported: the evidence supports the statement as worded;
- partly supported: the evidence covers part of it (links marked ``partly``), or the support rests only
  on unverified claims;
- overstated: the evidence supports a weaker form ("may help" where the statement says "most effective"):
  support exists, but so does evidence that the stronger wording is not shown (a non-significant
  difference, another dose or number of sessions, low-certainty evidence the other way), or a
  superlative rests only on partial support;
- contradicted: evidence of at least moderate certainty points the other way and is at least as
  certain as the support;
- unsupported: nothing supports it (missing evidence is never counted as evidence against).

Certainty is passed in (a Grader, from the synthesis stage) so this stage does not depend on the one
above it; without one, a design-only grader stands in.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from ..model import Certainty, Grader, Statement
from ..read.quantities import parse_quantity
from ..read.tables import UNITS
from ..validate.rules import EVIDENCE_LEVEL

Claim = Mapping[str, object]
DESIGN_CERTAINTY = {1: "high", 2: "moderate", 3: "low", 4: "low", 5: "very low"}


def basis(c: Claim) -> str:
    return str(c.get("basis") or "result")


def unverified(c: Claim) -> bool:
    return str(c.get("status") or "verified") == "unverified"


def level(c: Claim) -> int:
    """The claim's evidence level: its study's design for a result, the weakest (5) for background."""
    if basis(c) == "background":
        return 5
    return EVIDENCE_LEVEL.get(str(c.get("design")), 5)


def design_grade(claims: Sequence[Claim]) -> Certainty:
    """Stand-in grader when no synthesis ran: the best design among the claims, as a certainty level."""
    if not claims:
        return Certainty("none", ("no evidence",))
    best = min(level(c) for c in claims)
    return Certainty(DESIGN_CERTAINTY[best], (f"from design alone: best evidence level {best}",),
                     studies=len({str(c.get("citekey")) for c in claims}))


def _asserted_sessions(statement: Statement) -> float | None:
    if not statement.asserts:
        return None
    q = parse_quantity(statement.asserts, UNITS)
    return q.low if q.unit == "sessions" and q.low == q.high else None


def missing_not_against(statement: Statement, c: Claim) -> str:
    """Why a contradicting claim is missing evidence rather than evidence against ('' when it is against)."""
    if str(c.get("direction") or "") == "no_difference":
        return "a non-significant difference: missing evidence for the claim, not evidence against it"
    asserted = _asserted_sessions(statement)
    sessions = c.get("sessions")
    if asserted is not None and sessions is not None and float(sessions) != asserted:  # type: ignore[arg-type]
        return (f"the trial used {float(sessions):g} sessions, not the {asserted:g} the statement names: "  # type: ignore[arg-type]
                "missing evidence for that number, not evidence against it")
    return ""


def decide(statement: Statement, sup: Sequence[Claim], part: Sequence[Claim], con: Sequence[Claim],
           grade: Grader) -> tuple[str, list[str], Certainty]:
    """The verdict, the sentences that explain it, and the certainty of the evidence it rests on."""
    favour = [*sup, *part]
    against = [c for c in con if not missing_not_against(statement, c)]
    missing = [c for c in con if missing_not_against(statement, c)]
    why: list[str] = [f"{c['claim_id']} is {missing_not_against(statement, c)}" for c in missing]
    checked = [c for c in favour if not unverified(c)]
    c_for = grade(checked or favour) if favour else Certainty("none")
    c_against = grade([c for c in against if not unverified(c)] or against) if against else Certainty("none")
    if not favour and not con:
        return "unsupported", ["no linked evidence supports or contradicts this statement"], Certainty("none")
    if not favour:
        if against and c_against.rank >= 3:
            return "contradicted", [f"evidence of {c_against.level} certainty points the other way"] + why, c_against
        if against:
            why.insert(0, f"the evidence against is of {c_against.level} certainty: not enough to call the statement "
                          "contradicted")
        return "unsupported", ["nothing supports it"] + why, c_against if against else Certainty("none")
    if against and c_against.rank >= 3 and (c_against.rank > c_for.rank or (not sup and c_against.rank == c_for.rank)):
        return "contradicted", [f"evidence is mixed: evidence of {c_against.level} certainty points the other way, "
                                f"against support of {c_for.level} certainty"] + why, c_against
    if against or missing:
        head = "the evidence supports a weaker form of it"
        if against:
            head += (f": the evidence against ({c_against.level} certainty) does not outweigh the support "
                     f"({c_for.level} certainty)")
        return "overstated", [head] + why, c_for
    if not checked:
        return "partly_supported", ["the support rests only on unverified claims (counted apart, never as full "
                                    "support)"], c_for
    if not sup:
        if statement.kind == "superlative":
            return "overstated", ["a superlative resting only on partial support: the evidence supports a weaker form"], c_for
        return "partly_supported", ["the evidence supports only part of it"], c_for
    return "supported", [], c_for


