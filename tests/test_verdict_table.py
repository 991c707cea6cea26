"""The verdict rule as a table: every combination of support, partial support and contradiction,
at equal and at different levels of evidence (README "Verdicts, explained", evidence/check/rubric.py).

Written against the rubric as it stands (issue 9), with the design-only grader (no synthesis), so a
claim's certainty is its study design's: meta-analysis high, RCT moderate, cohort and case series low,
narrative review very low.
- nothing linked (or only context): unsupported;
- only contradiction: contradicted when the evidence against is of at least moderate certainty, else
  unsupported (low-certainty evidence against is never counted as contradiction);
- support without contradiction: supported when any claim fully supports, else partly supported
  (overstated for a superlative);
- support and contradiction together: contradicted when the evidence against is of at least moderate
  certainty and more certain than the support, or as certain while the support is only partial;
  otherwise overstated (the evidence supports a weaker form).
"""

from __future__ import annotations

import pytest

from evidence.check.rubric import decide, design_grade
from evidence.check.verdicts import verdict_for
from evidence.model import Statement

DESIGN = {1: "meta_analysis", 2: "rct", 3: "cohort", 4: "case_series", 5: "narrative_review"}
CERTAINTY = {1: "high", 2: "moderate", 3: "low", 4: "low", 5: "very low"}


def statement(**kw) -> Statement:
    base = dict(slug="a", statement_id="S01", number=1, quote="quote", kind="claim", asserts=None, cites=(),
                start=0, end=5, prefix="", suffix="", anchor="exact", current_text="quote", score=100.0,
                override_verdict=None, override_reason=None, note=None, source_file="a.statements.csv",
                source_line=2)
    return Statement(**{**base, **kw})


def claims(spec: str) -> list[dict[str, object]]:
    """'S1 P2 C1' -> a supporting level-1 claim, a partly supporting level-2 claim, a contradicting
    level-1 claim; 'X3' is a context claim. Each claim comes from its own study."""
    relation = {"S": "supports", "P": "partly", "C": "contradicts", "X": "context"}
    out = []
    for i, token in enumerate(spec.split()):
        level = int(token[1])
        out.append({"claim_id": f"k{i}-{token}", "relation": relation[token[0]], "link_note": None,
                    "citekey": f"study{i}", "design": DESIGN[level], "summary": f"finding {token}",
                    "value": None, "low": None, "high": None, "unit": None, "n": None})
    return out


NOTHING = "no linked evidence supports or contradicts this statement"
AGAINST = "evidence of {a} certainty points the other way"
MIXED = "evidence is mixed: evidence of {a} certainty points the other way, against support of {f} certainty"
WEAKER = ("the evidence supports a weaker form of it: the evidence against ({a} certainty) does not outweigh the "
          "support ({f} certainty)")
PART = "the evidence supports only part of it"

# (links, verdict, certainty, the reason that explains the verdict or None, best level for, best level against)
TABLE = [
    # nothing, or context only
    ("", "unsupported", "none", NOTHING, None, None),
    ("X1", "unsupported", "none", NOTHING, None, None),
    # one kind of relation
    ("S1", "supported", "high", None, None, None),
    ("S2", "supported", "moderate", None, None, None),
    ("S2 S2", "supported", "moderate", None, None, None),
    ("S3", "supported", "low", None, None, None),
    ("S4", "supported", "low", None, None, None),
    ("S5", "supported", "very low", None, None, None),
    ("P1", "partly_supported", "high", PART, None, None),
    ("P5", "partly_supported", "very low", PART, None, None),
    ("C1", "contradicted", "high", AGAINST, None, 1),
    ("C2", "contradicted", "moderate", AGAINST, None, 2),
    ("C2 C5", "contradicted", "moderate", AGAINST, None, 2),
    ("C3", "unsupported", "low", "nothing supports it", None, None),   # low certainty against is not enough
    ("C5", "unsupported", "very low", "nothing supports it", None, None),
    # support and partial support, no contradiction: full support anywhere makes it supported
    ("S1 P2", "supported", "high", None, None, None),
    ("S5 P1", "supported", "high", None, None, None),
    ("S1 X1", "supported", "high", None, None, None),
    # full support against contradiction: contradicted only by more certain evidence against
    ("S1 C1", "overstated", "high", WEAKER, 1, 1),      # equal levels: the full support holds, weaker form
    ("S2 C2", "overstated", "moderate", WEAKER, 2, 2),
    ("S3 C3", "overstated", "low", WEAKER, 3, 3),
    ("S5 C5", "overstated", "very low", WEAKER, 5, 5),
    ("S1 C2", "overstated", "high", WEAKER, 1, 2),      # weaker contradiction
    ("S3 C5", "overstated", "low", WEAKER, 3, 5),
    ("S2 C1", "contradicted", "high", MIXED, 2, 1),     # stronger contradiction wins
    ("S3 C2", "contradicted", "moderate", MIXED, 3, 2),
    ("S5 C4", "overstated", "very low", WEAKER, 5, 4),  # stronger, but of low certainty: not enough
    # partial support against contradiction: equal certainty is enough against partial support
    ("P1 C1", "contradicted", "high", MIXED, 1, 1),
    ("P2 C2", "contradicted", "moderate", MIXED, 2, 2),
    ("P3 C3", "overstated", "low", WEAKER, 3, 3),       # equal, but of low certainty
    ("P1 C2", "overstated", "high", WEAKER, 1, 2),
    ("P4 C5", "overstated", "low", WEAKER, 4, 5),
    ("P2 C1", "contradicted", "high", MIXED, 2, 1),
    ("P5 C3", "overstated", "very low", WEAKER, 5, 3),
    # all three: the best favouring claim counts, whether it supports fully or partly
    ("S1 P1 C1", "overstated", "high", WEAKER, 1, 1),
    ("S2 P1 C1", "overstated", "high", WEAKER, 1, 1),
    ("S1 P2 C2", "overstated", "high", WEAKER, 1, 2),
    ("S3 P1 C2", "overstated", "high", WEAKER, 1, 2),
    ("S2 P2 C1", "contradicted", "high", MIXED, 2, 1),
    ("S3 P3 C3", "overstated", "low", WEAKER, 3, 3),
    ("S5 P4 C3", "overstated", "low", WEAKER, 4, 3),
    # several contradicting claims: the best of them counts
    ("S2 C5 C1", "contradicted", "high", MIXED, 2, 1),
    ("S1 C5 C2", "overstated", "high", WEAKER, 1, 2),
]


