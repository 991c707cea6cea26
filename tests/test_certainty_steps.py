"""Each GRADE-lite step of certainty (README, "Certainty of the evidence"), pinned by its exact level and reason
text, at the edges of every threshold: equal, just below and just above. A one-character change to a rule or to
what it says fails here.

The claims and pooled comparisons below are written for these tests (not real recordings): plain dicts in the
shape the synthesis stage builds from claims.csv joined to studies.csv, and comparisons built directly, so that
each interval's ends and I² are exactly the value under test."""

from __future__ import annotations

import pytest

from evidence.model import Certainty
from evidence.synthesis import grade_body
from evidence.synthesis.certainty import grader
from evidence.synthesis.comparisons import Comparison
from evidence.synthesis.pooling import Estimate, Pooled

START_HIGH = "starts high: randomised evidence (rct)"
NOT_ASSESSED = "risk of bias: not assessed (no study records it); not rated down"
SINGLE = "inconsistency: a single study, cannot be judged"
DIRECT = "indirectness: intervention and comparator as recorded"
NO_PUB = "publication bias: not suspected from size and funding"
EXCLUDES = "imprecision: the interval excludes no effect (a-1 risk ratio 1.51 (95% CI 1.20 to 1.90))"


def claim(cid: str = "a-1", citekey: str = "a", design: str = "rct", **kw: object) -> dict[str, object]:
    """A verified result from 1000 people whose interval (1.20 to 1.90, around its geometric mean 1.51) excludes
    no effect: no step moves it, so only the field a test changes does."""
    base = {"claim_id": cid, "citekey": citekey, "design": design, "treatment": "t", "comparator": "c",
            "outcome": "efficacy", "status": "verified", "basis": "result", "n": 1000,
            "value": 1.51, "low": 1.2, "high": 1.9, "unit": "risk_ratio", "interval": "ci95"}
    return {**base, **kw}


NO_CI = {"value": None, "low": None, "high": None, "unit": "percent", "interval": None}


def pooled(low: float, high: float, estimate: float = 1.5, *, statistic: str = "risk_ratio", i2: float = 0.0,
           participants: int | None = 1000, notes: tuple[str, ...] = (), claims=("a-1", "b-1")) -> Comparison:
    """A pooled comparison whose random-effects interval is exactly (low, high)."""
    e = Estimate("random", estimate, low, high, 0.0, (0.5, 0.5))
    p = Pooled(statistic, len(claims), participants, (), 0.0, len(claims) - 1, None, i2, (e, e))
    return Comparison("t", "c", "efficacy", "m", statistic, p, tuple(claims), ("a", "b"), (), notes)


def two() -> list[dict[str, object]]:
    return [claim("a-1", "a"), claim("b-1", "b")]


# no evidence, unverified, background, opinion, conclusions


def test_no_claims_is_no_evidence_and_no_level():
    assert grade_body([]) == Certainty("none", ("no evidence",))
    assert grade_body([]).rank == 0


def test_an_unremarkable_randomised_result_stays_high_with_a_reason_for_every_step():
    assert grade_body([claim()]) == Certainty("high", (START_HIGH, NOT_ASSESSED, SINGLE, EXCLUDES, DIRECT, NO_PUB),
                                              "efficacy", 1, 1000)


def test_unverified_claims_are_counted_apart_when_verified_ones_exist():
    # the unverified one is at high risk of bias and from 50 people: neither counts
    shaky = claim("u-1", "u", status="unverified", risk_of_bias="high", n=50, outcome="other")
    c = grade_body([claim(), shaky, {**shaky, "claim_id": "u-2"}])
    assert c == Certainty("high", ("2 unverified claim(s) counted apart", START_HIGH, NOT_ASSESSED, SINGLE, EXCLUDES,
                                   DIRECT, NO_PUB), "efficacy", 1, 1000)


def test_when_every_claim_is_unverified_they_are_graded_and_none_is_set_apart():
    c = grade_body([claim(status="unverified")])
    assert c == Certainty("high", (START_HIGH, NOT_ASSESSED, SINGLE, EXCLUDES, DIRECT, NO_PUB), "efficacy", 1, 1000)


def test_the_outcome_is_the_first_claims():
    assert grade_body([claim(outcome="pain"), claim("b-1", "b", outcome="scars")]).outcome == "pain"


