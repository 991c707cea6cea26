"""Imports that never guess (issue 12.4): every real RIS, PubMed .nbib and CSL-JSON export in
../shared/external read by content with its identifiers and fields; damaged files refused with
their line and nothing written; imported works drafted into studies.csv as unverified rows."""

from __future__ import annotations

import csv

import pytest

from evidence import pipeline
from evidence.errors import InputError
from evidence.read.designs import infer_design
from evidence.read.detect import read_references
from evidence.read.participants import participants
from evidence.resolve import api

from .test_resolve_support import external, snapshot


def read(rel):
    candidates, problems, fmt = read_references(external(rel))
    return candidates, problems, fmt


def test_pubmed_nbib_jabref_is_read_with_its_tags():
    (rec,), problems, fmt = read("pubmed/jabref/NbibImporterTest.nbib")
    assert fmt == "nbib" and problems == []
    assert (rec.pmid, rec.doi, rec.pmcid) == ("27169098", "10.4103/2277-9175.180636", None)
    assert rec.title == "Proteomics: A new perspective for cancer."
    assert rec.authors == ("Shruthi, Basavaradhya Sahukar", "Vinodhkumar, Palani", "Selvamani")  # FAU, not AU
    assert (rec.journal, rec.volume, rec.issue, rec.pages, rec.year) == ("Advanced biomedical research", "5", None,
                                                                        "67", 2016)
    assert rec.pub_types == ("Journal Article", "Review") and rec.origin == "NbibImporterTest.nbib:1"
    assert rec.url == "https://pubmed.ncbi.nlm.nih.gov/27169098/"


def test_pubmed_nbib_manubot_two_records_with_continuation_lines():
    (scihub, workflows), problems, fmt = read("pubmed/manubot/bibliography.nbib")
    assert fmt == "nbib" and problems == []
    assert (scihub.pmid, scihub.pmcid, scihub.doi) == ("29424689", "PMC5832410", "10.7554/elife.32822")
    assert len(scihub.authors) == 7 and scihub.authors[-1] == "Greene, Casey S" and scihub.journal == "eLife"
    assert "68.9% of the 81.6 million scholarly articles" in scihub.abstract  # AB continued over 17 lines
    assert workflows.origin == "bibliography.nbib:94"
    assert workflows.title == "Reproducibility of computational workflows is automated using continuous analysis."
    assert (workflows.pmid, workflows.pmcid, workflows.doi) == ("28288103", "PMC6103790", "10.1038/nbt.3780")
    assert (workflows.journal, workflows.volume, workflows.issue, workflows.pages, workflows.year) == \
        ("Nature biotechnology", "35", "4", "342-346", 2017)
    assert workflows.pub_types == ("Journal Article", "Research Support, Non-U.S. Gov't",
                                   "Research Support, N.I.H., Extramural")


def test_ris_pubmed_export_keeps_pmid_and_pmcid():
    (rec,), problems, fmt = read("medical-reflists/jabref/RisImporterTestDOI.ris")
    assert fmt == "ris" and problems == []
    assert (rec.pmid, rec.pmcid, rec.doi) == ("26957754", "PMC4756000", "10.1589/jpts.28.186")
    assert (rec.journal, rec.volume, rec.issue, rec.pages, rec.year) == ("Journal of physical therapy science", "28",
                                                                        "1", "186-189", 2016)


@pytest.mark.parametrize("rel, expected", [
    ("ris/jabref/RisImporterTestScopus.ris",
     ("10.1016/j.jmps.2004.03.010", 2004, "52", "10", "2309-2327", "Journal of the Mechanics and Physics of Solids",
      ("Federico, S.", "Grillo, A.", "Herzog, W."))),
    ("ris/jabref/RisImporterTestScience.ris",
     ("10.1016/j.actamat.2016.09.028", 2016, "121", None, "310-324", "Acta Materialia",
      ("Ghosh, Chanchal", "Basu, Joysurya", "Ramachandran, Divakar", "Mohandas, E."))),
    ("ris/jabref/RisImporterTestWithEmptyER.ris",
     ("10.1063/1.4814070", 2013, "139", "4", "044504", "The Journal of Chemical Physics",
      ("Shi, Yu", "Beck, Thomas L."))),
])
def test_ris_exports_from_other_managers(rel, expected):
    (rec,), problems, fmt = read(rel)
    assert fmt == "ris" and problems == [] and rec.pmid is None and rec.pmcid is None
    assert (rec.doi, rec.year, rec.volume, rec.issue, rec.pages, rec.journal, rec.authors) == expected


