"""The rubric's finer rules (README "Verdicts, explained"): what a claim rests on (basis), unverified
claims counted apart, missing evidence that is not evidence against, and numbers compared within the
outcome the statement asserts. Written against evidence/check/rubric.py as it landed for issue 9."""

from __future__ import annotations

from evidence.check.rubric import decide, design_grade, level, missing_not_against
from evidence.check.verdicts import asserted_outcome, claim_line, numeric_check, verdict_for
from evidence.model import Certainty

from .test_verdict_table import statement


def claim(cid, relation="supports", design="rct", outcome="efficacy", **extra):
    base = {"claim_id": cid, "relation": relation, "link_note": None, "citekey": cid.split("-")[0], "design": design,
            "summary": f"summary of {cid}", "value": None, "low": None, "high": None, "unit": None, "n": None,
            "outcome": outcome}
    return {**base, **extra}


def test_what_a_claim_rests_on_is_said_and_background_is_the_weakest_level():
    assert claim_line(claim("a-1", basis="background")) == (
        "a-1 (RCT): summary of a-1 [background: a statement citing others, counts as the weakest evidence]")
    assert claim_line(claim("a-1", basis="conclusion")) == "a-1 (RCT): summary of a-1 [the authors' conclusion, not a reported result]"
    assert claim_line(claim("a-1", status="unverified")) == "a-1 (RCT): summary of a-1 [unverified: counted apart]"
    assert claim_line(claim("a-1", basis="background", status="unverified")) == (
        "a-1 (RCT): summary of a-1 [background: a statement citing others, counts as the weakest evidence]"
        " [unverified: counted apart]")
    assert claim_line(claim("a-1", basis="result")) == claim_line(claim("a-1")) == "a-1 (RCT): summary of a-1"
    assert (level(claim("a-1", design="meta_analysis", basis="background")), level(claim("a-1", design="meta_analysis"))) == (5, 1)
    assert level(claim("a-1", design="meta_analysis", basis="conclusion")) == 1


def test_support_resting_only_on_unverified_claims_is_at_most_partly_supported():
    v = verdict_for(statement(), [claim("a-1", design="meta_analysis", status="unverified")], True)
    assert (v.verdict, v.reasons[0]) == (
        "partly_supported", "the support rests only on unverified claims (counted apart, never as full support)")
    assert sum(r.startswith("the support rests only") for r in v.reasons) == 1  # said once
    verified = verdict_for(statement(), [claim("a-1", design="meta_analysis", status="verified")], True)
    assert verified.verdict == "supported"
    # against evidence, an unverified support is named as such beside the verdict
    w = verdict_for(statement(), [claim("a-1", status="unverified"), claim("b-1", "contradicts", design="cohort")], True)
    assert w.verdict == "overstated" and w.reasons[:2] == (
        "the evidence supports a weaker form of it: the evidence against (low certainty) does not outweigh the support "
        "(moderate certainty)", "the support rests only on unverified claims")


def test_unverified_claims_are_left_out_of_the_certainty_when_verified_evidence_exists():
    sup = [claim("a-1", design="meta_analysis", status="unverified"), claim("b-1", design="cohort")]
    assert decide(statement(), sup, [], [], design_grade)[2].level == "low"  # the verified cohort study
    con = [claim("c-1", "contradicts", design="meta_analysis", status="unverified"), claim("d-1", "contradicts", design="cohort")]
    verdict, why, certainty = decide(statement(), [claim("e-1", design="rct")], [], con, design_grade)
    assert (verdict, certainty.level) == ("overstated", "moderate")  # low against (verified) vs moderate for
    only_unverified = [claim("c-1", "contradicts", design="meta_analysis", status="unverified")]
    assert decide(statement(), [], [], only_unverified, design_grade)[0] == "contradicted"  # nothing else to grade


def test_missing_evidence_is_not_evidence_against():
    nsd = claim("n-1", "contradicts", design="meta_analysis", direction="no_difference")
    assert missing_not_against(statement(), nsd) == ("a non-significant difference: missing evidence for the claim, "
                                                     "not evidence against it")
    v = verdict_for(statement(), [claim("a-1"), nsd], True)
    assert v.verdict == "overstated"
    assert v.reasons[:2] == ("the evidence supports a weaker form of it",
                             "n-1 is a non-significant difference: missing evidence for the claim, not evidence against it")
    sessions = claim("s-1", "contradicts", design="meta_analysis", sessions=2.0)
    assert missing_not_against(statement(asserts="1 sessions"), sessions) == (
        "the trial used 2 sessions, not the 1 the statement names: missing evidence for that number, not evidence against it")
    assert missing_not_against(statement(asserts="1 sessions"), claim("s-1", "contradicts", sessions=1.0)) == ""
    assert missing_not_against(statement(asserts="1-2 sessions"), sessions) == ""  # a range names no one number
    assert missing_not_against(statement(asserts="~2 weeks"), sessions) == ""
    assert missing_not_against(statement(), claim("x-1", "contradicts", direction="favours_comparator")) == ""
    alone = verdict_for(statement(), [nsd], True)
    assert (alone.verdict, alone.reasons[:2]) == ("unsupported", (
        "nothing supports it", "n-1 is a non-significant difference: missing evidence for the claim, not evidence against it"))


def test_low_certainty_evidence_against_is_named_before_the_missing_evidence():
    v = verdict_for(statement(), [claim("c-1", "contradicts", design="cohort"),
                                 claim("n-1", "contradicts", direction="no_difference")], True)
    assert v.reasons[:3] == ("nothing supports it",
                             "the evidence against is of low certainty: not enough to call the statement contradicted",
                             "n-1 is a non-significant difference: missing evidence for the claim, not evidence against it")