@pytest.mark.parametrize("rows,what", [
    ([{"basis": "background"}], "background statements"),
    ([{"basis": "background"}, {"basis": "background"}], "background statements"),
    ([{"design": "narrative_review"}], "narrative reviews, guidelines or opinion"),
    ([{"design": "guideline"}], "narrative reviews, guidelines or opinion"),
    ([{"design": "expert_opinion", "basis": "conclusion"}], "narrative reviews, guidelines or opinion"),
    ([{"basis": "background"}, {"design": "guideline"}], "narrative reviews, guidelines or opinion"),
])
def test_background_or_opinion_alone_is_very_low_and_says_what_it_rests_on(rows, what):
    claims = [claim(f"a-{i}", f"k{i}", **row) for i, row in enumerate(rows)]
    c = grade_body(claims)
    assert c == Certainty("very low", (f"very low: rests only on {what}, not on study results",), "efficacy",
                          len(rows), 1000 * len(rows))


def test_unverified_background_is_set_apart_and_opinion_counts_no_unknown_people():
    c = grade_body([claim(basis="background", n=None), claim("b-1", "b", status="unverified")])
    assert c == Certainty("very low", ("1 unverified claim(s) counted apart",
                                       "very low: rests only on background statements, not on study results"),
                          "efficacy", 1, None)


def test_conclusions_alone_are_rated_down_for_indirectness():
    c = grade_body([claim(basis="conclusion")])
    assert c == Certainty("moderate", (START_HIGH, NOT_ASSESSED, SINGLE, EXCLUDES,
                                       "indirectness: down one, rests on the authors' conclusions, not on reported "
                                       "results", NO_PUB), "efficacy", 1, 1000)


def test_results_outweigh_conclusions_and_a_conclusion_then_counts_for_nothing():
    # the conclusion is from a high-risk, industry-funded study of 10 people pointing the other way
    conclusion = claim("z-1", "z", basis="conclusion", risk_of_bias="high", n=10, funding="industry",
                       direction="favours_comparator")
    c = grade_body([claim(direction="favours_treatment"), conclusion])
    assert c == Certainty("high", (START_HIGH, NOT_ASSESSED, SINGLE, EXCLUDES, DIRECT, NO_PUB), "efficacy", 1, 1000)


def test_an_empty_basis_is_a_result_and_nan_fields_are_empty():
    nan = float("nan")
    c = grade_body([claim(basis=None, risk_of_bias=nan, funding=nan, direction=nan, status=nan)])
    assert c == Certainty("high", (START_HIGH, NOT_ASSESSED, SINGLE, EXCLUDES, DIRECT, NO_PUB), "efficacy", 1, 1000)


@pytest.mark.parametrize("n,participants", [(float("nan"), None), ("many", None), (None, None), (0, None),
                                            ("250", 250), (250.0, 250)])
def test_participants_are_the_known_counts(n, participants):
    c = grade_body([claim(n=n, **NO_CI)])
    assert c.participants == participants


# risk of bias


def test_a_study_at_high_risk_rates_down_one_and_is_named_with_its_reason():
    body = [claim(risk_of_bias="high", risk_of_bias_reason="no blinding"), claim("b-1", "b", risk_of_bias="high"),
            claim("c-1", "c", risk_of_bias="low")]
    c = grade_body(body)
    assert c.level == "moderate"
    assert c.reasons[1] == "risk of bias: down one, high risk in a (no blinding); b (no reason recorded)"
    assert c.studies == 3 and c.participants == 3000


def test_risk_of_bias_recorded_but_never_high_is_not_rated_down():
    c = grade_body([claim(risk_of_bias="some concerns"), claim("b-1", "b")])
    assert c.level == "high" and c.reasons[1] == "risk of bias: no study recorded at high risk"


def test_risk_of_bias_not_recorded_is_said_and_not_rated_down():
    assert grade_body([claim(risk_of_bias="")]).reasons[1] == NOT_ASSESSED


# inconsistency


@pytest.mark.parametrize("i2,level,said", [
    (50.0, "moderate", "inconsistency: down one, I² = 50% across 2 studies"),
    (75.4, "moderate", "inconsistency: down one, I² = 75% across 2 studies"),
    (49.9, "high", "inconsistency: results point the same way (I² = 50%)"),
    (0.0, "high", "inconsistency: results point the same way (I² = 0%)"),
])
def test_a_pooled_i2_of_50_percent_or_more_rates_down_one(i2, level, said):
    c = grade_body(two(), [pooled(1.2, 1.9, i2=i2)])
    assert c.level == level and c.reasons[2] == said, c.reasons


def test_results_in_opposite_directions_rate_down_one():
    body = [claim(direction="favours_treatment"), claim("b-1", "b", direction="favours_comparator")]
    c = grade_body(body)
    assert c.level == "moderate" and c.reasons[2] == "inconsistency: down one, results point in opposite directions"


