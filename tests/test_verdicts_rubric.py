"""The verdict rubric (issue 9): one case per verdict, unverified and background claims, outcome-matched numbers,
missing evidence that is never contradiction, and overrides that keep the computed verdict."""

from __future__ import annotations

import pytest

from evidence.check.verdicts import verdict_for
from evidence.model import Certainty, Statement
from evidence.synthesis import grade_body


def statement(kind="claim", asserts=None, override=None, reason=None, outcome=None, measure=None):
    return Statement("a", "S01", 1, "quote", kind, asserts, (), 0, 5, "", "", "exact", "quote", 100.0,
                     override, reason, None, "a.statements.csv", 2, outcome, measure)


def c(cid, relation, design="rct", **kw):
    base = {"claim_id": cid, "relation": relation, "link_note": None, "citekey": cid.split("-")[0], "design": design,
            "summary": f"summary of {cid}", "value": None, "low": None, "high": None, "unit": None, "n": None,
            "outcome": "efficacy", "measure": None, "status": "verified", "basis": "result", "direction": None}
    return {**base, **kw}


def fixed(level):
    """A grader that returns one certainty, so a case isolates the rubric from the grading."""
    return lambda claims: Certainty(level, (f"{level} by construction",))


@pytest.mark.parametrize("links,kind,grade,expected", [
    ([c("t-1", "supports")], "claim", "moderate", "supported"),
    ([c("t-1", "partly")], "claim", "moderate", "partly_supported"),
    ([c("t-1", "partly")], "superlative", "moderate", "overstated"),
    ([c("t-1", "supports"), c("m-1", "contradicts", direction="no_difference")], "claim", "high", "overstated"),
    ([c("t-1", "supports"), c("m-1", "contradicts")], "claim", "low", "overstated"),
    ([c("m-1", "contradicts")], "claim", "moderate", "contradicted"),
    ([c("m-1", "contradicts")], "claim", "low", "unsupported"),
    ([c("m-1", "contradicts", direction="no_difference")], "claim", "high", "unsupported"),
    ([], "claim", "high", "unsupported"),
    ([c("t-1", "supports")], "opinion", "high", "not_checkable"),
])
def test_rubric_table(links, kind, grade, expected):
    assert verdict_for(statement(kind=kind), links, True, fixed(grade)).verdict == expected


def test_contradicted_needs_moderate_certainty_at_least_as_strong_as_the_support():
    links = [c("t-1", "supports"), c("m-1", "contradicts", design="meta_analysis")]
    by_design = {"rct": "low", "meta_analysis": "moderate"}
    grade = lambda claims: Certainty(max((by_design[x["design"]] for x in claims), key=["low", "moderate"].index))
    assert verdict_for(statement(), links, True, grade).verdict == "contradicted"
    equal = [c("t-1", "supports", design="meta_analysis"), c("m-1", "contradicts", design="meta_analysis")]
    assert verdict_for(statement(), equal, True, grade).verdict == "overstated"


def test_a_different_number_of_sessions_is_missing_evidence_not_contradiction():
    links = [c("t-1", "contradicts", outcome="sessions", sessions=3.0, value=3, unit="sessions")]
    v = verdict_for(statement(asserts="1 sessions"), links, True, fixed("high"))
    assert v.verdict == "unsupported" and any("missing evidence for that number" in r for r in v.reasons)


def test_unverified_support_is_counted_apart_and_says_so():
    v = verdict_for(statement(), [c("t-1", "supports", status="unverified")], True, fixed("high"))
    assert v.verdict == "partly_supported"
    assert sum("rests only on unverified claims" in r for r in v.reasons) == 1
    assert any("[unverified: counted apart]" in r for r in v.reasons)


def test_background_from_an_rct_counts_as_the_weakest_evidence():
    rct_background = [c("t-1", "supports", basis="background")]
    v = verdict_for(statement(), rct_background, True, grade_body)
    assert v.certainty == "very low" and any("background" in r for r in v.reasons)
    v = verdict_for(statement(), [c("t-1", "supports", n=500, value=1.5, low=1.2, high=1.9, unit="risk_ratio",
                                    interval="ci95")], True, grade_body)
    assert v.certainty == "high" and v.strength == "high"


def test_numbers_are_compared_only_within_the_asserted_outcome_and_measure():
    links = [c("t-1", "supports", measure="improvement in pigmentation", value=84, unit="percent"),
             c("t-2", "supports", measure="improvement in firmness and wrinkling", value=55, unit="percent")]
    v = verdict_for(statement(asserts=">70 percent", measure="firmness"), links, True, fixed("moderate"))
    assert v.numeric_check == "disagrees"
    number = next(r for r in v.reasons if r.startswith("number:"))
    assert "t-2 gives 55 percent (efficacy: improvement in firmness and wrinkling)" in number
    assert "not compared" in number and "t-1 gives 84 percent" in number.split("not compared")[1]
    other = [c("t-1", "supports", outcome="downtime", value=84, unit="percent"), c("t-2", "supports", value=75,
                                                                                   unit="percent")]
    v = verdict_for(statement(asserts=">70 percent", outcome="efficacy"), other, True, fixed("moderate"))
    assert v.numeric_check == "agrees" and "t-1" not in next(r for r in v.reasons if r.startswith("number:")).split(
        "not compared")[0]


def test_a_disagreeing_number_makes_a_supported_statement_overstated_and_blocking():
    v = verdict_for(statement(asserts="~2 weeks"), [c("t-1", "supports", outcome="downtime", low=5, high=7,
                                                      unit="days")], True, fixed("moderate"))
    assert v.verdict == "overstated" and v.blocking


def test_override_keeps_working_with_the_computed_verdict_beside_it():
    v = verdict_for(statement(override="contradicted", reason="editor read the full text"),
                    [c("t-1", "supports", direction="no_difference")], True, fixed("high"))
    assert v.verdict == "contradicted" and v.computed_verdict == "supported"
    assert v.reasons[0].startswith("editor override (supported -> contradicted)")


def test_check_json_exposes_certainty_and_its_reasons(shipped, cli):
    import json
    r = cli(shipped, "check", "acne-scars", "--format", "json")
    (data,) = json.loads(r.output)["articles"]  # check --format json is always {"articles": [...]}
    s = {x["id"]: x for x in data["statements"]}
    assert {"certainty", "certainty_reasons", "outcome"} <= set(s["S61"])
    assert s["S61"]["certainty"] in ("very low", "low", "moderate", "high")
    assert any(x.startswith("starts") for x in s["S61"]["certainty_reasons"])
    assert "overstated" in data["summary"]
