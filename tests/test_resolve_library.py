"""add / import / export: clean entries with stable citekeys, duplicates refused by name,
the real RIS, CSL-JSON and BibTeX exports read in place, and the library's bytes kept."""

from __future__ import annotations

import json

import pytest

from evidence.errors import InputError
from evidence.resolve import api
from evidence.resolve.add import add
from evidence.read.csljson import read_csljson
from evidence.read.detect import read_references
from evidence.read.ris import read_ris
from evidence.resolve.library import load

from .test_resolve_support import (PONE, FakeClock, client_for, external, local_server, replay,  # noqa: F401
                                   settings_for, srv, write_workspace)

LIBRARY = """@article{connolly2017acne,
  author = {Connolly, Deirdre and Vu, Ha Linh},
  title = {Acne Scarring—Pathogenesis, Evaluation, and Treatment Options},
  journal = {The Journal of Clinical and Aesthetic Dermatology},
  year = {2017},
  pmid = {29344322},
  pmcid = {PMC5749614}
}
"""


@pytest.fixture
def ws(tmp_path, replay):
    bib = write_workspace(tmp_path, LIBRARY)
    return settings_for(tmp_path, replay.server), bib


def test_add_by_doi_appends_a_clean_entry_and_keeps_the_rest(ws, replay):
    settings, bib = ws
    replay.crossref_file(PONE, "crossref/habanero/derived/works_10.1371_journal.pone.0033693.200.json")
    result = add(settings, f"https://doi.org/{PONE}", client=client_for(settings, FakeClock()))
    assert result.citekey == "sadasivan2012methylphenidate" and result.file == "references/library.bib"
    text = bib.read_text(encoding="utf-8")
    assert text.startswith(LIBRARY + "\n@article{sadasivan2012methylphenidate,\n")
    assert "  doi     = {10.1371/journal.pone.0033693},\n" in text and "  pages   = {e33693},\n" in text
    refs, _, problems = load(settings)
    assert problems == [] and [r.citekey for r in refs] == ["connolly2017acne", "sadasivan2012methylphenidate"]
    assert refs[1].fields["author_count"] == 6 and refs[1].fields["year"] == 2012


def test_add_refuses_a_duplicate_identifier_before_any_request(ws, replay):
    settings, bib = ws
    before = bib.read_bytes()
    with pytest.raises(InputError) as err:
        add(settings, "pmid:29344322", client=client_for(settings, FakeClock()))
    (problem,) = err.value.problems
    assert problem.code == "duplicate" and "connolly2017acne (references/library.bib:1)" in problem.message
    assert "same PMID 29344322" in problem.message and "cite 'connolly2017acne'" in problem.hint
    assert replay.server.log == [] and bib.read_bytes() == before


def test_add_refuses_the_same_work_under_another_identifier(ws, replay):
    settings, bib = ws
    replay.pubmed["35649368"] = external("pubmed/metapub/35649368.xml").read_bytes()
    client = client_for(settings, FakeClock())
    first = add(settings, "pmid:35649368", client=client)
    assert first.citekey == "li2022fatty"
    assert "  doi     = {10.1016/j.celrep.2022.110870},\n" in first.entry
    before = bib.read_bytes()
    with pytest.raises(InputError) as err:  # same DOI as the entry just added
        add(settings, "10.1016/j.celrep.2022.110870", client=client)
    assert "duplicates li2022fatty" in err.value.problems[0].message
    assert bib.read_bytes() == before


def test_add_by_pmcid_goes_through_the_id_converter(ws, replay):
    settings, _ = ws
    replay.pubmed["38763967"] = external("pubmed/metapub/38763967.xml").read_bytes()
    result = add(settings, "pmcid:PMC11608206", client=client_for(settings, FakeClock()))
    assert result.citekey == "uysal2024widespread"
    assert "  pmcid   = {PMC11608206}" in result.entry and "  pmid    = {38763967}" in result.entry


@pytest.mark.parametrize("text, code", [("acne scars", "bad-identifier"), ("pmid:12ab", "bad-identifier"),
                                        ("10.1371/notarealdoi", "not-found")])
def test_add_bad_input_is_an_input_error_naming_the_fix(ws, replay, text, code):
    settings, bib = ws
    replay.crossref_404("10.1371/notarealdoi")
    before = bib.read_bytes()
    with pytest.raises(InputError) as err:
        add(settings, text, client=client_for(settings, FakeClock()))
    assert err.value.problems[0].code == code and err.value.problems[0].hint
    assert bib.read_bytes() == before