def test_ris_zotero_export_article_and_web_page():
    (article, page), problems, fmt = read("ris/manubot/bibliography.ris")
    assert fmt == "ris" and problems == []
    assert (article.entry_type, article.doi, article.year, article.journal) == ("article", "10.7554/elife.32822", 2018,
                                                                               "eLife")
    assert page.entry_type == "misc" and page.url.startswith("http://blogs.nature.com/") and page.origin.endswith(":22")


def test_pmid_and_pmcid_in_ris_notes_fields(tmp_path):
    """Zotero writes 'PMID: …' / 'PMCID: …' into notes; the record is the real PubMed RIS with its U1/U2/AN removed
    and the identifiers moved into N1 (a variation written for this test)."""
    lines = [ln for ln in external("medical-reflists/jabref/RisImporterTestDOI.ris").read_text().splitlines()
             if not ln.startswith(("AN ", "U1 ", "U2 ", "L2 ", "UR ", "DB "))]
    lines.insert(-1, "N1  - PMID: 26957754")
    lines.insert(-1, "N1  - PMCID: PMC4756000")
    path = tmp_path / "notes.ris"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (rec,), problems, _ = read_references(path)
    assert (rec.pmid, rec.pmcid) == ("26957754", "PMC4756000") and problems == []


@pytest.mark.parametrize("rel, expected", [
    ("csl-json/manubot/crossref-winter-scabs-csl.raw.json", ("10.1038/193293a0", None, None, 1962, "Nature", "193")),
    ("csl-json/manubot/pubmed-scihub-study-csl.raw.json", ("10.7554/elife.32822", "29424689", "PMC5832410", 2018,
                                                          "eLife", "7")),
    ("csl-json/manubot/datacite-thesis-csl.raw.json", ("10.6084/m9.figshare.4724797", None, None, 2017, None, None)),
    ("csl-json/manubot/empty-date-parts-csl.raw.json", ("10.22541/au.149693987.70506124", None, None, None,
                                                        "Authorea", None)),
])
def test_csl_json_exports(rel, expected):
    (rec,), problems, fmt = read(rel)
    assert fmt == "csljson" and problems == [] and rec.origin.endswith(":2")
    assert (rec.doi, rec.pmid, rec.pmcid, rec.year, rec.journal, rec.volume) == expected


def test_csl_json_item_without_title_is_skipped_with_its_line():
    none, problems, fmt = read("csl-json/manubot/null-date-parts-csl.raw.json")
    assert fmt == "csljson" and none == []
    assert [(p.code, p.line, p.severity) for p in problems] == [("no-title", 2, "warning")]


def test_format_is_recognised_by_content_not_by_name(tmp_path):
    disguised = tmp_path / "export.ris"  # a PubMed .nbib saved under a RIS name: still read as MEDLINE
    disguised.write_bytes(external("pubmed/jabref/NbibImporterTest.nbib").read_bytes())
    (rec,), _, fmt = read_references(disguised)
    assert fmt == "nbib" and rec.pmid == "27169098" and rec.authors[0] != "Randhawa M"
    as_text = tmp_path / "pubmed.txt"
    as_text.write_bytes(external("medical-reflists/jabref/RisImporterTestDOI.ris").read_bytes())
    assert read_references(as_text)[2] == "ris"