@pytest.mark.parametrize("other", ["favours_treatment", "no_difference", ""])
def test_results_that_do_not_point_opposite_ways_are_consistent(other):
    body = [claim(direction="favours_treatment"), claim("b-1", "b", direction=other)]
    c = grade_body(body)
    assert c.level == "high" and c.reasons[2] == "inconsistency: results point the same way"


def test_two_results_of_one_study_are_a_single_study():
    c = grade_body([claim(), claim("a-2", "a")])
    assert c.reasons[2] == SINGLE and c.studies == 1


def test_a_comparison_without_a_pooled_estimate_or_without_these_claims_is_not_used():
    unpooled = Comparison("t", "c", "efficacy", "m", "risk_ratio", None, ("a-1", "b-1"), ("a", "b"), (), ())
    elsewhere = pooled(0.8, 1.3, i2=90.0, claims=("x-1", "y-1"))
    c = grade_body(two(), [unpooled, elsewhere])
    assert c.level == "high" and c.reasons[2] == "inconsistency: results point the same way", c.reasons
    assert grade_body(two(), [unpooled, pooled(1.2, 1.9, i2=60.0)]).level == "moderate"  # the next one is used


# imprecision (the interval's edges and the 400 people)


@pytest.mark.parametrize("low,high,crosses", [
    (1.0, 1.9, True), (0.99, 1.9, True), (1.01, 1.9, False),
    (0.5, 1.0, True), (0.5, 1.01, True), (0.5, 0.99, False),
])
def test_an_interval_touching_no_effect_crosses_it(low, high, crosses):
    c = grade_body(two(), [pooled(low, high)])
    words = f"pooled risk ratio 1.50 (95% CI {low:.2f} to {high:.2f})"
    said = f"imprecision: down one, the interval crosses no effect ({words})" if crosses else \
        f"imprecision: the interval excludes no effect ({words})"
    assert c.reasons[3] == said and c.level == ("moderate" if crosses else "high"), c.reasons
    assert len(c.reasons) == 6  # 1000 pooled participants: no step for size


@pytest.mark.parametrize("low,high,crosses", [(0.0, 2.0, True), (-1.0, 0.0, True), (0.01, 2.0, False),
                                              (-1.0, -0.01, False), (1.0, 2.0, False)])
def test_a_difference_crosses_no_effect_at_zero(low, high, crosses):
    c = grade_body(two(), [pooled(low, high, 1.0, statistic="mean_difference")])
    assert c.reasons[3].startswith("imprecision: down one, the interval crosses no effect (pooled mean difference 1.00"
                                   if crosses else "imprecision: the interval excludes no effect (pooled mean "
                                                   "difference 1.00")
    assert c.level == ("moderate" if crosses else "high")


@pytest.mark.parametrize("people,steps", [(400, 0), (401, 0), (399, 1), (1, 1), (None, 1)])
def test_fewer_than_400_pooled_participants_rate_down_one(people, steps):
    c = grade_body(two(), [pooled(1.2, 1.9, participants=people)])
    assert c.level == ("high", "moderate")[steps]
    size = [r for r in c.reasons if r.startswith("imprecision: down one")]
    assert size == ([] if steps == 0 else
                    ["imprecision: down one, the participants behind that interval are not reported, so reaching 400 "
                     "participants cannot be shown"] if people is None else
                    [f"imprecision: down one, {people} participants (fewer than 400) behind that interval"])


def test_the_most_precise_single_result_judges_precision_with_its_people():
    narrow = claim("b-1", "b", n=120, value=1.51, low=1.4, high=1.63)
    c = grade_body([claim(n=5000), narrow])
    assert c.reasons[3].startswith("imprecision: the interval excludes no effect (b-1 risk ratio 1.51 (95% CI 1.40")
    assert c.reasons[4] == "imprecision: down one, 120 participants (fewer than 400) behind that interval"
    # the first claim is equally precise: the earlier one is kept
    assert grade_body([claim(n=5000), claim("b-1", "b", n=120)]).reasons[4] == DIRECT
    # a claim whose numbers are no estimate is passed over, not an error
    broken = claim("b-1", "b", value=3.0, low=1.2, high=1.9)
    assert grade_body([broken, claim()]).reasons[3] == EXCLUDES


def test_without_any_interval_the_primary_studies_people_are_summed():
    c = grade_body([claim(n=250, **NO_CI), claim("b-1", "b", n=150, **NO_CI)])
    assert c.level == "high" and c.reasons[3:] == (
        "imprecision: no result gives an estimate with a 95% CI; judged on the participants of primary studies",
        DIRECT, NO_PUB)
    c = grade_body([claim(n=250, **NO_CI), claim("b-1", "b", n=None, **NO_CI)])
    assert c.level == "moderate" and c.reasons[4] == "imprecision: down one, 250 participants (fewer than 400)"


