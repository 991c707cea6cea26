"""The verdict rule as a table: every combination of support, partial support and contradiction,
at equal and at different evidence levels (README "Verdicts, explained").

Written against today's rule:
- nothing linked (or only context): unsupported;
- only contradiction: contradicted;
- support without contradiction: supported when any claim fully supports, else partly supported;
- support and contradiction together: contradicted when the best contradicting evidence is of a
  higher level (a lower level number) than the best supporting evidence, or of the same level while
  the support is only partial; otherwise partly supported.

Levels (evidence/validate/rules.py): meta-analysis 1, RCT 2, cohort 3, case series 4, narrative review 5.
"""

from __future__ import annotations

import pytest

from evidence.check.verdicts import combine, strength_of, verdict_for
from evidence.model import Statement

DESIGN = {1: "meta_analysis", 2: "rct", 3: "cohort", 4: "case_series", 5: "narrative_review"}
WORD = {1: "meta-analysis", 2: "RCT", 3: "cohort study", 4: "case series", 5: "narrative review"}


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


SAME_LEVEL_FULL = "evidence is mixed: the support ({f}) is at least as strong as the contradicting evidence ({a})"
STRONGER_AGAINST = "evidence is mixed: the contradicting evidence ({a}) is stronger than the support ({f})"
SAME_LEVEL_PARTIAL = ("evidence is mixed: only partial support ({f}) against contradicting evidence of the same "
                      "level ({a})")

# (links, verdict, strength, the reason that explains the verdict or None, best-for level, best-against level)
TABLE = [
    # nothing, or context only
    ("", "unsupported", "none", "no linked evidence supports or contradicts this statement", None, None),
    ("X1", "unsupported", "none", "no linked evidence supports or contradicts this statement", None, None),
    # one kind of relation
    ("S1", "supported", "strong", None, None, None),
    ("S2", "supported", "limited", None, None, None),  # a single trial is not yet a body of evidence
    ("S2 S2", "supported", "moderate", None, None, None),
    ("S3", "supported", "limited", None, None, None),
    ("S4", "supported", "limited", None, None, None),
    ("S5", "supported", "weak", None, None, None),
    ("P1", "partly_supported", "strong", "the evidence supports only part, or a weaker form, of it", None, None),
    ("P5", "partly_supported", "weak", "the evidence supports only part, or a weaker form, of it", None, None),
    ("C1", "contradicted", "strong", "all linked evidence contradicts it", None, None),
    ("C5", "contradicted", "weak", "all linked evidence contradicts it", None, None),
    ("C2 C5", "contradicted", "moderate", "all linked evidence contradicts it", None, None),
    # support and partial support, no contradiction: full support anywhere makes it supported
    ("S1 P2", "supported", "strong", None, None, None),
    ("S5 P1", "supported", "strong", None, None, None),
    ("S1 X1", "supported", "strong", None, None, None),
    # full support against contradiction
    ("S1 C1", "partly_supported", "strong", SAME_LEVEL_FULL, 1, 1),   # equal levels: full support holds
    ("S3 C3", "partly_supported", "limited", SAME_LEVEL_FULL, 3, 3),
    ("S5 C5", "partly_supported", "weak", SAME_LEVEL_FULL, 5, 5),
    ("S1 C2", "partly_supported", "strong", SAME_LEVEL_FULL, 1, 2),   # weaker contradiction
    ("S3 C5", "partly_supported", "limited", SAME_LEVEL_FULL, 3, 5),
    ("S2 C1", "contradicted", "strong", STRONGER_AGAINST, 2, 1),      # stronger contradiction wins
    ("S5 C4", "contradicted", "limited", STRONGER_AGAINST, 5, 4),
    # partial support against contradiction
    ("P1 C1", "contradicted", "strong", SAME_LEVEL_PARTIAL, 1, 1),    # equal levels: partial support loses
    ("P3 C3", "contradicted", "limited", SAME_LEVEL_PARTIAL, 3, 3),
    ("P1 C2", "partly_supported", "strong", SAME_LEVEL_FULL, 1, 2),
    ("P4 C5", "partly_supported", "limited", SAME_LEVEL_FULL, 4, 5),
    ("P2 C1", "contradicted", "strong", STRONGER_AGAINST, 2, 1),
    ("P5 C3", "contradicted", "limited", STRONGER_AGAINST, 5, 3),
    # all three
    ("S1 P1 C1", "partly_supported", "strong", SAME_LEVEL_FULL, 1, 1),
    ("S2 P1 C1", "partly_supported", "strong", SAME_LEVEL_FULL, 1, 1),  # best favouring evidence is the partial one
    ("S1 P2 C2", "partly_supported", "strong", SAME_LEVEL_FULL, 1, 2),
    ("S3 P1 C2", "partly_supported", "strong", SAME_LEVEL_FULL, 1, 2),
    ("S2 P2 C1", "contradicted", "strong", STRONGER_AGAINST, 2, 1),
    ("S3 P3 C3", "partly_supported", "limited", SAME_LEVEL_FULL, 3, 3),
    ("S5 P4 C3", "contradicted", "limited", STRONGER_AGAINST, 4, 3),
    # several contradicting claims: the best of them counts
    ("S2 C5 C1", "contradicted", "strong", STRONGER_AGAINST, 2, 1),
    ("S1 C5 C2", "partly_supported", "strong", SAME_LEVEL_FULL, 1, 2),
]