def test_the_asserted_outcome_is_the_statements_own_else_what_most_support_is_about():
    linked = [claim("a-1", outcome="downtime"), claim("b-1", outcome="efficacy"), claim("c-1", outcome="efficacy"),
              claim("d-1", "partly", outcome="sessions"), claim("e-1", "contradicts", outcome="durability")]
    assert asserted_outcome(statement(outcome="cost"), linked) == "cost"
    assert asserted_outcome(statement(), linked) == "efficacy"
    assert asserted_outcome(statement(), linked[3:]) == "sessions"  # no full support: the partial one
    assert asserted_outcome(statement(), linked[4:]) == "durability"  # only contradiction
    assert asserted_outcome(statement(), [claim("a-1", outcome="downtime"), claim("b-1", outcome="cost")]) == "cost"  # tie: first by name
    assert asserted_outcome(statement(), [claim("a-1", outcome=None), claim("x-1", "context")]) == ""


def test_the_verdict_weighs_the_support_about_the_asserted_outcome():
    linked = [claim("a-1", design="meta_analysis", outcome="downtime"), claim("b-1", design="narrative_review"),
              claim("c-1", "contradicts", design="rct")]
    v = verdict_for(statement(outcome="efficacy"), linked, True)
    assert v.verdict == "contradicted"  # the efficacy support is a narrative review; the meta-analysis is about downtime
    assert (v.outcome, v.certainty) == ("efficacy", "moderate")
    assert v.reasons[-1].startswith("certainty: moderate for efficacy: ")
    partial = [claim("a-1", "partly", design="meta_analysis", outcome="downtime"), claim("b-1", "partly", design="narrative_review"),
               claim("c-1", "contradicts", design="rct")]
    assert verdict_for(statement(outcome="efficacy"), partial, True).verdict == "contradicted"
    none = verdict_for(statement(outcome="efficacy"), [], True)
    assert (none.outcome, none.certainty, none.certainty_reasons) == ("efficacy", "none", ())


def test_numbers_are_compared_within_the_outcome_and_measure():
    linked = [claim("a-1", value=3, unit="sessions", outcome="sessions", measure="sessions to clearance"),
              claim("b-1", value=1, unit="sessions", outcome="efficacy"),
              claim("c-1", value=5, unit="sessions", outcome="sessions", endpoint="Clearance")]
    assert numeric_check(statement(asserts="1 sessions", outcome="sessions"), linked) == ("disagrees", [
        "number: the article says 1 sessions about sessions; the evidence says a-1 gives 3 sessions (sessions: sessions to "
        "clearance); c-1 gives 5 sessions (sessions); not compared, another outcome or measure: b-1 gives 1 sessions "
        "(efficacy)"])
    by_measure = numeric_check(statement(asserts="5 sessions", outcome="sessions", measure="clearance"), linked)
    assert by_measure == ("agrees", [
        "number: the article says 5 sessions about sessions (clearance); agrees with c-1 gives 5 sessions (sessions) "
        "(but a-1 gives 3 sessions (sessions: sessions to clearance)); not compared, another outcome or measure: "
        "b-1 gives 1 sessions (efficacy)"])
    nothing = numeric_check(statement(asserts="5 sessions", outcome="cost"), linked)
    assert nothing[0] == "no_number" and nothing[1][0].startswith(
        "number: the article says 5 sessions about cost; no linked claim about cost gives a number in sessions; "
        "not compared, another outcome or measure: a-1 gives 3 sessions")
    # the outcome is taken from the claims that give a number in the asserted dimension
    mixed = [claim("p-1", value=80, unit="percent", outcome="prevalence"), claim("q-1", outcome="efficacy"),
             claim("r-1", outcome="efficacy")]
    assert numeric_check(statement(asserts=">50 percent"), mixed)[0] == "agrees"


def test_a_disagreeing_number_does_not_touch_a_verdict_at_or_below_overstated():
    linked = [claim("a-1", value=3, unit="sessions"), claim("n-1", "contradicts", direction="no_difference")]
    v = verdict_for(statement(asserts="1 sessions"), linked, True)
    assert v.verdict == "overstated" and not any(r.startswith("downgraded") for r in v.reasons)


def test_the_design_grader():
    assert design_grade([]) == Certainty("none", ("no evidence",))
    graded = design_grade([claim("a-1", design="cohort"), claim("a-2", design="rct"), claim("b-1", design="cohort")])
    assert graded == Certainty("moderate", ("from design alone: best evidence level 2",), studies=2)


def test_a_statement_that_is_not_checkable_has_no_outcome_or_certainty():
    v = verdict_for(statement(kind="opinion"), [claim("a-1", design="meta_analysis")], True)
    assert (v.verdict, v.outcome, v.certainty, v.certainty_reasons) == ("not_checkable", "", "none", ())


def test_background_and_conclusion_tags_follow_the_number():
    c = claim("a-1", value=65, unit="percent", basis="background")
    assert claim_line(c) == ("a-1 (RCT): summary of a-1 [65 percent] [background: a statement citing others, counts as "
                             "the weakest evidence]")
    c = claim("a-1", value=65, unit="percent", basis="conclusion", status="unverified")
    assert claim_line(c) == ("a-1 (RCT): summary of a-1 [65 percent] [the authors' conclusion, not a reported result] "
                             "[unverified: counted apart]")
