"""``claims suggest`` on every real PubMed abstract under ../shared/external/pubmed/ (EFetch XML and
the E-utilities cassette; structured and unstructured, <i> markup, character references): each
suggested quote is verbatim in the abstract, each parsed number is written in its quote,
background and methods sentences are never suggested, and p-values never become a value."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
import yaml

from evidence.read.tables import VOCABULARY, read_table
from evidence.resolve.abstracts import pubmed_abstract
from evidence.resolve.ncbi import parse_pubmed
from evidence.resolve.texts import SourceText
from evidence.workflow.findings import Numbers, parse_numbers, sentences
from evidence.workflow.suggest import candidates, guess_outcome, mentions, vocabulary_terms

from .conftest import REPO, missing_recording
from .test_resolve_support import EXTERNAL, external

XML_FILES = ["pubmed/biopython/pubmed2.xml", "pubmed/jabref/MedlineImporterTestArticleItalics.xml",
             "pubmed/jabref/MedlineImporterTestNbib.xml", "pubmed/metapub/35649368.xml", "pubmed/metapub/37909814.xml",
             "pubmed/metapub/38763967.xml", "pubmed/metapub/38833988.xml", "pubmed/metapub/38909159.xml"]


def _records(rel: str) -> list[tuple[str, str]]:
    """(pmid, article XML) of every article and book article in a recording."""
    if rel.endswith("test_efetch"):
        data = yaml.safe_load(external(rel).read_text(encoding="utf-8"))
        root = ET.fromstring(data["interactions"][0]["response"]["body"]["string"].encode())
    else:
        root = ET.parse(external(rel)).getroot()
    out = [(pmid, xml) for pmid, (_, xml) in parse_pubmed(root).items()]
    out += [(el.findtext(".//PMID") or "book", ET.tostring(el, encoding="unicode")) for el in root.findall("PubmedBookArticle")]
    return out


def _all_abstracts() -> list[tuple[str, str]]:
    found = [rec for rel in XML_FILES + ["pubmed/biocommons-eutils/test_efetch"] for rec in _records(rel)]
    return found


@pytest.fixture(scope="module")
def vocab():
    read = lambda name: read_table(REPO / "references" / name, VOCABULARY, name)[0]  # noqa: E731
    return read("treatments.csv"), read("scar_types.csv")


def test_every_real_efetch_file_in_shared_external_is_covered():
    on_disk = sorted(str(p.relative_to(EXTERNAL)) for p in (EXTERNAL / "pubmed").rglob("*.xml"))
    if not on_disk:
        missing_recording("../shared/external/pubmed is absent")
    assert set(on_disk) - {"pubmed/biopython/esummary1.xml"} == set(XML_FILES)  # ESummary carries no abstract


def test_every_suggestion_is_verbatim_its_numbers_are_in_it_and_no_background_or_methods(vocab):
    treatments, scars = vocab
    abstracts = _all_abstracts()
    assert len(abstracts) == 10  # records, with and without an abstract (book article included)
    suggested = 0
    with_numbers = 0
    for pmid, xml in abstracts:
        sections = tuple(pubmed_abstract(xml))
        text = SourceText(f"pmid:{pmid}", "pubmed", "found", "2026-11-29T00:00:00Z", sections=sections)
        drafts = candidates([text], "x", treatments, scars)
        for d in drafts:
            assert any(d.quote in s.text for s in sections), (pmid, d.quote)
            for number in d.numbers.written():
                assert number in d.quote, (pmid, number, d.quote)
            section = next(s for s in sections if d.quote in s.text)
            assert section.category not in ("background", "objective", "methods"), (pmid, d.quote)
            assert d.locator == (f"Abstract, {section.label.capitalize()}" if section.label else "Abstract")
            assert d.source_label == "PubMed abstract" and d.page_url == f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
            for p in d.numbers.p_values:
                assert p in d.quote and d.numbers.value not in re.findall(r"[\d.]+", p)
            with_numbers += bool(d.numbers.written())
        suggested += len(drafts)
    assert suggested >= 20 and with_numbers >= 6


def test_structured_and_unstructured_abstracts_leave_background_and_methods_out(vocab):
    treatments, scars = vocab

    def drafts(rel: str, pmid: str) -> list[str]:
        xml = dict(_records(rel))[pmid]
        text = SourceText(f"pmid:{pmid}", "pubmed", "found", "", sections=tuple(pubmed_abstract(xml)))
        return [d.quote for d in candidates([text], "x", treatments, scars)]

    jdm = drafts("pubmed/metapub/38909159.xml", "38909159")
    assert jdm[0].startswith("In the present study, although baseline cardiologic evaluations")
    assert not any("The study group consisted of JDM patients" in q or "The present study aims" in q for q in jdm)
    case = drafts("pubmed/metapub/38763967.xml", "38763967")
    assert "An effectual treatment was attained with an oral terbinafine tablet." in case
    assert not any(q.startswith(("Kidney transplantation is", "Despite dermatophyte")) for q in case)  # background
    cryo = drafts("pubmed/biopython/pubmed2.xml", "11748933")
    assert not any(q.startswith(("This study subdivides", "Two simple cryosolutions were evaluated")) for q in cryo)
    assert any("61% of the cells" in q for q in cryo)
    fao = drafts("pubmed/metapub/35649368.xml", "35649368")
    assert not any("has been shown" in q for q in fao) and fao[0].startswith("Here, we show that elevated FAO")
    assert drafts("pubmed/metapub/38833988.xml", "38833988") == []  # no abstract, no draft


def test_numbers_parsed_from_real_sentences():
    (apoe_xml,) = [x for _, x in _records("pubmed/jabref/MedlineImporterTestArticleItalics.xml")]
    text = pubmed_abstract(apoe_xml)[0].text
    sentence = next(text[a:b] for a, b in sentences(text) if "was also negative" in text[a:b])
    assert parse_numbers(sentence) == Numbers("0.98", "0.93", "1.04", "odds_ratio", "ci95", "OR (95% CI)",
                                              p_values=("P=0.48",))
    odds = next(text[a:b] for a, b in sentences(text) if "genome-wide significance" in text[a:b])
    parsed = parse_numbers(odds)
    assert (parsed.value, parsed.low, parsed.high, parsed.unit) == ("1.15", "1.12", "1.19", "odds_ratio")
    assert parse_numbers("we showed late gadolinium enhancement on cardiac MRI in 3 of 11 JDM patients.") == \
        Numbers("3", unit="participants", measure="3 of 11", n="11", events="3", total="11")
    cryo = dict(_records("pubmed/biopython/pubmed2.xml"))["11748933"]
    cryo_text = pubmed_abstract(cryo)[0].text
    lacking = next(cryo_text[a:b] for a, b in sentences(cryo_text) if "from 32 to 52%" in cryo_text[a:b])
    assert parse_numbers(lacking) == Numbers(low="32", high="52", unit="percent", interval="range",
                                             measure="percentage", p_values=("P < 0.01",))
    methods = "The mean age was 51.65 (SD = 13.99)."  # real sentence, Europe PMC record 40468710
    assert parse_numbers(methods).value == "51.65" and "13.99" in parse_numbers(methods).measure
    assert parse_numbers("Recruitment for Time-point 1 (n = 331) took place").n == "331"


def test_vocabulary_guesses(vocab):
    treatments, scars = vocab
    terms = vocabulary_terms(treatments)
    assert mentions("Fractional CO2 laser was compared with Er:YAG on atrophic scars", terms) == \
        ["fractional_co2_laser", "erbium_yag_laser"]
    assert mentions("a cross-sectional survey", terms) == []  # 'CROSS' matches only in capitals
    assert mentions("TCA CROSS improved ice pick scars", vocabulary_terms(scars)) == ["ice_pick"]
    assert guess_outcome("Erythema lasted 3 days", False) == "adverse_events"
    assert guess_outcome("65% improved versus 55%", False) == "comparative_efficacy"
    assert guess_outcome("65% improved", False) == "efficacy"
    assert isinstance(treatments, pd.DataFrame)