def test_ris_real_exports_are_read():
    pubmed, problems = read_ris(external("medical-reflists/jabref/RisImporterTestDOI.ris").read_text(), "pubmed.ris")
    (rec,) = pubmed
    assert problems == []
    assert (rec.pmid, rec.pmcid, rec.doi, rec.year, rec.pages) == ("26957754", "PMC4756000", "10.1589/jpts.28.186", 2016,
                                                                  "186-189")
    assert rec.journal == "Journal of physical therapy science" and rec.authors[0] == "Jung, Sang In"
    (science,), _ = read_ris(external("ris/jabref/RisImporterTestScience.ris").read_text(), "science.ris")
    assert science.doi == "10.1016/j.actamat.2016.09.028" and science.issue is None and "ω" in science.title
    (aip,), _ = read_ris(external("ris/jabref/RisImporterTestWithEmptyER.ris").read_text(), "aip.ris")
    assert aip.authors == ("Shi, Yu", "Beck, Thomas L.") and aip.year == 2013
    corrupt, problems = read_ris(external("ris/jabref/RisImporterCorrupted.ris").read_text(encoding="utf-8"), "bad.ris")
    assert corrupt == [] and (problems[0].code, problems[0].line) == ("ris-no-type", 2)  # refused, not guessed
    both, _ = read_ris(external("ris/manubot/bibliography.ris").read_text(), "zotero.ris")
    assert [c.entry_type for c in both] == ["article", "misc"]


def test_csl_json_real_exports_are_read():
    (winter,), _ = read_csljson(external("csl-json/manubot/crossref-winter-scabs-csl.raw.json").read_text(), "w.json")
    assert (winter.year, winter.doi, winter.pages) == (1962, "10.1038/193293a0", "293-294")
    (scihub,), _ = read_csljson(external("csl-json/manubot/pubmed-scihub-study-csl.raw.json").read_text(), "s.json")
    assert (scihub.pmid, scihub.pmcid, len(scihub.authors)) == ("29424689", "PMC5832410", 7)
    (empty,), _ = read_csljson(external("csl-json/manubot/empty-date-parts-csl.raw.json").read_text(), "e.json")
    assert empty.year is None
    none, problems = read_csljson(external("csl-json/manubot/null-date-parts-csl.raw.json").read_text(), "n.json")
    assert none == [] and problems[0].code == "no-title"


def test_import_files_refuses_duplicates_across_formats(ws):
    settings, bib = ws
    zotero_bib = api.import_file(settings, external("bibtex/manubot/bibliography.bib"))
    assert len(zotero_bib.added) == 2 and zotero_bib.duplicates == ()
    same_as_ris = api.import_file(settings, external("ris/manubot/bibliography.ris"))
    assert same_as_ris.added == ()
    assert len(same_as_ris.duplicates) == 2
    assert "same DOI 10.7554/elife.32822" in same_as_ris.duplicates[0][1]
    assert "same title and URL" in same_as_ris.duplicates[1][1]  # the web page: no author, year or DOI
    csl = api.import_file(settings, external("csl-json/manubot/pubmed-scihub-study-csl.raw.json"))
    assert csl.added == () and "same DOI 10.7554/elife.32822" in csl.duplicates[0][1]
    pubmed_ris = api.import_file(settings, external("medical-reflists/jabref/RisImporterTestDOI.ris"))
    assert [k for k, _ in pubmed_ris.added] == ["jung2016effect"]
    again = api.import_file(settings, external("medical-reflists/jabref/RisImporterTestDOI.ris"))
    assert again.added == () and "duplicates jung2016effect" in again.duplicates[0][1]
    refs, _, problems = load(settings)
    assert [p for p in problems if p.severity == "error"] == []
    assert bib.read_text(encoding="utf-8").startswith(LIBRARY)


def test_import_biblatex_with_crossref_artefacts(ws):
    settings, _ = ws
    result = api.import_file(settings, external("medical-reflists/jabref/Chocolate.bib"))
    assert len(result.added) >= 5 and result.added[0][0] == "Corti_2009"  # the file's own free keys are kept
    refs, _, _ = load(settings)
    journals = {r.fields["journal"] for r in refs}
    assert "Nutrition & Metabolism" in journals and not any("&amp;" in (j or "") for j in journals)


def test_export_round_trips_through_every_format(ws, tmp_path):
    settings, _ = ws
    api.import_file(settings, external("medical-reflists/jabref/RisImporterTestDOI.ris"))
    refs, _, _ = load(settings)
    for fmt, suffix in (("bibtex", ".bib"), ("csljson", ".json"), ("ris", ".ris")):
        path = tmp_path / f"out{suffix}"
        path.write_text(api.export(settings, fmt), encoding="utf-8")
        back, problems, detected = read_references(path)
        assert detected == fmt and [p for p in problems if p.severity == "error"] == []
        assert [(c.doi, c.pmid, c.pmcid, c.year) for c in back] == \
            [(r.fields["doi"], r.fields["pmid"], r.fields["pmcid"], r.fields["year"]) for r in refs]
    data = json.loads(api.export(settings, "csljson"))
    assert data[0]["id"] == "connolly2017acne" and data[0]["author"][0] == {"family": "Connolly", "given": "Deirdre"}
    with pytest.raises(InputError):
        api.export(settings, "endnote")