# indirectness


def test_a_pooled_comparison_of_different_comparators_rates_down_one_for_indirectness():
    notes = ("random note", "comparators differ: placebo, saline")
    c = grade_body(two(), [pooled(1.2, 1.9, notes=notes)])
    assert c.level == "moderate" and c.reasons[4] == "indirectness: down one, comparators differ: placebo, saline"
    assert grade_body(two(), [pooled(1.2, 1.9, notes=("random note",))]).reasons[4] == DIRECT


# publication bias


def small(i: int, n: object = 99, funding: str = "", **kw: object) -> dict[str, object]:
    return claim(f"s{i}-1", f"s{i}", n=n, funding=funding, **kw)


@pytest.mark.parametrize("ns,funded,down", [
    ((99, 99, 99), 1, True),      # three small studies, one industry-funded
    ((99,), 1, True),
    ((99, 99, 99, 99), 1, False),  # four studies
    ((99, 99, 100), 1, False),     # one has 100 people: not small
    ((99, 99, 99), 0, False),      # none industry-funded
    ((None, 99), 1, True),         # an unknown size is not shown to be large
])
def test_three_or_fewer_small_industry_funded_studies_rate_down_one(ns, funded, down):
    body = [small(i, n, "Acme Inc" if i < funded else "national grant") for i, n in enumerate(ns)]
    c = grade_body(body, [pooled(1.2, 1.9, participants=1000, claims=tuple(b["claim_id"] for b in body))])
    said = [r for r in c.reasons if r.startswith("publication bias")]
    assert said == (["publication bias: down one, few small studies, industry-funded (s0)"] if down else [NO_PUB])
    assert c.level == ("moderate" if down else "high")


@pytest.mark.parametrize("funding,industry", [
    ("Industry", True), ("the company", True), ("Acme Inc", True), ("Acme Ltd", True), ("Acme Corporation", True),
    ("sponsored by Acme", True), ("the manufacturer", True), ("companies", True),
    ("national institutes", False), ("university", False), ("", False), ("incidental", False),
])
def test_industry_funding_is_read_from_the_funding_text(funding, industry):
    body = [small(0, funding=funding), small(1, funding="industry")]
    c = grade_body(body, [pooled(1.2, 1.9, claims=("s0-1", "s1-1"))])
    assert [r for r in c.reasons if r.startswith("publication bias")] == [
        f"publication bias: down one, few small studies, industry-funded ({'s0, s1' if industry else 's1'})"]


# large effect and the level's bounds


@pytest.mark.parametrize("low,high,up", [
    (2.0, 5.0, True), (1.99, 5.0, False), (2.01, 5.0, True),
    (0.1, 0.5, True), (0.1, 0.51, False), (0.1, 0.49, True),
])
def test_a_large_ratio_lifts_non_randomised_evidence_one_level(low, high, up):
    body = [claim(design="cohort"), claim("b-1", "b", design="cohort")]
    c = grade_body(body, [pooled(low, high, 3.0)])
    words = f"pooled risk ratio 3.00 (95% CI {low:.2f} to {high:.2f})"
    assert c.level == ("moderate" if up else "low")
    assert (c.reasons[-1] == f"large effect: up one ({words})") is up
    assert len(c.reasons) == (7 if up else 6)


def test_a_large_effect_never_lifts_after_a_downgrade_nor_a_difference_nor_trials():
    cohorts = [claim(design="cohort"), claim("b-1", "b", design="cohort")]
    assert grade_body(cohorts, [pooled(2.5, 5.0, 3.0, i2=60.0)]).level == "very low"
    assert grade_body(cohorts, [pooled(2.5, 5.0, 3.0, statistic="mean_difference")]).level == "low"
    assert grade_body(two(), [pooled(2.5, 5.0, 3.0)]).level == "high"  # never above high
    assert not any(r.startswith("large effect") for r in grade_body(two(), [pooled(2.5, 5.0, 3.0)]).reasons)


def test_the_level_never_falls_below_very_low():
    worst = [claim(design="cohort", n=10, value=1.0, low=0.5, high=2.0, risk_of_bias="high",
                   direction="favours_treatment", funding="industry"),
             claim("b-1", "b", design="cohort", n=10, value=1.0, low=0.5, high=2.0, direction="favours_comparator")]
    c = grade_body(worst)
    assert c.level == "very low" and c.rank == 1
    assert [r.split(",")[0] for r in c.reasons if ": down one" in r] == [
        "risk of bias: down one", "inconsistency: down one", "imprecision: down one", "imprecision: down one",
        "publication bias: down one"]


