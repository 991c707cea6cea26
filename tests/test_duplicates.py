"""Duplicate rules of `evidence add` and `evidence import` (README: refusing duplicates — same
DOI/PMID, or same title + first author + year), each rule on its own, named in the refusal.

The library record is the real connolly2017acne entry (references/library.bib); the other works
are real records of that file too (jacob2001acne, liu2023prevalence). Files imported here are written
by the tests from those records' own fields, with identifiers left out on purpose.
"""

from __future__ import annotations

import pytest

from evidence.resolve import api
from evidence.resolve.entries import Candidate, Duplicate, Registry
from evidence.resolve.library import load

from .conftest import REPO
from .test_resolve_support import settings_for, write_workspace

LIBRARY = """@article{connolly2017acne,
  author = {Connolly, Deirdre and Vu, Ha Linh and Mariwalla, Kavita and Saedi, Nazanin},
  title = {Acne Scarring—Pathogenesis, Evaluation, and Treatment Options},
  journal = {The Journal of Clinical and Aesthetic Dermatology},
  year = {2017},
  pmid = {29344322},
  pmcid = {PMC5749614}
}
"""
TITLE = "Acne Scarring—Pathogenesis, Evaluation, and Treatment Options"


@pytest.fixture
def settings(tmp_path):
    write_workspace(tmp_path, LIBRARY)
    return settings_for(tmp_path, None)


@pytest.fixture
def registry(settings):
    refs, _, problems = load(settings)
    assert problems == []
    return Registry(refs)


def cand(**kw) -> Candidate:
    return Candidate("test", **kw).normalised()


@pytest.mark.parametrize("candidate,reason", [
    (cand(pmid="29344322"), "same PMID 29344322"),
    (cand(pmcid="pmc5749614"), "same PMCID PMC5749614"),
    (cand(title=TITLE, authors=("Connolly, Deirdre",), year=2017), "same title, first author and year"),
    # the title compared as folded words: case, accents, punctuation and a trailing period do not count
    (cand(title="ACNE SCARRING - PATHOGENESIS, EVALUATION AND TREATMENT OPTIONS.", authors=("Deirdre Connolly",),
          year=2017), "same title, first author and year"),
    (cand(title="Acne scarring: pathogenesis, evaluation & treatment options", authors=("Connolly, D",), year=2017),
     "same title, first author and year"),
])
def test_each_duplicate_rule_names_the_entry_it_duplicates(registry, candidate, reason):
    dup = registry.duplicate(candidate)
    assert dup == Duplicate("connolly2017acne", "references/library.bib:1", reason)
    assert str(dup) == f"duplicates connolly2017acne (references/library.bib:1): {reason}"


@pytest.mark.parametrize("candidate", [
    cand(title=TITLE, authors=("Connolly, Deirdre",), year=2018),         # another year
    cand(title=TITLE, authors=("Vu, Ha Linh",), year=2017),               # another first author
    cand(title=TITLE + " revisited", authors=("Connolly, Deirdre",), year=2017),
    cand(title=TITLE, authors=(), year=2017),                             # no author: the rule cannot apply
    cand(title=TITLE, authors=("Connolly, Deirdre",), year=None),         # no year: the rule cannot apply
    cand(title=None, authors=("Connolly, Deirdre",), year=2017),
    cand(pmid="29344323"),
])
def test_near_misses_are_not_duplicates(registry, candidate):
    assert registry.duplicate(candidate) is None


def test_a_web_page_is_recognised_by_title_and_url(registry):
    page = cand(title="Acne scars: diagnosis and treatment", url="https://www.aad.org/public/diseases/acne/scars/")
    assert registry.duplicate(page) is None
    registry.accept(page, "aad2020acne", "references/library.bib (new)")
    again = cand(title="Acne Scars: Diagnosis and Treatment.", url="http://aad.org/public/diseases/acne/scars")
    assert registry.duplicate(again) == Duplicate("aad2020acne", "references/library.bib (new)", "same title and URL")
    assert registry.duplicate(cand(title="Acne scars: diagnosis and treatment", url="https://aad.org/other")) is None


def test_accepted_entries_count_for_the_next_candidates(registry):
    zhou = cand(title="Beyond the Surface: A Deeper Look at the Psychosocial Impacts of Acne Scarring",
                authors=("Zhou, Crystal",), year=2023, doi="10.2147/CCID.S406235", pmid="37008189", pmcid="PMC10053888")
    assert registry.duplicate(zhou) is None
    registry.accept(zhou, "zhou2023beyond", "references/library.bib (new)")
    for other, reason in ((cand(doi="https://doi.org/10.2147/ccid.s406235"), "same DOI 10.2147/ccid.s406235"),
                          (cand(pmid="37008189"), "same PMID 37008189"), (cand(pmcid="PMC10053888"), "same PMCID PMC10053888")):
        assert registry.duplicate(other) == Duplicate("zhou2023beyond", "references/library.bib (new)", reason)
    again = cand(title="Beyond the surface - a deeper look at the psychosocial impacts of acne scarring",
                 authors=("Crystal Zhou",), year=2023)
    assert registry.duplicate(again).citekey == "zhou2023beyond"


