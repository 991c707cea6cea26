"""Which outcome a verdict speaks of, and how its certainty and number findings read (README "Verdicts,
explained"; issue 14: mutants of these rules survived the verdict tests). The claims are written for these
tests (not real recordings)."""

from __future__ import annotations

from evidence.check.verdicts import asserted_outcome, numeric_check, verdict_for
from evidence.model import Certainty

from .test_verdict_reasons import claim
from .test_verdict_table import statement


def about(cid, relation="supports", outcome=None, **kw):
    return {**claim(cid, relation, **kw), "outcome": outcome}


def test_the_asserted_outcome_is_the_one_full_support_is_about_before_partial_support():
    """Full support decides the outcome even when more claims partly support another; only without full
    support does partial support count, and only without either does a contradiction."""
    linked = [about("a-1", outcome="scar score"), about("b-1", "partly", outcome="pain"),
              about("c-1", "partly", outcome="pain")]
    assert asserted_outcome(statement(), linked) == "scar score"
    assert asserted_outcome(statement(), linked[1:] + [about("d-1", "contradicts", outcome="redness")]) == "pain"
    assert asserted_outcome(statement(), [about("d-1", "contradicts", outcome="redness")]) == "redness"
    assert asserted_outcome(statement(outcome="itch"), linked) == "itch"  # the statement's own outcome first


def test_every_number_about_another_outcome_is_listed_apart():
    found = numeric_check(statement(asserts="2 sessions", outcome="scar score"), [
        about("a-1", outcome="pain", value=3, unit="sessions"), about("b-1", outcome="redness", value=4, unit="sessions"),
        about("d-1", outcome="scar score", value=2, unit="sessions")])
    assert found == ("agrees", ["number: the article says 2 sessions about scar score; agrees with d-1 gives 2 sessions "
                                "(scar score); not compared, another outcome or measure: a-1 gives 3 sessions (pain); "
                                "b-1 gives 4 sessions (redness)"])


def test_a_claim_without_endpoint_or_measure_never_matches_a_measure_the_statement_names():
    """The claim's missing endpoint and measure add nothing to what the statement's measure is looked for in,
    so even a one-letter measure name ('x') finds nothing there."""
    found = numeric_check(statement(asserts="2 sessions", measure="x"), [about("a-1", value=2, unit="sessions")])
    assert found[0] == "no_number"
    assert found[1][0].endswith("not compared, another outcome or measure: a-1 gives 2 sessions (no outcome)")


def test_every_certainty_reason_is_in_the_verdicts_certainty_line():
    def grade(claims):
        return Certainty("low", ("starts high: randomised", "down one: risk of bias", "down one: imprecision"))
    v = verdict_for(statement(), [about("a-1", outcome="scar score")], True, grade)
    assert v.reasons[-1] == ("certainty: low for scar score: starts high: randomised; down one: risk of bias; "
                             "down one: imprecision")
    assert (v.certainty, v.outcome) == ("low", "scar score")


def test_a_statement_resting_only_on_missing_evidence_is_unsupported_with_no_certainty():
    """A non-significant difference is missing evidence, not evidence against: with nothing else linked, the
    statement is unsupported and there is no body of evidence to grade (certainty 'none')."""
    nsd = {**claim("n-1", "contradicts", design="meta_analysis"), "direction": "no_difference"}
    v = verdict_for(statement(), [nsd], True)
    assert (v.verdict, v.certainty, v.strength, v.certainty_reasons) == ("unsupported", "none", "none", ())
