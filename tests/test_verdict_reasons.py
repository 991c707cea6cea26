"""What a verdict says and when it blocks: numbers, downgrades, overrides, changed quotes.

Each test states one rule of README "Verdicts, explained" and checks the reasons an editor reads
word for word, so a rule that silently changes its explanation is caught too.
"""

from __future__ import annotations

import pytest

from evidence.check.verdicts import claim_line, numeric_check, verdict_for

from .test_verdict_table import statement


def claim(cid, relation="supports", design="rct", value=None, low=None, high=None, unit=None, n=None,
          note=None, citekey=None):
    return {"claim_id": cid, "relation": relation, "link_note": note, "citekey": citekey or cid.split("-")[0],
            "design": design, "summary": f"summary of {cid}", "value": value, "low": low, "high": high,
            "unit": unit, "n": n}


def test_a_claim_line_names_design_size_number_and_note():
    assert claim_line(claim("t-1", n=40, low=5, high=7, unit="days")) == "t-1 (RCT, n=40): summary of t-1 [5-7 days]"
    assert claim_line(claim("t-2", value=65, unit="percent")) == "t-2 (RCT): summary of t-2 [65 percent]"
    assert claim_line(claim("t-3", design="anecdote")) == "t-3 (anecdote): summary of t-3"  # unknown design: as written
    assert claim_line(claim("t-4", design=None)) == "t-4 (study): summary of t-4"
    v = verdict_for(statement(), [claim("t-1", note="only at 6 months")], True)
    assert "supports: t-1 (RCT): summary of t-1 — only at 6 months" in v.reasons


def test_a_number_that_disagrees_leads_the_reasons_downgrades_and_blocks():
    v = verdict_for(statement(asserts="~2 weeks"),
                    [claim("t-1", low=5, high=7, unit="days"), claim("u-1", value=1, unit="months")], True)
    assert (v.verdict, v.numeric_check, v.blocking) == ("overstated", "disagrees", True)
    assert list(v.reasons) == [
        "number: the article says ~2 weeks; the evidence says t-1 gives 5-7 days (no outcome); u-1 gives 1 months "
        "(no outcome)",
        "downgraded: the article's number disagrees with its evidence",
        "supports: t-1 (RCT): summary of t-1 [5-7 days]",
        "supports: u-1 (RCT): summary of u-1 [1 months]",
        "certainty: moderate: from design alone: best evidence level 2",
    ]


def test_a_disagreeing_number_downgrades_partial_support_too_but_not_a_contradiction():
    partial = verdict_for(statement(asserts="1 sessions"), [claim("t-1", "partly", value=3, unit="sessions")], True)
    assert (partial.verdict, partial.blocking) == ("overstated", True)  # anything above overstated comes down to it
    assert partial.reasons[:3] == ("number: the article says 1 sessions; the evidence says t-1 gives 3 sessions (no outcome)",
                                   "downgraded: the article's number disagrees with its evidence",
                                   "the evidence supports only part of it")
    against = verdict_for(statement(asserts="1 sessions"), [claim("t-1", "contradicts", value=3, unit="sessions")], True)
    assert (against.verdict, against.numeric_check) == ("contradicted", "disagrees")
    assert not any(r.startswith("downgraded") for r in against.reasons)


def test_agreement_is_reported_with_the_disagreeing_claims_beside_it():
    linked = [claim("a-1", value=3, unit="sessions"), claim("b-1", value=1, unit="sessions")]
    v = verdict_for(statement(asserts="1 sessions"), linked, True)
    assert (v.verdict, v.numeric_check, v.blocking) == ("supported", "agrees", False)
    assert v.reasons[0] == ("number: the article says 1 sessions; agrees with b-1 gives 1 sessions (no outcome) "
                            "(but a-1 gives 3 sessions (no outcome))")
    only = numeric_check(statement(asserts="1 sessions"), [claim("b-1", value=1, unit="sessions"),
                                                            claim("c-1", value=1, unit="sessions")])
    assert only == ("agrees", ["number: the article says 1 sessions; agrees with b-1 gives 1 sessions (no outcome); "
                               "c-1 gives 1 sessions (no outcome)"])


