"""The check stage: quantities, verdict rules, reference lists and uncovered sentences."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from evidence.check.report import uncovered_sentences
from evidence.check.verdicts import verdict_for
from evidence.model import Article, PrintedReference, Statement
from evidence.read.quantities import claim_quantity, parse_quantity
from evidence.check.reflist import check_reference_list
from evidence.read.tables import UNITS


def q(text):
    return parse_quantity(text, UNITS)


@pytest.mark.parametrize("asserted,claim,agrees", [
    (">80 percent", (None, 80, 90, "percent"), True),       # 80-90% overlaps "more than 80"
    (">80 percent", (75, None, None, "percent"), False),
    (">80 percent", (80, None, None, "percent"), False),    # exactly 80 is not "more than 80"
    ("~2 weeks", (None, 5, 7, "days"), False),              # about two weeks is not 5-7 days
    ("~2 weeks", (14, None, None, "days"), True),
    ("~2 weeks", (None, 10, 14, "days"), True),
    ("3-18 months", (24, None, None, "months"), False),
    ("3-18 months", (None, 6, 12, "months"), True),
    ("3-18 months", (1, None, None, "years"), True),         # unit conversion
    ("<=12 months", (6, None, None, "months"), True),
    ("<=12 months", (2, None, None, "years"), False),
    ("1 sessions", (3, None, None, "sessions"), False),
])
def test_quantities_agree_when_intervals_overlap(asserted, claim, agrees):
    assert q(asserted).overlaps(claim_quantity(*claim)) is agrees


@pytest.mark.parametrize("bad", ["about 80%", "80", "> 3-4 days", "5-3 days", "3 fortnights"])
def test_bad_quantities_explain_themselves(bad):
    with pytest.raises(ValueError):
        q(bad)


def test_quantity_semantics():
    assert q(">80 percent").high == math.inf
    assert q("<=12 months").low == 0
    about = q("~2 weeks")
    assert about.low == pytest.approx(1.5) and about.high == pytest.approx(2.5)


def statement(kind="claim", asserts=None, override=None, reason=None, cites=()):
    return Statement("a", "S01", 1, "quote", kind, asserts, tuple(cites), 0, 5, "", "", "exact", "quote", 100.0,
                     override, reason, None, "a.statements.csv", 2)


def links(*rows):
    cols = ["claim_id", "relation", "link_note", "citekey", "design", "summary", "value", "low", "high", "unit", "n"]
    return [dict(zip(cols, r)) for r in rows]


def row(cid, relation, design, value=None, low=None, high=None, unit=None, citekey=None):
    return (cid, relation, None, citekey or cid.split("-")[0], design, f"summary of {cid}", value, low, high, unit, None)


def test_no_links_is_unsupported_and_blocking():
    v = verdict_for(statement(), links(), True)
    assert v.verdict == "unsupported" and v.blocking and v.strength == "none"


def test_supporting_meta_analysis_is_strong():
    v = verdict_for(statement(), links(row("ma-1", "supports", "meta_analysis")), True)
    assert (v.verdict, v.strength) == ("supported", "high")  # design-only stand-in grader (no synthesis passed)
    assert any("ma-1 (meta-analysis)" in r for r in v.reasons)


def test_single_rct_is_limited_and_narrative_review_is_weak():
    assert verdict_for(statement(), links(row("t-1", "supports", "rct")), True).strength == "moderate"
    assert verdict_for(statement(), links(row("r-1", "supports", "narrative_review")), True).strength == "very low"


def test_stronger_contradiction_wins_weaker_one_makes_it_partial():
    strong_against = links(row("r-1", "supports", "narrative_review"), row("ma-1", "contradicts", "meta_analysis"))
    assert verdict_for(statement(), strong_against, True).verdict == "contradicted"
    weak_against = links(row("ma-1", "supports", "meta_analysis"), row("r-1", "contradicts", "narrative_review"))
    assert verdict_for(statement(), weak_against, True).verdict == "overstated"  # issue 9: weak evidence against


def test_only_partial_support_against_equal_evidence_is_contradicted():
    mixed = links(row("ma-1", "partly", "meta_analysis"), row("ma2-1", "contradicts", "meta_analysis"))
    assert verdict_for(statement(), mixed, True).verdict == "contradicted"


def test_number_that_disagrees_downgrades_and_blocks_with_both_numbers():
    v = verdict_for(statement(asserts="~2 weeks"),
                    links(row("t-1", "supports", "rct", low=5, high=7, unit="days")), True)
    assert v.verdict == "overstated" and v.numeric_check == "disagrees" and v.blocking
    assert any("~2 weeks" in r and "5-7 days" in r for r in v.reasons)


def test_number_that_agrees_is_reported():
    v = verdict_for(statement(asserts=">80 percent"),
                    links(row("r-1", "supports", "cohort", low=80, high=90, unit="percent")), True)
    assert v.verdict == "supported" and v.numeric_check == "agrees"


def test_cited_source_not_carrying_the_claim_downgrades():
    v = verdict_for(statement(cites=["other2020x"]), links(row("ma-1", "supports", "meta_analysis")), False)
    assert v.verdict == "partly_supported"
    assert any("cited source does not carry" in r for r in v.reasons)


def test_opinion_is_not_checkable_and_override_keeps_the_computed_verdict():
    assert verdict_for(statement(kind="opinion"), links(), True).verdict == "not_checkable"
    v = verdict_for(statement(override="supported", reason="the editor read the full text"), links(), True)
    assert v.verdict == "supported" and v.computed_verdict == "unsupported"
    assert "editor override" in v.reasons[0]


SEED_REFS = [
    "Mony, Manjula P, et al. “An Updated Review of Hypertrophic Scarring.” Cells, vol. 12, no. 5, 21 Feb. 2023, pp. 678–678,",
    "Zhou, Crystal, et al. “Beyond the Surface: A Deeper Look at the Psychosocial Impacts of Acne Scarring.” "
    "Clinical, Cosmetic and Investigational Dermatology, vol. Volume 16, Mar. 2023, pp. 731–738,",
]


def article(body="x", refs=()):
    return Article("a", "A", "", "", "", (), body, 5, tuple(PrintedReference(i + 1, t, 10 + i) for i, t in enumerate(refs)),
                   "a.md", "h")


def test_reference_list_defects_and_title_matching():
    bib = pd.DataFrame([
        {"citekey": "mony2023updated", "title": "An Updated Review of Hypertrophic Scarring", "author_count": 0,
         "year": 2023, "volume": "12", "issue": "5", "pages": "678", "doi": "10.3390/cells12050678", "pmid": None},
        {"citekey": "zhou2023beyond", "title": "Beyond the Surface: A Deeper Look at the Psychosocial Impacts of Acne Scarring",
         "author_count": 8, "year": 2023, "volume": "16", "issue": None, "pages": "731–738", "doi": None, "pmid": None},
    ])
    r1, r2 = check_reference_list(article(refs=SEED_REFS), bib)
    assert (r1.citekey, r1.match_method) == ("mony2023updated", "title")
    codes1 = {d.code for d in r1.defects}
    assert {"no-identifier", "degenerate-page-range", "truncated-authors", "stray-punctuation"} <= codes1
    codes2 = {d.code for d in r2.defects}
    assert "malformed-volume" in codes2 and "metadata-mismatch" not in codes2
    assert any("8 authors" in d.message for d in r2.defects)


def test_printed_year_that_disagrees_with_the_record_is_a_mismatch():
    bib = pd.DataFrame([{"citekey": "m", "title": "An Updated Review of Hypertrophic Scarring", "author_count": 3,
                         "year": 2022, "volume": "12", "issue": "5", "pages": "678", "doi": None, "pmid": None}])
    (r,) = check_reference_list(article(refs=SEED_REFS[:1]), bib)
    assert any(d.code == "metadata-mismatch" and "2022" in d.message for d in r.defects)


def test_unregistered_checkable_sentences_are_listed():
    body = "Intro line.\n\nStudies have found it works in 80 percent of people. Be kind to your skin.\n\nIt is the most effective option."
    covered = statement()
    covered = Statement(**{**covered.__dict__, "start": body.index("It is"), "end": len(body)})
    found = uncovered_sentences(article(body), [covered])
    assert [u.sentence for u in found] == ["Studies have found it works in 80 percent of people."]
    assert {"number", "percent", "study"} <= set(found[0].triggers)
    assert found[0].line == 7
