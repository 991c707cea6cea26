"""Attributions: what a statement says about the study it cites (year, design, size, duration),
compared with that study.

The studies are real rows of the shipped workspace (bibliography year, studies.csv design, n,
studies_included, follow-up). The article sentences below are written for these tests, not
quoted from any article: each one misdescribes (or correctly describes) a real study on purpose.
"""

from __future__ import annotations

import json

import pytest

from evidence import pipeline
from evidence.check.attribution import check_statement, parse_attributions, study_facts
from evidence.model import Statement
from tests.conftest import append, write


@pytest.fixture(scope="module")
def facts(shipped):
    ws = pipeline.check(shipped).workspace
    claims = ws.claims.copy()
    # alam2014efficacy-1's own quote reports its result "at 6 months"; the shipped row leaves duration empty
    claims.loc[claims["claim_id"] == "alam2014efficacy-1", "duration"] = "6 months"
    return study_facts(ws.bibliography, ws.studies, claims)


def statement(quote: str, cites: str = "") -> Statement:
    return Statement("test", "S01", 1, quote, "attribution", None, tuple(k for k in cites.split(";") if k), 0,
                     len(quote), "", "", "exact", None, 100.0, None, None, None, "articles/test.statements.csv", 2)


def by_field(checks):
    return {c.field: c for c in checks}


# --- parsing ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, design, year, sizes, duration", [
    ("A 2007 meta-analysis of over 100 studies found that it works.", "meta-analysis", 2007,
     [("over 100 studies", "studies")], None),
    ("A 2023 study of 500 patients showed a benefit.", "study", 2023, [("500 patients", "participants")], None),
    ("In a 12-week trial, the cream helped.", "trial", None, [], "12 weeks"),
    ("A randomized, double-blind, placebo-controlled trial of 36 adults lasting 24 weeks found less acne.",
     "randomised controlled trial", None, [("36 adults", "participants")], "24 weeks"),
    ("One systematic review and meta-analysis, published in 2021, pooled 14 randomized controlled trials with "
     "nearly 2,000 participants.", "meta-analysis", 2021,
     [("14 randomized controlled trials", "trials"), ("nearly 2,000 participants", "participants")], None),
    ("A 2019 Cochrane review of 37 trials agreed.", "systematic review", 2019, [("37 trials", "trials")], None),
    ("A 2,000-patient study found nothing.", "study", None, [("2,000 participants", "participants")], None),
])
def test_attribution_phrases_are_parsed(text, design, year, sizes, duration):
    (a,) = parse_attributions(text)
    assert a.design == design and a.year == year
    assert [(t, q.unit) for t, q in a.sizes] == sizes
    assert (a.duration.text if a.duration else None) == duration


def test_a_finding_after_the_attribution_is_not_read_as_its_size():
    (a,) = parse_attributions("A 2023 study found that 80 percent of 500 patients improved.")
    assert a.sizes == () and a.phrase == "A 2023 study"
    assert parse_attributions("Studies show that 9 in 10 people improve.") == []  # plural: no one study named
    assert parse_attributions("In the study, most people improved.") == []  # refers back to a study named before
    assert [a.year for a in parse_attributions("The 2019 trial found it.")] == [2019]


def test_round_numbers_stand_for_their_rounding_and_qualifiers_for_intervals():
    def size(text):
        return parse_attributions(text)[0].sizes[0][1]
    assert (size("a study of 500 people").low, size("a study of 500 people").high) == (450, 549)
    assert (size("a study of 24 people").low, size("a study of 24 people").high) == (24, 24)
    over = size("a review of over 100 studies")
    assert over.low == 100 and over.low_open and over.high == float("inf")


# --- each mismatch kind, with a negative control that agrees ----------------------------------------------------

def test_year_mismatch_reports_both_years(facts):
    checks = by_field(check_statement(statement("A 2007 meta-analysis of 37 studies found it.", "liu2023prevalence"),
                                      facts))
    assert checks["year"].status == "disagrees"
    assert "2007" in checks["year"].message and "2023" in checks["year"].message
    assert checks["year"].code == "attribution-year"
    control = by_field(check_statement(statement("A 2023 meta-analysis of 37 studies found it.", "liu2023prevalence"),
                                       facts))
    assert control["year"].status == "agrees"