@pytest.mark.parametrize("spec,verdict,certainty,why,for_level,against_level", TABLE,
                         ids=[t[0] or "nothing" for t in TABLE])
def test_verdict_table(spec, verdict, certainty, why, for_level, against_level):
    v = verdict_for(statement(), claims(spec), True)
    assert (v.verdict, v.computed_verdict, v.strength, v.certainty) == (verdict, verdict, certainty, certainty)
    if why is not None:
        expected = why.format(f=CERTAINTY.get(for_level, ""), a=CERTAINTY.get(against_level, ""))
        assert v.reasons[0] == expected
    else:  # a plain "supported" needs no explanation: the evidence lines come first
        assert v.reasons[0].startswith("supports: ")
    assert v.blocking is (verdict == "unsupported")
    assert v.claims == tuple(c["claim_id"] for c in claims(spec))
    assert v.numeric_check == "not_asserted"


def test_low_certainty_evidence_against_says_why_it_is_not_a_contradiction():
    v = verdict_for(statement(), claims("C3"), True)
    assert v.reasons[:2] == ("nothing supports it",
                             "the evidence against is of low certainty: not enough to call the statement contradicted")


def test_a_superlative_on_partial_support_is_overstated():
    v = verdict_for(statement(kind="superlative"), claims("P1"), True)
    assert (v.verdict, v.reasons[0]) == (
        "overstated", "a superlative resting only on partial support: the evidence supports a weaker form")
    assert verdict_for(statement(kind="superlative"), claims("S1"), True).verdict == "supported"


def test_decide_states_the_rule_without_the_reasons_lines():
    sup, part, con = claims("S2"), claims("P2"), claims("C2")
    assert decide(statement(), [], [], [], design_grade)[0] == "unsupported"
    assert decide(statement(), sup, [], con, design_grade)[0] == "overstated"
    assert decide(statement(), [], part, con, design_grade)[0] == "contradicted"
    assert decide(statement(), sup, part, con, design_grade)[0] == "overstated"


def test_reasons_list_every_claim_strongest_first_and_contradictions_first_when_contradicted():
    v = verdict_for(statement(), claims("S5 C1 P3 X2"), True)
    assert v.verdict == "contradicted"
    assert v.reasons[:5] == (
        "evidence is mixed: evidence of high certainty points the other way, against support of low certainty",
        "contradicts: k1-C1 (meta-analysis): finding C1",
        "supports: k0-S5 (narrative review): finding S5",
        "partly supports: k2-P3 (cohort study): finding P3",
        "context: k3-X2 (RCT): finding X2",
    )
    assert v.reasons[5].startswith("certainty: high")
    w = verdict_for(statement(), claims("P3 S5 X2"), True)
    assert w.reasons[:3] == (
        "supports: k1-S5 (narrative review): finding S5",
        "partly supports: k0-P3 (cohort study): finding P3",
        "context: k2-X2 (RCT): finding X2",
    )


def test_unknown_design_counts_as_the_weakest_level():
    unknown = claims("S1 C5")
    unknown[0]["design"] = "anecdote"  # not a design the vocabulary knows: level 5, like a narrative review
    v = verdict_for(statement(), unknown, True)
    assert v.verdict == "overstated" and v.certainty == "very low"
    assert "supports: k0-S1 (anecdote): finding S1" in v.reasons
    stronger = claims("S1 C2")
    stronger[0]["design"] = "anecdote"
    assert verdict_for(statement(), stronger, True).verdict == "contradicted"
