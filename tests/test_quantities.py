"""Quantities as intervals (README: "more than 80 percent" is (80, inf); "about two weeks" is 14 days
+/- 25 %; "up to a year" is [0, 12] months). Two quantities agree when their intervals overlap once
converted to one unit; touching endpoints agree only when both are closed there."""

from __future__ import annotations

import math

import pytest

from evidence.read.quantities import Quantity, claim_quantity, parse_quantity
from evidence.read.tables import UNITS


def q(text: str) -> Quantity:
    return parse_quantity(text, UNITS)


def point(value, unit):
    return claim_quantity(value, None, None, unit)


@pytest.mark.parametrize("asserted,claimed,agrees", [
    # "up to 12 months" is [0, 12]: a claim of exactly 12 months touches the closed end
    ("<=12 months", point(12, "months"), True),
    ("<=1 years", point(12, "months"), True),            # up to a year = 365.25 days = 12 months exactly
    ("<12 months", point(12, "months"), False),          # "less than 12 months" is open at 12
    ("<12 months", point(11.9, "months"), True),
    (">=80 percent", point(80, "percent"), True),        # "at least 80" is closed at 80
    (">80 percent", point(80, "percent"), False),        # "more than 80" is open at 80
    (">80 percent", point(80.1, "percent"), True),
    (">12 months", claim_quantity(None, 6, 12, "months"), False),   # claim range ends where the open interval starts
    (">=12 months", claim_quantity(None, 6, 12, "months"), True),
    ("3-18 months", claim_quantity(None, 18, 24, "months"), True),  # ranges touching at a closed end
    ("3-18 months", claim_quantity(None, 1, 3, "months"), True),
    ("3-18 months", claim_quantity(None, 19, 24, "months"), False),
    ("3-18 months", claim_quantity(None, 1, 2.9, "months"), False),
    ("12 months", point(12, "months"), True),
    ("~2 weeks", point(10.5, "days"), True),             # 14 days - 25 %
    ("~2 weeks", point(17.5, "days"), True),             # 14 days + 25 %
    ("~2 weeks", point(10.4, "days"), False),            # S63 of the shipped article
    ("~2 weeks", point(17.6, "days"), False),
])
def test_interval_boundaries(asserted, claimed, agrees):
    assert q(asserted).overlaps(claimed) is agrees
    assert claimed.overlaps(q(asserted)) is agrees  # the rule is symmetric


@pytest.mark.parametrize("a,b,agrees", [
    ("<12 months", ">=12 months", False),  # open high end meets closed low end
    ("<=12 months", ">12 months", False),  # closed high end meets open low end
    ("<=12 months", ">=12 months", True),
    ("<12 months", ">12 months", False),
    ("<=1 years", ">=12 months", True),
])
def test_two_asserted_intervals_touching(a, b, agrees):
    assert q(a).overlaps(q(b)) is agrees
    assert q(b).overlaps(q(a)) is agrees


@pytest.mark.parametrize("text,low,high,low_open,high_open", [
    (">80 percent", 80, math.inf, True, False),
    (">=80 percent", 80, math.inf, False, False),
    ("<12 months", 0, 12, False, True),
    ("<=12 months", 0, 12, False, False),
    ("~2 weeks", 1.5, 2.5, False, False),
    ("3-18 months", 3, 18, False, False),
    ("3.5 days", 3.5, 3.5, False, False),
    (" >= 4 sessions ", 4, math.inf, False, False),
])
def test_parsed_intervals(text, low, high, low_open, high_open):
    got = q(text)
    assert (got.low, got.high, got.low_open, got.high_open) == (pytest.approx(low), high if high == math.inf
                                                                 else pytest.approx(high), low_open, high_open)
    assert got.text == text


@pytest.mark.parametrize("text,message", [
    ("about 80%", "'about 80%' is not a quantity; write e.g. '>80 percent', '~2 weeks', '3-18 months'"),
    ("80", "'80' is not a quantity; write e.g. '>80 percent', '~2 weeks', '3-18 months'"),
    ("3 fortnights", "unit 'fortnights' is unknown; use one of: " + ", ".join(UNITS)),
    ("> 3-4 days", "'> 3-4 days': a range takes no operator"),
    ("5-3 days", "'5-3 days': the range is reversed"),
])
def test_bad_quantities_say_how_to_write_them(text, message):
    with pytest.raises(ValueError) as err:
        q(text)
    assert str(err.value) == message


def test_units_convert_and_dimensions_group_time():
    assert q("2 weeks").in_base() == (14.0, 14.0)
    assert q("1 years").in_base() == (365.25, 365.25)
    assert q("2 months").in_base() == (60.875, 60.875)
    assert q("3 sessions").in_base() == (3.0, 3.0)
    assert {q("1 days").dimension, q("1 weeks").dimension, q("1 months").dimension, q("1 years").dimension} == {"time"}
    assert q("3 percent").dimension == "percent"


@pytest.mark.parametrize("args,expected", [
    ((65, None, None, "percent"), (65.0, 65.0, "65 percent")),
    ((None, 5, 7, "days"), (5.0, 7.0, "5-7 days")),
    ((1.08, 0.9, 1.3, "risk_ratio"), (0.9, 1.3, "1.08 (0.9-1.3) risk_ratio")),
    ((None, 5, None, "days"), (5.0, 5.0, "5 days")),          # one end only: a point
    ((None, None, 7, "days"), (7.0, 7.0, "7 days")),
    ((6, 6, None, "days"), (6.0, 6.0, "6 days")),            # range ends filled from the value
    ((6, None, 8, "days"), (6.0, 8.0, "6 (6-8) days")),
    ((6, 4, None, "days"), (4.0, 6.0, "6 (4-6) days")),
    ((2.5, None, None, "weeks"), (2.5, 2.5, "2.5 weeks")),
    ((float("nan"), 5, 7, "days"), (5.0, 7.0, "5-7 days")),  # NaN is missing (pandas' empty cell)
    ((5, float("nan"), float("nan"), "days"), (5.0, 5.0, "5 days")),
])
def test_a_claims_number_as_an_interval(args, expected):
    got = claim_quantity(*args)
    assert (got.low, got.high, got.text) == expected
    assert got.unit == args[3] and not got.low_open and not got.high_open


def test_a_claim_without_unit_or_number_has_no_quantity():
    assert claim_quantity(65, None, None, None) is None
    assert claim_quantity(65, None, None, "") is None
    assert claim_quantity(None, None, None, "percent") is None
    assert claim_quantity(float("nan"), float("nan"), float("nan"), "percent") is None


def test_whole_numbers_are_printed_whole_at_any_size():
    assert claim_quantity(2_000_000, None, None, "participants").text == "2000000 participants"  # not 2e+06
    assert claim_quantity(0.25, None, None, "percent").text == "0.25 percent"