def test_design_mismatch_reports_both_designs(facts):
    checks = by_field(check_statement(statement("A 2014 cohort study found it.", "karnik2014double"), facts))
    assert checks["design"].status == "disagrees" and checks["design"].code == "attribution-design"
    assert "a cohort study" in checks["design"].message and "RCT" in checks["design"].message
    for agreeing in ("A 2014 randomized controlled trial found it.", "A 2014 trial found it.", "A 2014 study found it."):
        assert by_field(check_statement(statement(agreeing, "karnik2014double"), facts))["design"].status == "agrees"
    meta = by_field(check_statement(statement("A 2023 meta-analysis found it.", "liu2023prevalence"), facts))
    assert meta["design"].status == "agrees"


def test_a_review_cited_as_a_study_keeps_its_code(facts):
    checks = by_field(check_statement(statement("A 2017 study found it.", "connolly2017acne"), facts))
    assert checks["design"].status == "disagrees" and checks["design"].code == "review-cited-as-study"
    assert "narrative review" in checks["design"].message
    assert by_field(check_statement(statement("A 2017 review found it.", "connolly2017acne"), facts))[
        "design"].status == "agrees"


def test_size_in_studies_mismatch(facts):
    # the issue's own example: "over 100 studies" for a meta-analysis of 37
    (size,) = [c for c in check_statement(statement("A 2023 meta-analysis of over 100 studies found it.",
                                                    "liu2023prevalence"), facts) if c.field == "size"]
    assert size.status == "disagrees" and size.code == "attribution-size"
    assert "over 100 studies" in size.message and "37 included studies" in size.message
    (control,) = [c for c in check_statement(statement("A 2023 meta-analysis of more than 30 studies found it.",
                                                       "liu2023prevalence"), facts) if c.field == "size"]
    assert control.status == "agrees"


def test_size_in_participants_mismatch(facts):
    (size,) = [c for c in check_statement(statement("A 2014 trial of 500 patients found it.", "karnik2014double"),
                                          facts) if c.field == "size"]
    assert size.status == "disagrees" and "500 patients" in size.message and "147 participants" in size.message
    (control,) = [c for c in check_statement(statement("A 2014 trial of nearly 150 patients found it.",
                                                       "karnik2014double"), facts) if c.field == "size"]
    assert control.status == "agrees"
    both = check_statement(statement("A 2023 meta-analysis of 37 studies with nearly 25,000 people found it.",
                                     "liu2023prevalence"), facts)
    assert [c.status for c in both if c.field == "size"] == ["agrees", "agrees"]


def test_duration_mismatch_against_follow_up_and_claim_durations(facts):
    long = by_field(check_statement(statement("A 2-year trial found it.", "karnik2014double"), facts))
    assert long["duration"].status == "disagrees" and long["duration"].code == "attribution-duration"
    assert "2 years" in long["duration"].message and "follow-up 6 months" in long["duration"].message
    assert by_field(check_statement(statement("A 6-month trial found it.", "karnik2014double"), facts))[
        "duration"].status == "agrees"
    assert by_field(check_statement(statement("A 26-week trial found it.", "karnik2014double"), facts))[
        "duration"].status == "agrees"  # 26 weeks is 6 months within rounding
    from_claim = by_field(check_statement(statement("A 12-week study found it.", "alam2014efficacy"), facts))
    assert from_claim["duration"].status == "disagrees" and "alam2014efficacy-1" in from_claim["duration"].message
    assert by_field(check_statement(statement("A six-month study found it.", "alam2014efficacy"), facts))[
        "duration"].status == "agrees"


def test_unrecorded_fields_are_unknown_not_wrong(facts):
    checks = by_field(check_statement(statement("A 2017 review of 40 studies found it.", "connolly2017acne"), facts))
    assert checks["size"].status == "unknown" and "does not record" in checks["size"].message


