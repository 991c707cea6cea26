"""Quote matching, number finding and source-text parsing as pure functions, on real abstracts
(PubMed EFetch XML with structured labels, <i> markup and character references; Europe PMC
HTML abstracts; Crossref JATS) read in place from ../shared/external/."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from evidence.check.quotes import (MIN_NEAR_LENGTH, NEAR_THRESHOLD, Passage, check_numbers, find_quote,
                                   locator_agrees, normalise, numbers_in)
from evidence.resolve.abstracts import crossref_abstract, europepmc_abstract, jats_fulltext, pubmed_abstract
from evidence.resolve.ncbi import parse_pubmed

from .test_resolve_support import external, synthetic


def _pubmed(rel: str) -> dict[str, list]:
    root = ET.parse(external(rel)).getroot()
    return {pmid: pubmed_abstract(xml) for pmid, (_, xml) in parse_pubmed(root).items()}


def _passages(sections, source="pubmed", label="PubMed abstract"):
    return [Passage(source, label, s.part, s.label, s.category, s.text, "2026-11-29T00:00:00Z") for s in sections]


@pytest.fixture(scope="module")
def jdm():
    return _pubmed("pubmed/metapub/38909159.xml")["38909159"]


def test_pubmed_structured_abstract_keeps_labels_and_categories(jdm):
    assert [(s.label, s.category) for s in jdm] == [
        ("BACKGROUND", "background"), ("METHODS", "methods"), ("RESULTS", "results"),
        ("CONCLUSION", "conclusions"), ("IMPACT", "conclusions")]
    assert jdm[2].text.endswith("none of them, except one case report, included cardiac MRI of JDM patients.")


def test_pubmed_markup_and_character_references_are_flattened():
    (apoe,) = _pubmed("pubmed/jabref/MedlineImporterTestArticleItalics.xml").values()
    (text,) = [s.text for s in apoe]
    assert "<i>" not in text and "\n" not in text and "  " not in text
    assert "(odds ratio (OR)=1.15, 95% confidence interval (95% CI)=1.12-1.19; P = 1.60 x 10 -19)" in text
    assert "rs4147929:G>A" in text and "APOE-Ɛ2" in text  # &gt; and &#x190; decoded
    fao = _pubmed("pubmed/metapub/35649368.xml")["35649368"]
    assert "fatty acid β-oxidation (FAO)" in fao[0].text  # &#x3b2;
    assert _pubmed("pubmed/metapub/38833988.xml")["38833988"] == []  # an erratum without an abstract


def test_europepmc_html_abstract_and_crossref_jats_abstract():
    data = json.loads(external("europepmc/pyeuropepmc/search_cancer_core.json").read_text(encoding="utf-8"))
    record = next(r for r in data["resultList"]["result"] if r["id"] == "40468710")
    sections = europepmc_abstract(record)
    assert [s.label for s in sections] == ["Objective", "Design", "Methods", "Results", "Conclusions"]
    assert [s.category for s in sections] == ["objective", "methods", "methods", "results", "conclusions"]
    assert sections[3].text.startswith("Cross-sectional hierarchical regression analyses showed")
    no_abstract = next(r for r in data["resultList"]["result"] if r["id"] == "39709209")
    assert europepmc_abstract(no_abstract) == []
    message = json.loads(external("crossref/habanero/derived/works_10.1038_srep16696.200.json").read_text())["message"]
    (section,) = crossref_abstract(message)
    assert section.label == "" and section.text.startswith("Oligomers of alpha-synuclein are toxic")
    assert "<jats:" not in section.text and "Förster Resonance Energy Transfer" in section.text


def test_jats_fulltext_sections_titles_tables_synthetic():
    sections = jats_fulltext(synthetic("fulltext.synthetic.xml").read_bytes())
    titles = [(s.part, s.label) for s in sections]
    assert titles == [("abstract", "Background"), ("abstract", "Results"), ("body", "Introduction"),
                      ("body", "Results"), ("body", "Results — Adverse events"), ("body", "Discussion"),
                      ("body", "Table 2")]
    assert "[1]" in sections[2].text and "A synthetic reference" not in " ".join(s.text for s in sections)
    assert sections[-1].text == "Synthetic table caption test cell 10.4"


# -- matching ---------------------------------------------------------------------------------

def test_normalisation_rules_one_by_one():
    assert normalise("“quoted” ‘text’") == "\"quoted\" 'text'"
    assert normalise("5–7 days — and −2") == "5-7 days - and -2"  # a range keeps its hyphen
    assert normalise("<i>Er:YAG</i> &amp; CO<sub>2</sub>") == "Er:YAG & CO2"
    assert normalise("pre- treatment") == normalise("pre-treatment") == normalise("pretreatment") == "pretreatment"
    assert normalise("effec\u00adtive") == "effective"  # soft hyphen
    assert normalise("a  \n b ( APOE ) , c") == "a b (APOE), c"
    assert normalise("ﬁbrosis\u00a0scar") == "fibrosis scar"  # NFKC: ligature, no-break space


def test_exact_normalised_near_and_not_found_on_a_real_structured_abstract(jdm):
    passages = _passages(jdm)
    exact = find_quote("we showed late gadolinium enhancement on cardiac MRI in 3 of 11 JDM patients", passages)
    assert exact.status == "exact" and exact.passage.section == "Abstract — RESULTS"
    typed = "In the literature review, we identified 25 articles related to cardiac involvement in <i>JDM</i>."
    assert find_quote(typed, passages).status == "normalised"
    elided = "although baseline cardiologic evaluations … were within normal limits"
    assert find_quote(elided, passages).status == "normalised"
    near = find_quote("Early detection of cardiac involvment by cardiac MRI may improve the long-term prognosis",
                      passages)
    assert near.status == "near" and NEAR_THRESHOLD <= near.score < 100
    assert near.passage.section == "Abstract — IMPACT"  # the closer of the two passages that carry it
    assert near.differences == ("quote 'involvment' / source 'involvement'",)
    wrong_number = find_quote("we identified 52 articles related to cardiac involvement in JDM", passages)
    assert wrong_number.status == "near" and wrong_number.differences == ("quote '52' / source '25'",)
    other_paper = "Here, we show that elevated FAO activates STAT3 by acetylation via elevated acetyl-coenzyme A (CoA)."
    missing = find_quote(other_paper, passages)
    assert missing.status == "not_found" and missing.passage is None and missing.score < NEAR_THRESHOLD
    assert find_quote("in 3 of 11", passages).status == "exact"
    assert find_quote("in 3 of 12 JDM", passages).status == "not_found"  # too short to call near
    assert len("in 3 of 12 JDM") < MIN_NEAR_LENGTH
    assert find_quote("anything", []).status == "no_text"


def test_the_passage_agreeing_with_the_locator_wins_among_equals(jdm):
    passages = _passages(jdm)
    quote = "Early detection of cardiac involvement by cardiac MRI"  # in CONCLUSION and in IMPACT
    assert find_quote(quote, passages, "Abstract, Impact").passage.label == "IMPACT"
    assert find_quote(quote, passages, "Abstract, Conclusion").passage.label == "CONCLUSION"


def test_locator_agreement():
    results = Passage("pubmed", "PubMed abstract", "abstract", "RESULTS", "results", "x")
    plain = Passage("pubmed", "PubMed abstract", "abstract", "", "", "x")
    body = Passage("europepmc-fulltext", "Europe PMC full text", "body", "Results — Adverse events", "results", "x")
    table = Passage("europepmc-fulltext", "Europe PMC full text", "body", "Table 2", "results", "x")
    assert locator_agrees("Abstract, Results", results) is True
    assert locator_agrees("Abstract", results) is True
    assert locator_agrees("Abstract, Conclusions", results) is False
    assert locator_agrees("Abstract, Results", plain) is True  # an unstructured abstract holds results too
    assert locator_agrees("Table 2", results) is None  # only the abstract was searched: cannot tell
    assert locator_agrees("Table 2", results, [results, body]) is False
    assert locator_agrees("Abstract, Results", body) is False
    assert locator_agrees("Results", body) is True and locator_agrees("Discussion", body) is False
    assert locator_agrees("Table 2", table) is True and locator_agrees("Table 3", table) is False
    assert locator_agrees("", results) is None


def test_numbers_in_text_digits_commas_words_and_checks(jdm):
    assert numbers_in("1,796 AD cases, 2642 controls; OR=1.15; P=.48; twenty-four and Eleven; 1,2") == \
        [1796.0, 2642.0, 1.15, 0.48, 1.0, 2.0, 24.0, 11.0]
    results = _passages(jdm)[2]
    checks = {c.field: c.found for c in check_numbers({"value": 3.0, "low": None, "high": float("nan"), "n": 11}, results)}
    assert checks == {"value": True, "n": True}
    missing = check_numbers({"value": 3.0, "n": 12}, results)
    assert [(c.field, c.found) for c in missing] == [("value", True), ("n", False)]
    assert [c.found for c in check_numbers({"value": 3.0}, None)] == [None]  # nowhere to look
    assert missing[1].as_dict() == {"field": "n", "value": 12, "found": False}