def test_a_review_only_grade_says_so_and_a_pooled_one_or_a_primary_result_does_not():
    review = claim("m-1", "m", "meta_analysis", included_designs="non_randomised", **NO_CI)
    c = grade_body([review])
    assert c.level == "very low"
    assert c.reasons[-1] == ("very low: rests on what 1 review(s) report, with no pooled estimate here and no primary "
                             "result; it starts low as their included designs do and moves only for the steps above")
    assert not grade_body([review, claim("a-1", "a", "cohort", **NO_CI)]).reasons[-1].startswith("very low: rests")
    reviews = [review, claim("m-2", "n", "meta_analysis", included_designs="non_randomised", **NO_CI)]
    assert not grade_body(reviews, [pooled(1.2, 1.9, claims=("m-1", "m-2"))]).reasons[-1].startswith("low: rests")


def test_the_grader_grades_with_its_comparisons_and_reviews():
    grade = grader([pooled(1.2, 1.9, i2=70.0)], {"m": ("randomised", "all 2 included studies are randomised")})
    assert grade(two()) == grade_body(two(), [pooled(1.2, 1.9, i2=70.0)])
    assert grade(two()).level == "moderate"
    assert grade([claim("m-1", "m", "meta_analysis")]).level == "high"


# steps add up: each rate-down step counts one more on top of the others


@pytest.mark.parametrize("second,fields,comparison", [
    ("inconsistency: down one, I² = 60% across 2 studies", {}, {"i2": 60.0}),
    ("inconsistency: down one, results point in opposite directions", {"direction": "favours_comparator"}, None),
    ("indirectness: down one, comparators differ: placebo, saline", {}, {"notes": ("comparators differ: placebo, saline",)}),
    ("indirectness: down one, rests on the authors' conclusions, not on reported results", {"basis": "conclusion"}, None),
    ("publication bias: down one, few small studies, industry-funded (a, b)", {"n": 50, "funding": "industry"}, {}),
])
def test_each_rate_down_step_adds_to_risk_of_bias(second, fields, comparison):
    """The second claim carries the step under test; the pooled comparison (when given) holds 1000 people."""
    body = [claim(risk_of_bias="high", risk_of_bias_reason="no blinding", direction="favours_treatment",
                  **{k: v for k, v in fields.items() if k != "direction"}),
            claim("b-1", "b", **fields)]
    comparisons = [pooled(1.2, 1.9, **comparison)] if comparison is not None else []
    c = grade_body(body, comparisons)
    assert [r for r in c.reasons if ": down one" in r] == ["risk of bias: down one, high risk in a (no blinding)",
                                                          second]
    assert c.level == "low"  # high, down two


@pytest.mark.parametrize("n,level", [(50, "low"), (None, "low"), (400, "moderate")])
def test_an_interval_across_no_effect_from_too_few_people_is_two_steps(n, level):
    c = grade_body([claim(n=n, value=1.0, low=0.8, high=1.25)])
    assert c.level == level  # high, down one for the interval and one more for the people (unless 400)


@pytest.mark.parametrize("value,low,high,crosses", [(0.2, -0.3, 0.7, True), (1.0, 0.5, 1.5, False)])
def test_a_single_difference_crosses_no_effect_at_zero_not_at_one(value, low, high, crosses):
    c = grade_body([claim(value=value, low=low, high=high, unit="mean_difference")])
    assert c.reasons[3].startswith("imprecision: down one, the interval crosses no effect" if crosses else
                                   "imprecision: the interval excludes no effect")
    assert c.level == ("moderate" if crosses else "high")


def test_a_large_single_difference_never_lifts_non_randomised_evidence():
    c = grade_body([claim(design="cohort", value=3.0, low=2.5, high=3.5, unit="mean_difference")])
    assert c.level == "low" and not any(r.startswith("large effect") for r in c.reasons)


def test_every_design_of_the_body_is_named_in_its_start():
    body = [claim(), claim("b-1", "b", "split_face_rct"), claim("c-1", "c", "cohort"), claim("d-1", "d", "case_series")]
    assert grade_body(body).reasons[0] == ("starts high: randomised evidence (rct, split face rct); also "
                                           "non-randomised results (case series, cohort)")


def test_an_infinite_count_is_not_a_count():
    c = grade_body([claim(n=float("inf"), **NO_CI)])  # used to raise OverflowError
    assert c.participants is None and c.level == "moderate"