def test_the_librarys_own_doi_url_and_missing_fields_count(tmp_path):
    """Real records as references/library.bib holds them: liu2023prevalence (a DOI and a news-page URL),
    mony2023updated (no author) and yan2025risk."""
    lib = (REPO / "references" / "library.bib").read_text(encoding="utf-8")
    entries = {e.split("{", 1)[1].split(",", 1)[0]: e for e in lib.split("\n\n") if e.startswith("@")}
    write_workspace(tmp_path, "\n\n".join(entries[k] for k in ("liu2023prevalence", "mony2023updated", "yan2025risk")))
    refs, _, _ = load(settings_for(tmp_path, None))
    registry = Registry(refs)
    assert registry.duplicate(cand(doi="10.1111/srt.13386")).reason == "same DOI 10.1111/srt.13386"
    news = "https://medicaldialogues.in/amp/dermatology/news/acne-scars-tied-with-three-risk-factors-male-gender-positive-family-history-of-acne-and-acne-severity-113460"
    page = cand(title="Prevalence and risk factors of acne scars in patients with acne vulgaris", url=news.replace("https://", ""))
    assert registry.duplicate(page).reason == "same title and URL"  # with or without the scheme
    # without an author (mony2023updated) or a title, title + first author + year cannot match
    assert registry.duplicate(cand(title="An Updated Review of Hypertrophic Scarring", authors=(), year=2023)) is None
    assert registry.duplicate(cand(title=None, authors=("Yan, Chadakan",), year=2025)) is None
    # and an untitled entry that shares only a URL is not the same work
    assert registry.duplicate(cand(title=None, url="https://pubmed.ncbi.nlm.nih.gov/39601200/")) is None


def test_citekeys_are_stable_and_never_collide(registry):
    c = cand(title=TITLE, authors=("Connolly, Deirdre",), year=2017)
    assert registry.citekey(c) == "connolly2017acneb"  # connolly2017acne is taken
    registry.keys.add("connolly2017acneb")
    assert registry.citekey(c) == "connolly2017acnec"
    assert registry.citekey(cand(title="Of the", authors=(), year=None)) == "anonnd"
    assert registry.citekey(cand(title=None, authors=(), year=None)) == "anonnd"
    darco = cand(title="Acne Scars: Pathogenesis, Classification and Treatment", authors=("D'Arco, V.",), year=2010)
    assert registry.citekey(darco) == "darco2010acne"  # letters only: no apostrophe or space in a key
    jacob = dict(title="Acne scarring: a classification system and review of treatment options",
                 authors=("Jacob, C. I.",), year=2001)
    assert registry.citekey(Candidate("t", key_hint="Jacob_2001", **jacob)) == "Jacob_2001"  # the file's own key
    assert registry.citekey(Candidate("t", key_hint="bad key!", **jacob)) == "jacob2001acne"
    assert registry.citekey(Candidate("t", key_hint="connolly2017acne", **jacob)) == "jacob2001acne"  # taken: not reused


def test_import_refuses_the_same_title_first_author_and_year_and_writes_nothing(settings, tmp_path):
    """The file has no DOI, PMID or PMCID: only the title + first author + year rule can catch it."""
    bib = settings.root / "references" / "library.bib"
    before = bib.read_bytes()
    incoming = tmp_path / "incoming.bib"
    incoming.write_text("@article{someone_else,\n  author = {Connolly, D. and Vu, H. L.},\n"
                        "  title = {Acne scarring: pathogenesis, evaluation, and treatment options},\n"
                        "  journal = {J Clin Aesthet Dermatol},\n  year = {2017}\n}\n", encoding="utf-8")
    result = api.import_file(settings, incoming)
    assert result.added == ()
    ((origin, why),) = result.duplicates
    assert why == ("'Acne scarring: pathogenesis, evaluation, and treatment options' duplicates connolly2017acne "
                   "(references/library.bib:1): same title, first author and year")
    assert bib.read_bytes() == before


def test_import_refuses_a_duplicate_inside_the_same_file(settings, tmp_path):
    incoming = tmp_path / "twice.bib"
    entry = ("@article{{k{n},\n  author = {{Jacob, C. I. and Dover, J. S. and Kaminer, M. S.}},\n"
             "  title = {{Acne scarring: a classification system and review of treatment options}},\n  year = {{2001}}\n}}\n")
    incoming.write_text(entry.format(n=1) + "\n" + entry.format(n=2), encoding="utf-8")
    result = api.import_file(settings, incoming)
    assert [k for k, _ in result.added] == ["k1"]
    assert "duplicates k1 (references/library.bib (new)): same title, first author and year" in result.duplicates[0][1]


def test_the_title_rules_need_a_title_a_year_and_the_whole_url(registry):
    """Title + first author + year and title + URL both need a title: two untitled records by one author
    in one year, or at one address, are not thereby one work; without a year, title + author is not
    enough. A URL is compared whole (only scheme, 'www.' and a trailing slash are ignored), so a page
    whose address ends in 'X' is not its parent page. (Invented records, written for this test.)"""
    registry.accept(cand(title=None, authors=("Roe, Jane",), year=2020, url="https://example.org/a"), "roe2020", "x:1")
    assert registry.duplicate(cand(title=None, authors=("Roe, Jane",), year=2020, url="https://example.org/a")) is None
    registry.accept(cand(title="Scar care", authors=("Poe, Al",), year=None), "poe", "x:2")
    assert registry.duplicate(cand(title="Scar care", authors=("Poe, Al",), year=None)) is None
    registry.accept(cand(title="Scar guides", url="https://example.org/guides/"), "guides", "x:3")
    assert registry.duplicate(cand(title="Scar guides", url="https://example.org/guides/X")) is None
    assert registry.duplicate(cand(title="Scar guides", url="http://www.example.org/guides")).citekey == "guides"
