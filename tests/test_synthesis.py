"""The synthesis stage: effect sizes, pooling against a published meta-analysis, edge cases, overlap rules,
certainty steps, and the pooled_estimates table and canned query on the shipped workspace."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from evidence.query.runner import discover, run_query
from evidence.synthesis import from_counts, from_estimate, from_means, grade_body, pool, pooled_estimates
from evidence.synthesis.effects import Z95, Effect

from .conftest import REPO

# Hine LK, Laird N, Hewitt P, Chalmers TC. Meta-analytic evidence against prophylactic use of lidocaine in
# acute myocardial infarction. Arch Intern Med 1989;149:2694-8.
# Per-trial deaths / patients (lidocaine, then control), as Table I of Normand (1999) reproduces them, were read
# on http://metafor-project.org/doku.php/analyses:normand1999 ("dat.hine1989": Chopra 2/39 vs 1/43, Mogensen
# 4/44 vs 4/44, Pitt 6/107 vs 4/110, Darby 7/103 vs 5/100, Bennett 7/110 vs 3/106, O'Brien 11/154 vs 4/146).
# The published pooled result of these hospital-phase trials was read in the abstract on
# https://www.ncbi.nlm.nih.gov/pubmed/2688587 : "risk difference, 0.029; 95% confidence interval, +0.004 to
# +0.055". The 1989 paper prints no I² (the statistic dates from 2002); the trials agree (Q below its df).
HINE_1989 = [(2, 39, 1, 43), (4, 44, 4, 44), (6, 107, 4, 110), (7, 103, 5, 100), (7, 110, 3, 106), (11, 154, 4, 146)]


def test_reproduces_hine_1989_lidocaine_risk_difference_to_the_printed_precision():
    p = pool([from_counts(*t, statistic="risk_difference") for t in HINE_1989])
    assert p.k == 6 and p.participants == sum(t[1] + t[3] for t in HINE_1989)
    common = p.common
    assert (round(common.estimate, 3), round(common.ci_low, 3), round(common.ci_high, 3)) == (0.029, 0.004, 0.055)
    assert p.q < p.df and p.i2 == 0.0 and p.random.tau2 == 0.0
    # no between-study variance: every random-effects estimate is the common-effect one
    assert p.random.estimate == pytest.approx(common.estimate) and p.by_method(
        "random effects (Paule-Mandel)").estimate == pytest.approx(common.estimate)
    assert sum(common.weights) == pytest.approx(1.0)


# DerSimonian R, Kacker R (2007), "Random-Effects Model for Meta-analysis of Clinical Trials: An Update" (cited so on
# https://www.nist.gov/publications/random-effects-model-meta-analysis-clinical-trials-update), the CLASP example:
# six trials' counts in tests/fixtures/published/dersimonian_kacker_2007_clasp.csv and the paper's Tables 3 and 4
# (pages 111-112: tau, mu = the pooled log odds ratio, and its standard error, per estimator, to four decimals) as
# transcribed in metafor's test suite, read on
# https://rdrr.io/cran/metafor/src/tests/testthat/test_analysis_example_dersimonian2007.r (GitHub wviechtb/metafor,
# tests/testthat/test_analysis_example_dersimonian2007.r at 0d037744fd8f50f54537adece968394c911b6073):
# DerSimonian-Laird tau 0.2323, mu -0.3240, se 0.1540; Paule-Mandel tau 0.3681, mu -0.3811, se 0.2060. The paper
# prints no I² and no confidence interval; the interval below is mu +- 1.96 se of those printed figures.
CLASP = REPO / "tests" / "fixtures" / "published" / "dersimonian_kacker_2007_clasp.csv"
CLASP_PUBLISHED = {"random effects (DerSimonian-Laird)": (0.2323, -0.3240, 0.1540),
                   "random effects (Paule-Mandel)": (0.3681, -0.3811, 0.2060)}


def _clasp_trials() -> list[tuple[int, int, int, int]]:
    import csv

    lines = [line for line in CLASP.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return [(int(r["events_treatment"]), int(r["total_treatment"]), int(r["events_comparator"]),
             int(r["total_comparator"])) for r in csv.DictReader(lines)]


def test_reproduces_dersimonian_kacker_2007_clasp_odds_ratio_random_effects_to_the_printed_precision():
    trials = _clasp_trials()
    assert len(trials) == 6
    p = pool([from_counts(*t, statistic="odds_ratio") for t in trials])
    assert p.statistic == "odds_ratio" and p.k == 6 and p.df == 5
    for method, (tau, mu, se) in CLASP_PUBLISHED.items():
        e = p.by_method(method)
        log_lo, log_hi = math.log(e.ci_low), math.log(e.ci_high)
        got_se = (log_hi - log_lo) / (2 * 1.959963984540054)
        assert (round(math.sqrt(e.tau2), 4), round(math.log(e.estimate), 4), round(got_se, 4)) == (tau, mu, se), method
        # reported on the natural scale: the odds ratio and its 95% CI, as mu +- 1.96 se of the printed figures
        assert (round(e.estimate, 2), round(e.ci_low, 2), round(e.ci_high, 2)) == (
            round(math.exp(mu), 2), round(math.exp(mu - 1.96 * se), 2), round(math.exp(mu + 1.96 * se), 2))
    # the two estimators disagree on tau, so they are not the same computation under two names
    assert p.by_method("random effects (Paule-Mandel)").tau2 > p.random.tau2 > 0
    # the paper prints no I²; a positive DerSimonian-Laird tau² means Q exceeded its df, so I² is above 0
    assert p.q > p.df and p.i2 > 0


def test_ratios_are_reported_on_their_natural_scale_and_a_ci_round_trips_through_its_standard_error():
    e = from_estimate(0.49, 0.34, 0.70, "risk_ratio")
    assert e.y == pytest.approx(math.log(0.49))
    lo, hi = e.ci
    assert (round(lo, 2), round(hi, 2)) == (0.34, 0.70)  # symmetric on the log scale, not on the ratio scale
    single = pool([e])
    assert single.k == 1 and single.random.estimate == pytest.approx(0.49) and single.i2 == 0.0
    assert single.q == 0.0 and single.p_heterogeneity is None and single.random.pi_low is None


def test_zero_events_in_one_arm_gets_the_half_correction_and_zero_in_both_is_refused():
    e = from_counts(0, 20, 5, 20)
    assert math.isfinite(e.y) and math.isfinite(e.variance) and "0.5 added" in e.note
    # (0.5/21) / (5.5/21): the corrected risk ratio
    assert e.estimate == pytest.approx(0.5 / 5.5)
    with pytest.raises(ValueError, match="not estimable"):
        from_counts(0, 20, 0, 20)
    with pytest.raises(ValueError):
        from_counts(25, 20, 5, 20)


def test_identical_studies_have_no_heterogeneity_and_a_narrower_interval():
    one = from_counts(10, 50, 20, 50)
    p = pool([one, one, one])
    assert p.q == pytest.approx(0.0, abs=1e-12) and p.i2 == 0.0 and p.random.tau2 == 0.0
    assert p.random.estimate == pytest.approx(one.estimate)
    assert math.log(p.common.ci_high / p.common.ci_low) == pytest.approx(
        math.log(one.ci[1] / one.ci[0]) / math.sqrt(3))
    assert p.random.pi_low is not None and p.random.pi_low < p.random.estimate < p.random.pi_high


def test_studies_all_on_one_side_pool_on_that_side_with_heterogeneity():
    p = pool([from_counts(30, 50, 10, 50), from_counts(12, 40, 10, 40), from_counts(45, 60, 5, 60)])
    assert all(e.estimate > 1 for e in p.effects)
    assert p.random.estimate > 1 and p.common.ci_low > 1
    assert p.i2 > 50 and p.random.tau2 > 0
    # random effects widen the interval when the studies disagree
    assert p.random.ci_high / p.random.ci_low > p.common.ci_high / p.common.ci_low


def test_means_give_mean_differences_and_smd_and_mixed_statistics_are_refused():
    md = from_means(10, 2, 20, 8, 2, 20)
    assert md.y == 2 and md.variance == pytest.approx(4 / 20 + 4 / 20)
    smd = from_means(10, 2, 20, 8, 2, 20, statistic="smd")
    assert 0.9 < smd.y < 1.0  # Hedges' g shrinks d = 1 slightly
    with pytest.raises(ValueError, match="different statistics"):
        pool([md, from_counts(1, 10, 2, 10)])


def claim(cid, citekey, design="rct", **kw):
    base = {"claim_id": cid, "citekey": citekey, "design": design, "treatment": "t", "comparator": "c",
            "outcome": "efficacy", "measure": "responders", "status": "verified", "basis": "result", "includes": []}
    return {**base, **kw}


def test_comparisons_pool_trials_but_never_a_meta_analysis_with_the_trials_it_includes():
    trials = [claim("a-1", "a", events_treatment=10, total_treatment=20, events_comparator=5, total_comparator=20),
              claim("b-1", "b", events_treatment=8, total_treatment=20, events_comparator=4, total_comparator=20)]
    overlapping = claim("m-1", "m", "meta_analysis", value=2.0, low=1.2, high=3.3, unit="risk_ratio",
                        interval="ci95", includes=["a", "z"])
    unknown = claim("u-1", "u", "meta_analysis", value=1.8, low=1.1, high=2.9, unit="risk_ratio", interval="ci95")
    [c] = pooled_estimates([*trials, overlapping, unknown])
    assert c.studies == ("a", "b") and c.pooled is not None and c.pooled.k == 2
    assert any(x.startswith("m-1") and "already includes a" in x for x in c.excluded)
    assert any(x.startswith("u-1") and "not recorded" in x for x in c.excluded)
    assert any("overlap" in n for n in c.notes)


def test_disjoint_meta_analyses_pool_but_overlapping_ones_are_flagged():
    m1 = claim("m1-1", "m1", "meta_analysis", value=2.0, low=1.2, high=3.3, unit="risk_ratio", interval="ci95",
               includes=["a", "b"])
    m2 = claim("m2-1", "m2", "meta_analysis", value=1.5, low=1.0, high=2.25, unit="risk_ratio", interval="ci95",
               includes=["c"])
    [c] = pooled_estimates([m1, m2])
    assert c.pooled is not None and c.studies == ("m1", "m2")
    m3 = {**m2, "claim_id": "m3-1", "citekey": "m3", "includes": ["b", "c"]}
    [c] = pooled_estimates([m1, m3])
    assert c.pooled is None and any("already includes" in x for x in c.excluded)


def test_unverified_and_background_results_are_not_pooled():
    rows = [claim("a-1", "a", events_treatment=10, total_treatment=20, events_comparator=5, total_comparator=20),
            claim("b-1", "b", status="unverified", events_treatment=8, total_treatment=20, events_comparator=4,
                  total_comparator=20),
            claim("c-1", "c", basis="background", events_treatment=8, total_treatment=20, events_comparator=4,
                  total_comparator=20)]
    [c] = pooled_estimates(rows)
    assert c.pooled is None and any("unverified" in x for x in c.excluded)


def test_certainty_gives_a_reason_for_every_step():
    body = [claim("a-1", "a", n=40, events_treatment=10, total_treatment=20, events_comparator=5, total_comparator=20,
                  risk_of_bias="high", risk_of_bias_reason="outcome assessors not blinded")]
    c = grade_body(body)
    steps = ("starts high", "risk of bias: down one", "inconsistency", "imprecision: down one", "indirectness",
             "publication bias")
    assert all(any(r.startswith(s) for r in c.reasons) for s in steps), c.reasons
    assert c.level == "very low"  # high - bias - CI crosses 1 - 40 participants
    assert grade_body([claim("r-1", "r", "narrative_review", basis="background")]).level == "very low"
    big = [claim("o-1", "o", "cohort", n=5000, value=3.0, low=2.5, high=3.6, unit="risk_ratio", interval="ci95")]
    c = grade_body(big)
    assert c.level == "moderate" and any(r.startswith("large effect: up one") for r in c.reasons)


def test_shipped_workspace_pools_microneedling_with_prp_and_the_query_reports_it(shipped):
    q = discover([REPO / "queries"])["pooled_estimates"]
    df = run_query(shipped.db_path, q)
    required = {"intervention", "comparator", "outcome", "measure", "k", "participants", "method", "estimate",
                "ci_low", "ci_high", "i2", "tau2", "q"}
    assert required <= set(df.columns)
    row = df[(df.intervention == "microneedling_prp") & (df.method == "random effects (DerSimonian-Laird)")]
    assert len(row) == 1
    r = row.iloc[0]
    # asif2016combined 20/50 vs 5/50 and chawla2014split 5/27 vs 2/27 (claims.csv, from their stored abstracts)
    assert (r.k, r.participants, r.studies) == (2, 77, "asif2016combined, chawla2014split")
    assert r.estimate > 1 and r.ci_low > 1  # a ratio on its natural scale, not a logarithm
    expected = pool([from_counts(20, 50, 5, 50), from_counts(5, 27, 2, 27)]).random
    assert r.estimate == pytest.approx(round(expected.estimate, 3))


def test_impossible_counts_unknown_included_studies_and_unexplained_bias_are_input_errors(ws, cli):
    """Written for this test (not a real recording): a starter workspace with three bad pooling inputs."""
    studies = (ws.root / "references" / "studies.csv").read_text(encoding="utf-8").splitlines()
    studies[0] += ",includes,risk_of_bias,risk_of_bias_reason"
    studies[1] += ",,,"
    studies.append("connolly2017acnx,meta_analysis,,,test row,,,,https://example.org/x,unverified,,nosuch2020x,high,")
    (ws.root / "references" / "studies.csv").write_text("\n".join(studies) + "\n", encoding="utf-8")
    claims = (ws.root / "references" / "claims.csv").read_text(encoding="utf-8").splitlines()
    header = claims[0].split(",")
    row = dict.fromkeys(header, "")
    row.update(claim_id="connolly2017acne-9", citekey="connolly2017acne", outcome="efficacy", quote="q",
               locator="Table 1", status="verified", summary="s", events_treatment="30", total_treatment="20",
               events_comparator="1", total_comparator="20")
    claims.append(",".join(row[h] for h in header))
    (ws.root / "references" / "claims.csv").write_text("\n".join(claims) + "\n", encoding="utf-8")
    r = cli(ws, "build")
    assert r.exit_code == 2
    assert "claims.csv:3: [impossible-counts]" in r.output
    assert "studies.csv:3: [unknown-included-study]" in r.output
    assert "studies.csv:3: [risk-of-bias-without-reason]" in r.output
    assert not ws.db_path.exists()


def test_treatment_page_has_a_summary_of_findings_and_a_pooled_forest_plot(shipped, tmp_path):
    from evidence import pipeline

    pipeline.render(shipped, output=tmp_path / "site")
    html = (tmp_path / "site" / "treatments" / "microneedling_prp.html").read_text(encoding="utf-8")
    assert "Summary of findings" in html and "Efficacy range" not in html
    sof = html[html.index('<table class="sof">'):html.index("</table>", html.index('<table class="sof">'))]
    assert "RR 3.55 (95% CI 1.63 to 7.73)" in sof and "I² 0%" in sof
    # certainty with its reasons: the meta-analyses pool non-randomised split-face studies, so it starts low
    assert "starts low" in sof and "start: kang2022combined is not taken as randomised evidence" in sof
    assert "imprecision: down one, 77 participants (fewer than 400) behind that interval" in sof
    plot = html[html.index('<figure class="forest pooled"'):]
    plot = plot[:plot.index("</figure>")]
    assert '<polygon class="pooled"' in plot and "Weights (random effects): asif2016combined" in plot
    assert "<desc" in plot and "Heterogeneity: I² = 0%" in plot  # the text alternative states everything


def test_heterogeneity_and_the_prediction_interval_follow_their_published_definitions():
    """I² = (Q - df) / Q (Higgins & Thompson 2002), its p from chi² on k - 1 df; the prediction interval is
    mu ± t(0.975, k - 2) · sqrt(tau² + se²) (Higgins, Thompson & Spiegelhalter 2009), with se read back from
    the printed 95 % CI; random-effects weights are 1 / (v + tau²), relative. Same counts as the test above
    (written for these tests, not a published data set)."""
    p = pool([from_counts(30, 50, 10, 50), from_counts(12, 40, 10, 40), from_counts(45, 60, 5, 60)])
    assert (p.statistic, p.k, p.df, p.participants) == ("risk_ratio", 3, 2, 300)
    fixed = [1 / e.variance for e in p.effects]  # the common effect: inverse-variance weights, on the log scale
    mu = sum(x * e.y for x, e in zip(fixed, p.effects)) / sum(fixed)
    assert (p.common.method, math.log(p.common.estimate), math.log(p.common.ci_high)) == pytest.approx(
        ("common effect", mu, mu + Z95 * math.sqrt(1 / sum(fixed))))
    assert p.i2 == pytest.approx((p.q - p.df) / p.q * 100) and p.p_heterogeneity == pytest.approx(
        stats.chi2.sf(p.q, 2))
    for method in ("random effects (DerSimonian-Laird)", "random effects (Paule-Mandel)"):
        r = p.by_method(method)
        se = (math.log(r.ci_high) - math.log(r.ci_low)) / (2 * Z95)
        assert math.log(r.estimate) - math.log(r.ci_low) == pytest.approx(Z95 * se)
        half = stats.t.ppf(0.975, 1) * math.sqrt(r.tau2 + se * se)
        assert (math.log(r.pi_low), math.log(r.pi_high)) == pytest.approx(
            (math.log(r.estimate) - half, math.log(r.estimate) + half))
        w = [1 / (e.variance + r.tau2) for e in p.effects]
        assert se == pytest.approx(math.sqrt(1 / sum(w)))
        assert r.weights == pytest.approx(tuple(x / sum(w) for x in w))
        assert math.log(r.estimate) == pytest.approx(sum(x * e.y for x, e in zip(w, p.effects)) / sum(w))
    assert p.by_method("random effects (Paule-Mandel)").tau2 != p.random.tau2  # two estimators, two values
    assert p.common.tau2 == 0.0 and p.common.pi_low is None
    two = pool([from_counts(30, 50, 10, 50), from_counts(12, 40, 10, 40)])
    assert two.random.pi_low is None and two.random.pi_high is None  # k - 2 = 0 degrees of freedom: no interval


def test_pooling_refuses_what_cannot_be_pooled_and_counts_only_reported_participants():
    with pytest.raises(ValueError, match="^nothing to pool$"):
        pool([])
    with pytest.raises(ValueError, match="^effects of different statistics cannot be pooled: risk_difference, risk_ratio$"):
        pool([from_counts(1, 10, 2, 10), from_counts(1, 10, 2, 10, statistic="risk_difference")])
    with pytest.raises(ValueError, match="^every effect needs a positive variance$"):
        pool([from_estimate(0.5, 0.4, 0.6, "risk_ratio"), Effect("risk_ratio", 0.0, 0.0, "estimate")])
    unknown = from_estimate(0.49, 0.34, 0.70, "risk_ratio")  # no participants reported
    assert pool([unknown, unknown]).participants is None
    assert pool([unknown, from_counts(10, 50, 20, 50)]).participants == 100
    single = pool([from_counts(10, 50, 20, 50)])
    assert (single.statistic, single.k, single.participants, single.q, single.df, single.i2) == (
        "risk_ratio", 1, 100, 0.0, 0, 0.0)
    assert all(e.tau2 == 0.0 and e.estimate == single.effects[0].estimate for e in single.estimates)
    assert [e.method for e in single.estimates] == ["common effect", "random effects (DerSimonian-Laird)",
                                                    "random effects (Paule-Mandel)"]
    assert all((e.ci_low, e.ci_high, e.weights) == (*single.effects[0].ci, (1.0,)) for e in single.estimates)