@pytest.mark.parametrize("spec,verdict,strength,why,for_level,against_level", TABLE,
                         ids=[t[0] or "nothing" for t in TABLE])
def test_verdict_table(spec, verdict, strength, why, for_level, against_level):
    v = verdict_for(statement(), claims(spec), True)
    assert (v.verdict, v.computed_verdict, v.strength) == (verdict, verdict, strength)
    if why is not None:
        expected = why.format(f=WORD.get(for_level, ""), a=WORD.get(against_level, ""))
        assert v.reasons[0] == expected
    else:  # a plain "supported" needs no explanation: the evidence lines come first
        assert v.reasons[0].startswith("supports: ")
    assert v.blocking is (verdict == "unsupported")
    assert v.claims == tuple(c["claim_id"] for c in claims(spec))
    assert v.numeric_check == "not_asserted"


def test_combine_states_the_rule_without_the_statement():
    sup, part, con = claims("S2"), claims("P2"), claims("C2")
    assert combine([], [], [])[0] == "unsupported"
    assert combine(sup, [], con)[0] == "partly_supported"
    assert combine([], part, con)[0] == "contradicted"
    assert combine(sup, part, con)[0] == "partly_supported"


def test_reasons_list_every_claim_strongest_first_and_contradictions_first_when_contradicted():
    v = verdict_for(statement(), claims("S5 C1 P3 X2"), True)
    assert v.verdict == "contradicted"
    assert list(v.reasons) == [
        "evidence is mixed: the contradicting evidence (meta-analysis) is stronger than the support (cohort study)",
        "contradicts: k1-C1 (meta-analysis): finding C1",
        "supports: k0-S5 (narrative review): finding S5",
        "partly supports: k2-P3 (cohort study): finding P3",
        "context: k3-X2 (RCT): finding X2",
        "strength: strong: best evidence is a meta-analysis; 1 study",
    ]
    w = verdict_for(statement(), claims("P3 S5 X2"), True)
    assert list(w.reasons) == [
        "supports: k1-S5 (narrative review): finding S5",
        "partly supports: k0-P3 (cohort study): finding P3",
        "context: k2-X2 (RCT): finding X2",
        "strength: limited: best evidence is a cohort study; 2 studies",
    ]


def test_strength_counts_studies_not_claims():
    two_claims_one_trial = claims("S2 S2")
    for c in two_claims_one_trial:
        c["citekey"] = "trial2020"
    assert strength_of(two_claims_one_trial) == ("limited", "strength: limited: best evidence is a RCT; 1 study")
    assert strength_of(claims("S2 S2")) == ("moderate", "strength: moderate: best evidence is a RCT; 2 studies")
    assert strength_of([]) == ("none", "")


def test_unknown_design_counts_as_the_weakest_level():
    unknown = claims("S1 C5")
    unknown[0]["design"] = "anecdote"  # not a design the vocabulary knows: level 5, like a narrative review
    v = verdict_for(statement(), unknown, True)
    assert v.verdict == "partly_supported"
    assert v.reasons[0] == ("evidence is mixed: the support (study) is at least as strong as the contradicting "
                            "evidence (narrative review)")
    assert "supports: k0-S1 (anecdote): finding S1" in v.reasons
    stronger = claims("S1 C4")
    stronger[0]["design"] = "anecdote"
    assert verdict_for(statement(), stronger, True).verdict == "contradicted"
