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
    ("An observational, prospective study found it.", "observational study"),
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
    ("A study of 10 people found it.", "10 people", 9, 10, False, False, "participants"),
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
    ("A 12-trial review found it.", "12 trials", 12, 12, False, False, "trials"),
    # at most one count of people and one of studies: the same count written twice is one size
    ("A 40-patient trial of 40 patients found it.", "40 patients", 36, 43, False, False, "participants"),
    ("A 12-study review of 12 studies found it.", "12 studies", 12, 12, False, False, "studies"),
])
def test_sizes_are_intervals_of_what_they_count(text, size_text, low, high, low_open, high_open, unit):
    (a,) = parse_attributions(text)
    ((written, q),) = a.sizes
    assert (written, q.low, q.high, q.low_open, q.high_open, q.unit) == (size_text, low, high, low_open, high_open,
                                                                          unit)
    assert q.text == written and a.duration is None and a.duration_text == ""


@pytest.mark.parametrize("text, year, duration, phrase", [
    ("A 12-week trial found it.", None, ("12 weeks", 12, 12, "weeks"), "A 12-week trial"),
    ("A one-year trial found it.", None, ("one year", 1, 1, "years"), "A one-year trial"),
    ("A 0.5-year trial found it.", None, ("0.5 years", 0.5, 0.5, "years"), "A 0.5-year trial"),
    ("The 12-week trial found it.", None, ("12 weeks", 12, 12, "weeks"), "The 12-week trial"),  # back-reference
    ("A 2014 trial's results were good.", 2014, None, "A 2014 trial"),
    ("A 2014 trial found it.", 2014, None, "A 2014 trial"),
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
    assert a.duration is None or a.duration.text == a.duration_text


def test_each_phrase_reads_only_up_to_the_next_design_word():
    found = parse_attributions("A 2010 trial of 40 people, a 2011 study of 50 people and a 2012 review of 9 trials agreed.")
    assert [(a.phrase, a.year, [t for t, _ in a.sizes]) for a in found] == [
        ("A 2010 trial of 40 people", 2010, ["40 people"]), ("a 2011 study of 50 people", 2011, ["50 people"]),
        ("a 2012 review of 9 trials", 2012, ["9 trials"])]
    # a back-reference with nothing to check is skipped, and the phrases after it are still read
    (later,) = parse_attributions("In the study, most improved; a 2019 trial of 30 people agreed.")
    assert (later.phrase, later.year) == ("a 2019 trial of 30 people", 2019)


def test_the_parser_reads_80_characters_back_and_140_forward():
    """The determiner must stand within 80 characters before the design word, and a size within 140 after it
    (the limits in the module docstring): beyond them the phrase is not read, rather than read wrongly."""
    near = "A " + "x" * 77 + " study found it."  # "A " + 77 + " " = 80 characters before "study"
    far = "A " + "x" * 78 + " study found it."
    assert [a.design for a in parse_attributions(near)] == ["study"] and parse_attributions(far) == []
    pad = "x" * 126  # " " + pad + " of 50 people": the size ends 140 characters after "study"
    (inside,) = parse_attributions(f"A study {pad} of 50 people found it.")
    (outside,) = parse_attributions(f"A study {pad}x of 50 people found it.")
    assert [t for t, _ in inside.sizes] == ["50 people"] and outside.sizes == ()


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
    assert {c.slug for c in got.values()} == {"test"} and {c.statement_id for c in got.values()} == {"S01"}
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
    for quote, written in (("A trial of 12 studies found it.", "12 studies"), ("A trial of 12 trials found it.", "12 trials")):
        size = checks(quote, odd)["size"]
        assert (size.status, size.article, size.source) == ("unknown", written, "")
    review = StudyFacts("r2020", 2020, "systematic_review", 5000, 12, None)
    size = checks("A review of 12 trials found it.", review)["size"]
    assert (size.status, size.source) == ("agrees", "reports 12 included studies")
    size = checks("A review of 12 studies found it.", review)["size"]
    assert (size.status, size.source) == ("agrees", "reports 12 included studies")
    big = checks("A review of 12 studies with 5,000 people found it.", review)
    assert [(c.article, c.source) for c in check_statement(
        statement("A review of 12 studies with 5,000 people found it.", "r2020"), {"r2020": review})
        if c.field == "size"] == [("12 studies", "reports 12 included studies"),
                                  ("5,000 people", "reports 5,000 participants")]
    assert big["size"].status == "agrees"
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
    assert (got.status, got.source, got.article) == ("agrees", "reports 3 months (x2014-1); 1 year (x2014-2)",
                                                     "one year")
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
    unknown_first = check_statement(statement("A 2015 cohort study found it."),
                                    {"x2014": StudyFacts("x2014", None, "rct", None, None, None)})
    assert [(c.field, c.status) for c in unknown_first] == [("year", "unknown"), ("design", "disagrees")]
    assert [(c.field, c.status) for c in attribution_order(unknown_first)] == [("design", "disagrees"),
                                                                               ("year", "unknown")]


def test_a_statement_citing_nothing_is_compared_with_its_evidence():
    got = check_statement(statement("A 2015 trial found it.", ""), facts, ["x2014"])
    assert [(c.field, c.citekey, c.status) for c in got] == [("year", "x2014", "disagrees"),
                                                             ("design", "x2014", "agrees")]
    assert check_statement(statement("A 2015 trial found it.", ""), facts) == []


def test_study_facts_from_the_tables():
    bibliography = pd.DataFrame({"citekey": ["x2014", "r2020", "web2020", "old"],
                                 "year": pd.array([2014, 2020, 2020, None], dtype="Int64")})
    studies = pd.DataFrame({"citekey": ["x2014", "r2020"], "design": ["rct", "systematic_review"],
                            "n": pd.array([147, None], dtype="Int64"),
                            "studies_included": pd.array([None, 12], dtype="Int64"),
                            "follow_up_months": [6.5, float("nan")]})
    claims = pd.DataFrame({"claim_id": ["x2014-1", "x2014-2", "x2014-3"], "citekey": ["x2014"] * 3,
                           "duration": ["not a time", None, "12 weeks"]})
    got = study_facts(bibliography, studies, claims)
    x, r = got["x2014"], got["r2020"]
    assert (x.citekey, x.year, x.design, x.n, x.studies_included, x.follow_up_months) == (
        "x2014", 2014, "rct", 147, None, 6.5)
    assert (r.citekey, r.year, r.design, r.n, r.studies_included, r.follow_up_months) == (
        "r2020", 2020, "systematic_review", None, 12, None)
    assert [(cid, q.low, q.unit) for cid, q in x.durations] == [("x2014-3", 12, "weeks")]  # a bad one is skipped
    assert got["web2020"] == StudyFacts("web2020", 2020, None, None, None, None)  # cited, not a study: its year
    assert got["old"] == StudyFacts("old", None, None, None, None, None)
    assert study_facts(bibliography, studies, claims.drop(columns="duration"))["x2014"].durations == ()