def test_several_cites_compare_with_the_one_that_fits(facts):
    checks = check_statement(statement("A 2014 trial of 147 patients found it.", "liu2023prevalence;karnik2014double"),
                             facts)
    assert {c.citekey for c in checks} == {"karnik2014double"} and all(c.status == "agrees" for c in checks)


def test_without_cites_the_supporting_evidence_is_compared(facts):
    uncited = statement("A 2019 study of 300 people found it.")
    assert check_statement(uncited, facts) == []  # nothing cited, nothing linked: nothing to compare with
    checks = by_field(check_statement(uncited, facts, ["karnik2014double"]))
    assert checks["year"].status == "disagrees" and checks["year"].citekey == "karnik2014double"
    assert checks["size"].status == "disagrees" and "147 participants" in checks["size"].message
    cited = statement("A 2019 study of 300 people found it.", "liu2023prevalence")
    assert {c.citekey for c in check_statement(cited, facts, ["karnik2014double"])} == {"liu2023prevalence"}


# --- in the check report ----------------------------------------------------------------------------------------

SENTENCE = "A 2019 study of 500 patients found that most scars are atrophic."  # written for this test


def _with_attribution(ws) -> None:
    path = ws.root / "articles/example.md"
    text = path.read_text(encoding="utf-8").replace("See your dermatologist.", f"See your dermatologist.\n\n{SENTENCE}")
    write(ws, "articles/example.md", text)
    append(ws, "articles/example.statements.csv", f"S03,{SENTENCE},attribution,,connolly2017acne,,,,\n")


def test_check_reports_attribution_warnings_in_json_and_text(ws, cli):
    _with_attribution(ws)
    result = cli(ws, "check", "--format", "json")
    (article,) = json.loads(result.output)["articles"]
    s03 = next(s for s in article["statements"] if s["id"] == "S03")
    fields = {a["field"]: a for a in s03["attribution"]}
    assert fields["year"]["status"] == "disagrees" and (fields["year"]["article"], fields["year"]["citekey"]) == (
        "2019", "connolly2017acne")
    assert "2017" in fields["year"]["source"]
    assert fields["design"]["status"] == "disagrees" and fields["size"]["status"] == "unknown"
    codes = {p["code"]: p for p in article["problems"]}
    assert codes["attribution-year"]["severity"] == "warning" and "2019" in codes["attribution-year"]["message"]
    assert codes["review-cited-as-study"]["line"] == 4  # the statement's row in the .statements.csv file
    text = cli(ws, "check").output
    assert ("attribution: “A 2019 study of 500 patients”: year: the article says 2019, but connolly2017acne was "
            "published in 2017") in text


def test_attributions_and_new_claim_columns_reach_the_database(ws, cli):
    _with_attribution(ws)
    claims = (ws.root / "references/claims.csv").read_text(encoding="utf-8").splitlines()
    assert "dose" not in claims[0]  # a claims.csv without the optional columns still builds (as every old one)
    assert cli(ws, "build").exit_code == 0
    import duckdb
    con = duckdb.connect(str(ws.db_path), read_only=True)
    try:
        rows = con.execute("SELECT field, status FROM attributions WHERE statement_id = 'S03' ORDER BY field").fetchall()
        cols = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns "
                                          "WHERE table_name = 'claims'").fetchall()}
    finally:
        con.close()
    assert ("year", "disagrees") in rows and {"dose", "duration"} <= cols


def test_claim_duration_must_be_a_time(ws, cli):
    claims = ws.root / "references/claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines()
    write(ws, "references/claims.csv", "\n".join([lines[0] + ",dose,duration", lines[1] + ",,12 percent"]) + "\n")
    result = cli(ws, "build")
    assert result.exit_code == 2 and "references/claims.csv:2: [bad-duration]" in result.output
    write(ws, "references/claims.csv", "\n".join([lines[0] + ",dose,duration", lines[1] + ",,3-6 months"]) + "\n")
    assert cli(ws, "build").exit_code == 0

