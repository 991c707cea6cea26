"""Attribution rules one by one: how each phrase is read (design word, qualifier, round number,
duration) and how each field is compared, with the boundaries the README promises.

Pure functions, no workspace: the sentences and the study facts below are written for these tests
(invented, not quoted from an article or taken from a real study).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evidence.check.attribution import (AttributionCheck, StudyFacts, attribution_line, attribution_order,
                                        check_statement, parse_attributions, study_facts)
from evidence.model import Statement
from evidence.read.quantities import Quantity

INF = math.inf


def statement(quote: str, cites: str = "x2014") -> Statement:
    return Statement("test", "S01", 1, quote, "attribution", None, tuple(k for k in cites.split(";") if k), 0,
                     len(quote), "", "", "exact", None, 100.0, None, None, None, "articles/test.statements.csv", 2)


# --- reading the phrase ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, design", [
    ("A split-face study found it.", "split-face trial"),
    ("A split-face trial found it.", "split-face trial"),
    ("A non-randomized trial found it.", "non-randomised trial"),
    ("A randomized trial found it.", "randomised controlled trial"),
    ("A randomised, non-randomised trial found it.", "non-randomised trial"),  # "non-random" wins
    ("An RCT found it.", "randomised controlled trial"),
    ("A case study found it.", "case report"),
    ("An observational study found it.", "observational study"),
    ("A cohort study found it.", "cohort study"),
    ("A case control study found it.", "case-control study"),
    ("A Cochrane review found it.", "systematic review"),
    ("A systematic review and meta-analysis found it.", "meta-analysis"),
    ("A systematic review found it.", "systematic review"),
    ("A literature review found it.", "review"),
    ("A narrative review found it.", "review"),
    ("A survey found it.", "cross-sectional study"),
    ("A metaanalysis found it.", "meta-analysis"),
    ("A meta analysis found it.", "meta-analysis"),
    ("A guideline found it.", "guideline"),
    ("A study found it.", "study"),
])
def test_each_design_word_is_read_as_the_design_it_names(text, design):
    (a,) = parse_attributions(text)
    assert a.design == design


@pytest.mark.parametrize("text, size_text, low, high, low_open, high_open, unit", [
    # a plain number stands for its rounding, never more than 10 % either way; small numbers are exact
    ("A study of 5 people found it.", "5 people", 5, 5, False, False, "participants"),
    ("A study of 24 people found it.", "24 people", 24, 24, False, False, "participants"),
    ("A study of 20 people found it.", "20 people", 18, 21, False, False, "participants"),
    ("A study of 150 people found it.", "150 people", 145, 154, False, False, "participants"),
    ("A study of 1,000 people found it.", "1,000 people", 900, 1099, False, False, "participants"),
    ("A study of twenty people found it.", "twenty people", 18, 21, False, False, "participants"),
    ("A study of a dozen people found it.", "a dozen people", 12, 12, False, False, "participants"),
    # qualifiers make intervals, open where the words exclude the number itself
    ("A study of over 100 people found it.", "over 100 people", 100, INF, True, False, "participants"),
    ("A study of more than 100 people found it.", "more than 100 people", 100, INF, True, False, "participants"),
    ("A study of just over 100 people found it.", "just over 100 people", 100, INF, True, False, "participants"),
    ("A study of at least 50 people found it.", "at least 50 people", 50, INF, False, False, "participants"),
    ("A study of fewer than 30 people found it.", "fewer than 30 people", 0, 30, False, True, "participants"),
    ("A study of less than 30 people found it.", "less than 30 people", 0, 30, False, True, "participants"),
    ("A study of under 30 people found it.", "under 30 people", 0, 30, False, True, "participants"),
    ("A study of up to 40 people found it.", "up to 40 people", 0, 40, False, False, "participants"),
    ("A study of nearly 100 people found it.", "nearly 100 people", 87.5, 100, False, False, "participants"),
    ("A study of almost 100 people found it.", "almost 100 people", 87.5, 100, False, False, "participants"),
    ("A study of just under 100 people found it.", "just under 100 people", 87.5, 100, False, False, "participants"),
    ("A study of about 200 people found it.", "about 200 people", 150, 250, False, False, "participants"),
    ("A study of some 200 people found it.", "some 200 people", 150, 250, False, False, "participants"),
    # what is counted
    ("A review of 12 trials found it.", "12 trials", 12, 12, False, False, "trials"),
    ("A review of 12 papers found it.", "12 papers", 12, 12, False, False, "studies"),
    ("A 12-study review found it.", "12 studies", 12, 12, False, False, "studies"),
    ("A 40-patient study found it.", "40 participants", 36, 43, False, False, "participants"),
])
def test_sizes_are_intervals_of_what_they_count(text, size_text, low, high, low_open, high_open, unit):
    (a,) = parse_attributions(text)
    ((written, q),) = a.sizes
    assert (written, q.low, q.high, q.low_open, q.high_open, q.unit) == (size_text, low, high, low_open, high_open,
                                                                          unit)


@pytest.mark.parametrize("text, year, duration, phrase", [
    ("A 12-week trial found it.", None, ("12 weeks", 12, 12, "weeks"), "A 12-week trial"),
    ("A trial lasting about 12 weeks found it.", None, ("about 12 weeks", 9, 15, "weeks"),
     "A trial lasting about 12 weeks"),
    ("A study of 80 people over 6 months found it.", None, ("6 months", 6, 6, "months"),
     "A study of 80 people over 6 months"),
    ("A trial conducted in 2015 found it.", 2015, None, "A trial conducted in 2015"),
    ("A study published in 2018 of 40 people found it.", 2018, None, "A study published in 2018 of 40 people"),
    ("A 2019 trial of 30 people, in London, found it.", 2019, None, "A 2019 trial of 30 people"),
])
def test_years_and_durations_and_the_phrase_they_extend(text, year, duration, phrase):
    (a,) = parse_attributions(text)
    got = (a.duration_text, a.duration.low, a.duration.high, a.duration.unit) if a.duration else None
    assert (a.year, got, a.phrase) == (year, duration, phrase)


def test_each_phrase_reads_only_up_to_the_next_design_word():
    first, second = parse_attributions("A 2010 trial of 40 people and a 2012 review of 9 trials agreed.")
    assert (first.phrase, first.year, [t for t, _ in first.sizes]) == ("A 2010 trial of 40 people", 2010, ["40 people"])
    assert (second.phrase, second.year, [t for t, _ in second.sizes]) == ("a 2012 review of 9 trials", 2012, ["9 trials"])


# --- comparing with the study ----------------------------------------------------------------------------------

RCT = StudyFacts("x2014", 2014, "rct", 147, None, 6.0)
facts = {"x2014": RCT}


def checks(quote: str, study: StudyFacts = RCT) -> dict[str, AttributionCheck]:
    return {c.field: c for c in check_statement(statement(quote, study.citekey), {study.citekey: study})}


def test_messages_say_both_values_or_that_the_source_does_not_record_it():
    got = checks("A 2015 trial of 1,500 patients found it.")
    assert got["year"].message == "S01: “A 2015 trial of 1,500 patients”: year: the article says 2015, but x2014 " \
                                  "was published in 2014"
    assert got["size"].message == "S01: “A 2015 trial of 1,500 patients”: size: the article says 1,500 patients, " \
                                  "but x2014 reports 147 participants"
    assert got["design"].message == "S01: “A 2015 trial of 1,500 patients”: design: a trial agrees (x2014 is an RCT)"
    assert got["design"].code == "attribution-design" and got["size"].code == "attribution-size"
    unknown = checks("A 2015 trial found it.", StudyFacts("y", None, "rct", None, None, None))
    assert unknown["year"].status == "unknown" and unknown["year"].source == ""
    assert unknown["year"].message == "S01: “A 2015 trial”: year: the article says 2015; y does not record it"
    assert attribution_line(got["year"]) == ("attribution: “A 2015 trial of 1,500 patients”: year: the article says "
                                             "2015, but x2014 was published in 2014")


def test_design_is_compared_only_when_the_study_records_one():
    assert "design" not in checks("A 2014 cohort study found it.", StudyFacts("x2014", 2014, None, None, None, None))
    wrong = checks("A 2014 cohort study found it.")["design"]
    assert (wrong.status, wrong.article, wrong.source) == ("disagrees", "a cohort study", "is an RCT")
    assert wrong.code == "attribution-design"  # only "a study" for a review keeps the older code
    assert checks("An observational study found it.", StudyFacts("x2014", 2014, "cohort", None, None, None))[
        "design"].article == "an observational study"


def test_a_single_study_is_never_counted_in_studies():
    odd = StudyFacts("x2014", 2014, "rct", 147, 12, 6.0)  # a stray studies_included on a trial is not its size
    assert checks("A trial of 12 studies found it.", odd)["size"].status == "unknown"
    review = StudyFacts("r2020", 2020, "systematic_review", 5000, 12, None)
    size = checks("A review of 12 trials found it.", review)["size"]
    assert (size.status, size.source) == ("agrees", "reports 12 included studies")
    assert checks("A review of 12 trials found it.", StudyFacts("n", 2020, None, None, 12, None))["size"].status == \
        "agrees"  # a reference with no design recorded may still be counted


@pytest.mark.parametrize("weeks, status", [(23, "disagrees"), (24, "agrees"), (28, "agrees"), (29, "disagrees")])
def test_durations_agree_within_ten_percent_of_the_follow_up(weeks, status):
    """6 months is 182.6 days; 10 % either way is 164.4 to 200.9 days (23 weeks is 161, 29 weeks 203)."""
    got = checks(f"A {weeks}-week trial found it.")["duration"]
    assert (got.status, got.source) == (status, "reports follow-up 6 months")


def test_durations_compare_with_every_claim_and_are_unknown_without_any():
    claimed = StudyFacts("x2014", 2014, "rct", 147, None, None,
                         (("x2014-1", Quantity(3, 3, "months", "3 months")), ("x2014-2", Quantity(1, 1, "years", "1 year"))))
    got = checks("A one-year trial found it.", claimed)["duration"]
    assert (got.status, got.source) == ("agrees", "reports 3 months (x2014-1); 1 year (x2014-2)")
    assert checks("A 6-month trial found it.", claimed)["duration"].status == "disagrees"
    none = checks("A 6-month trial found it.", StudyFacts("x2014", 2014, "rct", 147, None, None))["duration"]
    assert (none.status, none.source, none.article) == ("unknown", "", "6 months")
    half = StudyFacts("x2014", 2014, "rct", 147, None, 6.5)
    assert checks("A 6-month trial found it.", half)["duration"].source == "reports follow-up 6.5 months"


def test_of_several_cited_studies_the_one_with_fewest_disagreements_is_compared():
    other = StudyFacts("o2019", 2019, "cohort", 300, None, None)
    both = {"x2014": RCT, "o2019": other}
    got = check_statement(statement("A 2019 cohort study of 300 people found it.", "x2014;o2019"), both)
    assert {c.citekey for c in got} == {"o2019"} and {c.status for c in got} == {"agrees"}
    got = check_statement(statement("A 2014 trial of 147 people found it.", "o2019;x2014"), both)
    assert {c.citekey for c in got} == {"x2014"}
    assert check_statement(statement("A 2014 trial found it.", "unknown2000"), both) == []  # not in the library


def test_disagreements_come_first_then_unknown_and_agreements_only_when_asked():
    got = check_statement(statement("A 2015 trial of 147 people lasting 12 weeks found it."),
                          {"x2014": StudyFacts("x2014", 2014, "rct", 147, None, None)})
    assert [(c.field, c.status) for c in attribution_order(got)] == [
        ("year", "disagrees"), ("duration", "unknown"), ("design", "agrees"), ("size", "agrees")]
    assert [(c.field, c.status) for c in attribution_order(got, agreeing=False)] == [
        ("year", "disagrees"), ("duration", "unknown")]


def test_study_facts_from_the_tables():
    bibliography = pd.DataFrame({"citekey": ["x2014", "web2020"], "year": pd.array([2014, None], dtype="Int64")})
    studies = pd.DataFrame({"citekey": ["x2014"], "design": ["rct"], "n": pd.array([147], dtype="Int64"),
                            "studies_included": pd.array([None], dtype="Int64"), "follow_up_months": [float("nan")]})
    claims = pd.DataFrame({"claim_id": ["x2014-1", "x2014-2", "x2014-3"], "citekey": ["x2014"] * 3,
                           "duration": ["12 weeks", None, "not a time"]})
    got = study_facts(bibliography, studies, claims)
    x = got["x2014"]
    assert (x.year, x.design, x.n, x.studies_included, x.follow_up_months) == (2014, "rct", 147, None, None)
    assert [(cid, q.low, q.unit) for cid, q in x.durations] == [("x2014-1", 12, "weeks")]
    assert got["web2020"] == StudyFacts("web2020", None, None, None, None, None)  # cited, not a study: no year
    assert study_facts(bibliography, studies, claims.drop(columns="duration"))["x2014"].durations == ()