def test_context_claims_numberless_claims_and_other_dimensions_are_not_compared():
    linked = [claim("x-1", "context", value=3, unit="sessions"), claim("y-1"), claim("z-1", value=2, unit="percent"),
              claim("w-1", value=1, unit="sessions")]
    assert numeric_check(statement(asserts="1 sessions"), linked)[0] == "agrees"  # w-1, after the skipped ones
    assert numeric_check(statement(asserts="1 sessions"), linked[:3]) == (
        "no_number", ["number: the article says 1 sessions; no linked claim gives a number in sessions"])
    assert numeric_check(statement(asserts="~2 weeks"), linked[:3]) == (
        "no_number", ["number: the article says ~2 weeks; no linked claim gives a number in time"])
    assert numeric_check(statement(), linked) == ("not_asserted", [])
    v = verdict_for(statement(asserts="~2 weeks"), [claim("t-1", value=65, unit="percent")], True)
    assert v.numeric_check == "no_number" and v.verdict == "supported" and not v.blocking
    assert v.reasons == ("number: the article says ~2 weeks; no linked claim gives a number in time",
                         "supports: t-1 (RCT): summary of t-1 [65 percent]",
                         "certainty: moderate: from design alone: best evidence level 2")


def test_a_cited_source_that_lacks_the_claim_downgrades_only_full_support():
    v = verdict_for(statement(cites=("other2020x",)), [claim("ma-1", design="meta_analysis")], False)
    assert v.verdict == "partly_supported" and v.computed_verdict == "partly_supported" and not v.blocking
    assert v.reasons[0] == "downgraded: the cited source does not carry this claim"
    partial = verdict_for(statement(cites=("other2020x",)), [claim("ma-1", "partly", design="meta_analysis")], False)
    assert partial.reasons[0] == "the evidence supports only part of it"


@pytest.mark.parametrize("anchor,blocking", [("exact", False), ("ambiguous", False), ("changed", True), ("missing", True)])
def test_a_changed_or_missing_quote_blocks_even_a_supported_statement(anchor, blocking):
    v = verdict_for(statement(anchor=anchor), [claim("ma-1", design="meta_analysis")], True)
    assert v.verdict == "supported" and v.blocking is blocking


def test_opinion_never_blocks_and_an_override_decides_what_blocks():
    opinion = verdict_for(statement(kind="opinion", anchor="changed"), [], True)
    assert (opinion.verdict, opinion.strength, opinion.numeric_check, opinion.blocking) == (
        "not_checkable", "n/a", "not_asserted", False)
    assert opinion.reasons == ("opinion: not a checkable claim",)
    advice = verdict_for(statement(kind="advice", asserts="1 sessions"), [claim("t-1", value=3, unit="sessions")], True)
    assert advice.verdict == "not_checkable" and advice.numeric_check == "not_asserted" and not advice.blocking
    assert advice.claims == ("t-1",)
    over = verdict_for(statement(override_verdict="supported", override_reason="the editor read the full text"), [], True)
    assert (over.verdict, over.computed_verdict, over.blocking) == ("supported", "unsupported", False)
    assert over.override_reason == "the editor read the full text"
    assert over.reasons[:2] == ("editor override (unsupported -> supported): the editor read the full text",
                                "no linked evidence supports or contradicts this statement")
    assert (over.slug, over.statement_id) == ("a", "S01")
    kept = verdict_for(statement(override_verdict="not_checkable", override_reason="quoted opinion", anchor="changed"),
                       [], True)
    assert kept.verdict == "not_checkable" and not kept.blocking


def test_agreement_lists_every_disagreeing_claim_too():
    linked = [claim("a-1", value=1, unit="sessions"), claim("b-1", value=3, unit="sessions"),
              claim("c-1", value=4, unit="sessions")]
    assert numeric_check(statement(asserts="1 sessions"), linked)[1] == [
        "number: the article says 1 sessions; agrees with a-1 gives 1 sessions (no outcome) (but b-1 gives 3 sessions "
        "(no outcome); c-1 gives 4 sessions (no outcome))"]


def test_claims_of_one_level_are_listed_by_claim_id_and_an_unknown_design_is_the_weakest():
    v = verdict_for(statement(), [claim("z-1", design="anecdote"), claim("a-1", design="anecdote")], True)
    assert list(v.reasons) == ["supports: a-1 (anecdote): summary of a-1", "supports: z-1 (anecdote): summary of z-1",
                               "certainty: very low: from design alone: best evidence level 5"]


def test_an_unsupported_statement_says_so_and_nothing_else():
    v = verdict_for(statement(), [], True)
    assert v.reasons == ("no linked evidence supports or contradicts this statement",)
    assert (v.verdict, v.strength, v.blocking, v.claims) == ("unsupported", "none", True, ())
