"""Citations: CSL-JSON from the library, formatted by citeproc-py with the CSL project's AMA and
NLM (Vancouver) styles; the seed article's four references against AMA strings written by hand
from their records in references/library.bib."""

from __future__ import annotations

import json
import os

import pytest

from evidence.render.citations import CitationFormatter, csl_item, csl_name
from evidence.render.context import load_site_data


def doi(value: str) -> str:
    """The read stage stores DOIs lower-cased (DOIs are case-insensitive), so the printed DOI is too."""
    return "doi:" + value.lower()


# Written from references/library.bib, following AMA 11th edition: up to 6 authors, else the first
# 3 and "et al."; "Surname Initials"; title; journal (italic); year;volume(issue):pages; doi.
# A record without authors starts with its title; the full journal name is kept (the library has
# no NLM abbreviations).
SEED_AMA = {
    1: ("mony2023updated", "An Updated Review of Hypertrophic Scarring. Cells. 2023;12(5):678. "
        + doi("10.3390/cells12050678")),
    2: ("zhou2023beyond", "Zhou C, Vempati A, Tam C, et al. Beyond the Surface: A Deeper Look at the Psychosocial "
        "Impacts of Acne Scarring. Clinical, Cosmetic and Investigational Dermatology. 2023;16:731-738. "
        + doi("10.2147/CCID.S406235")),
    3: ("lin2024modern", "Modern techniques in addressing facial acne scars: A thorough analysis. "
        + doi("10.1111/srt.13573")),
    4: ("connolly2017acne", "Connolly D, Vu HL, Mariwalla K, Saedi N. Acne Scarring—Pathogenesis, Evaluation, and "
        "Treatment Options. The Journal of Clinical and Aesthetic Dermatology. 2017;10(9):12-23."),
}


@pytest.fixture(scope="module")
def formatted(shipped):
    data = load_site_data(shipped.db_path)
    return CitationFormatter(None).format(csl_item(b) for b in data.bibliography)


@pytest.mark.parametrize("number", sorted(SEED_AMA))
def test_the_seed_references_in_ama(formatted, number):
    citekey, expected = SEED_AMA[number]
    assert formatted[citekey].text["ama"] == expected


def test_journal_titles_are_italic_in_html_and_text_is_escaped(formatted):
    assert "<i>Cells</i>. 2023;12(5):678" in formatted["mony2023updated"].html["ama"]
    out = CitationFormatter(None).format([{"id": "x", "type": "article-journal", "title": "A <script> & \"C\"",
                                           "container-title": "J"}])
    assert out["x"].html["ama"] == "A &lt;script&gt; &amp; &quot;C&quot;. <i>J</i>."
    assert out["x"].text["ama"] == 'A <script> & "C". J.'


def test_vancouver_lists_six_authors_and_the_pubmed_ids(formatted):
    assert formatted["connolly2017acne"].text["vancouver"] == (
        "Connolly D, Vu HL, Mariwalla K, Saedi N. Acne Scarring—Pathogenesis, Evaluation, and Treatment Options. "
        "The Journal of Clinical and Aesthetic Dermatology. 2017;10(9):12–23. PubMed PMID: 29344322; "
        "PubMed Central PMCID: PMC5749614.")
    assert formatted["zhou2023beyond"].text["vancouver"].startswith(
        "Zhou C, Vempati A, Tam C, Khong J, Vasilev R, Tam K, et al. Beyond the Surface")


def test_latex_is_decoded_before_formatting(formatted):
    # library.bib: author = {Tan, Jerry and Bourd{\`e}s, Val{\'e}rie and ...}
    assert formatted["tan2017prospective"].text["ama"].startswith("Tan J, Bourdès V, Bissonnette R, et al.")
    raw = {"citekey": "k", "entry_type": "article", "title": r"Caf{\'e} {\"u}ber", "authors": [r"Bourd{\`e}s, Val{\'e}rie"],
           "journal": r"J {\&} D", "year": 2001}
    item = csl_item(raw)
    assert item["title"] == "Café über" and item["author"] == [{"family": "Bourdès", "given": "Valérie"}]
    assert CitationFormatter(None).format([item])["k"].text["ama"] == "Bourdès V. Café über. J & D. Published online 2001."


@pytest.mark.parametrize("raw,name", [
    ("Connolly, Deirdre", {"family": "Connolly", "given": "Deirdre"}),
    ("Deirdre Connolly", {"family": "Connolly", "given": "Deirdre"}),
    ("de Almeida Jr., Hiram", {"family": "de Almeida", "given": "Hiram", "suffix": "Jr."}),
    ("King, Jr, Martin", {"family": "King", "given": "Martin", "suffix": "Jr"}),
    ("Holland", {"family": "Holland"}),
    ("others", {"literal": "et al."}),
])
def test_names(raw, name):
    assert csl_name(raw) == name


def test_a_url_is_cited_only_without_an_identifier():
    with_doi = csl_item({"citekey": "a", "doi": "10.1/x", "url": "https://example.org/a"})
    without = csl_item({"citekey": "b", "url": "https://example.org/b"})
    assert "URL" not in with_doi and without["URL"] == "https://example.org/b"


def test_the_cache_never_changes_the_output(tmp_path, shipped):
    items = [csl_item(b) for b in load_site_data(shipped.db_path).bibliography][:6]
    cache = tmp_path / "citations.json"
    cold = CitationFormatter(cache).format(items)
    assert cache.is_file() and len(json.loads(cache.read_text())) == 2 * len(items)
    warm = CitationFormatter(cache).format(items)
    assert warm == cold == CitationFormatter(None).format(items)
    cache.write_text("{not json")
    assert CitationFormatter(cache).format(items) == cold  # a damaged cache is only slower


def test_large_libraries_are_formatted_in_worker_processes_with_identical_output():
    """Entries are independent, so splitting them across processes must not change a byte."""
    import evidence.render.citations as citations

    items = [{"id": f"s{i}", "type": "article-journal", "title": f"Synthetic study {i} of acne scars",
              "author": [{"family": "Author", "given": f"A{i}"}], "container-title": "Journal of Tests",
              "issued": {"date-parts": [[2000 + i % 20]]}, "volume": str(i % 30 + 1)} for i in range(60)]
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: the formatter rightly stays in this process")
    in_process = citations.CitationFormatter(None)
    serial = in_process.format(items)
    spread = citations.CitationFormatter(None, parallel_min=10)  # 2+ workers on 60 items
    parallel = spread.format(items)
    assert in_process.worker_pids == set()
    assert spread.worker_pids and os.getpid() not in spread.worker_pids  # another process did the work
    assert parallel == serial


def test_memoised_style_lookups_format_exactly_as_citeproc_does(shipped, monkeypatch):
    """The remembered lookups (csl_lookups.py) are a speed-up only: every entry of the real library,
    in every style, equals citeproc-py's own output with its own lookups."""
    from evidence.render import csl_lookups

    items = [csl_item(b) for b in load_site_data(shipped.db_path).bibliography]
    memoised = CitationFormatter(None).format(items)
    assert csl_lookups.installed() and csl_lookups.size() > 100  # the lookups were remembered
    csl_lookups.uninstall()
    monkeypatch.setattr(csl_lookups, "install", lambda: None)
    try:
        plain = CitationFormatter(None, workers=1).format(items)
        assert not csl_lookups.installed()
    finally:
        monkeypatch.undo()
        csl_lookups.install()
    assert plain == memoised and len(plain) == len(items) > 10