def _damaged(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("make, code, line", [
    (lambda t: external("ris/jabref/RisImporterCorrupted.ris"), "unknown-format", 2),  # BOM, no TY
    (lambda t: external("bibtex/jabref/encoding-windows-1252-with-header.bib"), "not-utf8", 4),
    (lambda t: external("bibtex/bibtexparser/gbk_test.bib"), "not-utf8", 1),
    (lambda t: external("pubmed/biopython/esummary1.xml"), "unknown-format", 1),
    # the real nbib with a stray line put into it at line 12 (written for this test)
    (lambda t: _damaged(t, "stray.nbib", b"\n".join(
        external("pubmed/jabref/NbibImporterTest.nbib").read_bytes().splitlines()[:11] + [b"this line is not MEDLINE"]
        + external("pubmed/jabref/NbibImporterTest.nbib").read_bytes().splitlines()[11:])), "nbib-bad-line", 12),
    # the real RIS cut before its ER line (a truncated download)
    (lambda t: _damaged(t, "cut.ris", b"\n".join(
        external("medical-reflists/jabref/RisImporterTestDOI.ris").read_bytes().splitlines()[:20])), "ris-no-end", 1),
    # the real CSL-JSON cut in the middle
    (lambda t: _damaged(t, "cut.json", external("csl-json/manubot/pubmed-scihub-study-csl.raw.json").read_bytes()[:900]),
     "bad-json", None),
    (lambda t: _damaged(t, "empty.ris", b"\n\n"), "empty-file", None),
])
def test_damaged_files_are_refused_with_their_line_and_nothing_is_written(ws, tmp_path, make, code, line):
    path = make(tmp_path)
    before = snapshot(ws.root / "references")
    with pytest.raises(InputError) as err:
        api.import_file(ws, path)
    problem = next(p for p in err.value.problems if p.severity == "error")
    assert problem.code == code and problem.file == path.name and problem.hint
    if line is not None:
        assert problem.line == line
    else:
        assert code != "bad-json" or (problem.line or 0) > 1  # JSON errors point into the file
    assert snapshot(ws.root / "references") == before


def test_cut_json_error_names_a_line_inside_the_file(tmp_path):
    path = _damaged(tmp_path, "cut.json", external("csl-json/manubot/pubmed-scihub-study-csl.raw.json").read_bytes()[:900])
    _, problems, fmt = read_references(path)
    text = path.read_text(encoding="utf-8")
    assert fmt == "csljson" and problems[0].code == "bad-json" and 1 < problems[0].line <= text.count("\n") + 1


def _studies(settings):
    with (settings.references_dir / "studies.csv").open(encoding="utf-8", newline="") as handle:
        return {row["citekey"]: row for row in csv.DictReader(handle)}


def test_import_nbib_drafts_unverified_study_rows_and_the_workspace_still_builds(ws, cli):
    result = cli(ws, "import", str(external("pubmed/jabref/NbibImporterTest.nbib")))
    assert result.exit_code == 0, result.output
    assert "added shruthi2016proteomics (NbibImporterTest.nbib:1)" in result.output
    row = _studies(ws)["shruthi2016proteomics"]
    assert (row["design"], row["status"], row["source_url"]) == ("narrative_review", "unverified",
                                                                 "https://pubmed.ncbi.nlm.nih.gov/27169098/")
    assert "PubMed publication type: 'Review'" in row["notes"]
    bib = (ws.references_dir / "library.bib").read_text(encoding="utf-8")
    assert "pmid    = {27169098}" in bib and "doi     = {10.4103/2277-9175.180636}" in bib
    pipeline.build(ws)  # the drafted row passes validation
    again = cli(ws, "import", str(external("pubmed/jabref/NbibImporterTest.nbib")))
    assert "refused NbibImporterTest.nbib:1" in again.output and "same DOI 10.4103/2277-9175.180636" in again.output
    text = (ws.references_dir / "studies.csv").read_text(encoding="utf-8")
    assert text.count("shruthi2016proteomics,") == 1  # never a duplicate row


def test_import_without_a_stated_design_writes_no_row_and_says_why(ws):
    result = api.import_file(ws, external("pubmed/manubot/bibliography.nbib"))
    assert [k for k, _ in result.added] == ["himmelstein2018sci", "beaulieujones2017reproducibility"]
    assert result.studies == ()
    assert [why for _, why in result.no_study][0] == \
        "no design stated (publication types: Journal Article); add its studies.csv row by hand"
    assert set(_studies(ws)) == {"connolly2017acne"}


def test_cli_refuses_a_damaged_file_with_exit_2(ws, cli):
    result = cli(ws, "import", str(external("ris/jabref/RisImporterCorrupted.ris")))
    assert result.exit_code == 2 and "RisImporterCorrupted.ris:2: [unknown-format]" in result.output
    assert "nothing was written" in result.output


@pytest.mark.parametrize("types, title, design", [
    (("Journal Article", "Meta-Analysis", "Systematic Review", "Review"), None, "meta_analysis"),
    (("Journal Article", "Systematic Review"), None, "systematic_review"),
    (("Randomized Controlled Trial", "Comparative Study"), "Fractional CO2 laser: a split-face study", "split_face_rct"),
    (("Clinical Trial", "Journal Article"), None, "non_randomised_trial"),
    (("Observational Study",), "A cross-sectional survey of acne scars", "cross_sectional"),
    (("Case Reports", "Review"), None, "case_report"),
    (("Practice Guideline",), None, "guideline"),
    (("Review",), None, "narrative_review"),
    (("Journal Article",), "A randomized, double-blind trial of microneedling", "rct"),
    (("Journal Article",), "Sci-Hub provides access to nearly all scholarly literature", None),
    ((), None, None),
])
def test_design_from_publication_types(types, title, design):
    found = infer_design(types, title)
    assert (found.design if found else None) == design


def test_participants_read_only_from_a_plain_statement():
    people = participants("Twenty-four patients with atrophic acne scars were treated in three sessions.")
    assert (people.n, people.population) == (24, "patients with atrophic acne scars")
    assert participants("A total of 1,020 women aged 18 to 45 years took part; 40 patients").n == 1020
    assert participants("Acne scarring is common and distressing.") is None
