"""The reference-list check, one defect kind at a time, on the shipped article's real printed list
and the real records of references/library.bib. Where a test needs a record that disagrees with the
printed reference, one field of the real record is changed on purpose (marked "deliberately wrong")."""

from __future__ import annotations

import pandas as pd
import pytest
from rapidfuzz import fuzz

from evidence.check.reflist import LibraryIndex, check_reference_list, parse_printed
from evidence.model import Article, PrintedReference
from evidence.read.bibtex import read_bibtex

from .conftest import REPO

ARTICLE = (REPO / "articles" / "acne-scars.md").read_text(encoding="utf-8")
PRINTED = {int(line.split(".", 1)[0]): line.split(". ", 1)[1]
           for line in ARTICLE.split("## References", 1)[1].strip().splitlines() if line[:1].isdigit()}
MONY, ZHOU, LIN, CONNOLLY = PRINTED[1], PRINTED[2], PRINTED[3], PRINTED[4]


@pytest.fixture(scope="module")
def library() -> pd.DataFrame:
    path = REPO / "references" / "library.bib"
    df, problems = read_bibtex([path], {path: "references/library.bib"})
    assert problems == []
    return df


def article(*refs: str) -> Article:
    return Article("a", "A", "", "", "", (), "body", 5,
                   tuple(PrintedReference(i + 1, t, 97 + i) for i, t in enumerate(refs)), "articles/a.md", "h")


def check(library: pd.DataFrame, text: str, **wrong):
    """Check one printed reference; ``wrong`` sets fields of its matched record to deliberately wrong values."""
    lib = library.copy()
    if wrong:
        key = wrong.pop("citekey")
        for field, value in wrong.items():
            lib.loc[lib["citekey"] == key, field] = value
    (ref,) = check_reference_list(article(text), lib)
    return ref


def codes(ref) -> list[str]:
    return [d.code for d in ref.defects]


def test_printed_fields_are_picked_out():
    assert parse_printed(MONY) == {"title": "An Updated Review of Hypertrophic Scarring", "volume": "12", "issue": "5",
                                   "pages": "678–678", "year": "2023"}
    assert parse_printed(ZHOU)["volume"] == "16" and parse_printed(ZHOU)["issue"] is None  # "vol. Volume 16"
    assert parse_printed(LIN)["pages"] == "e13573" and parse_printed(LIN)["year"] == "2024"  # "p." for one page
    assert parse_printed(CONNOLLY)["pages"] == "12–23"
    assert parse_printed("Smith J. Acne. Dermatology.") == {"title": None, "volume": None, "issue": None,
                                                           "pages": None, "year": None}


def test_the_shipped_list_matches_by_title_with_its_defects(library):
    refs = check_reference_list(article(MONY, ZHOU, LIN, CONNOLLY), library)
    assert [(r.number, r.line, r.citekey, r.match_method) for r in refs] == [
        (1, 97, "mony2023updated", "title"), (2, 98, "zhou2023beyond", "title"),
        (3, 99, "lin2024modern", "title"), (4, 100, "connolly2017acne", "title")]
    assert [codes(r) for r in refs] == [
        ["no-identifier", "stray-punctuation", "truncated-authors", "degenerate-page-range"],
        ["no-identifier", "malformed-volume", "stray-punctuation", "truncated-authors"],
        ["no-identifier", "stray-punctuation", "truncated-authors", "journal-name"],
        ["no-identifier", "stray-punctuation", "truncated-authors"],
    ]
    assert refs[0].printed == MONY and (refs[0].title, refs[0].year, refs[0].volume, refs[0].issue, refs[0].pages) == (
        "An Updated Review of Hypertrophic Scarring", "2023", "12", "5", "678–678")
    assert refs[0].match_score == 100.0
    truncated = {r.number: next(d.message for d in r.defects if d.code == "truncated-authors") for r in refs}
    assert truncated[2] == "the author list is truncated to 'et al.' (the study has 8 authors)"
    assert truncated[1] == "the author list is truncated to 'et al.'"  # the record has no authors to count
    degenerate = next(d for d in refs[0].defects if d.code == "degenerate-page-range")
    assert degenerate.message == "page range '678–678' starts and ends on the same page"
    assert degenerate.hint == "print the article number alone (e.g. 678)"


@pytest.mark.parametrize("field,wrong,message", [
    ("year", 2022, "printed year '2023' but the record says '2022'"),
    ("volume", "13", "printed volume '12' but the record says '13'"),
    ("issue", "4", "printed issue '5' but the record says '4'"),
    ("pages", "679", "printed pages '678–678' but the record says '679'"),
])
def test_every_printed_field_is_compared_with_the_record(library, field, wrong, message):
    ref = check(library, MONY, citekey="mony2023updated", **{field: wrong})  # deliberately wrong record value
    mismatches = [d for d in ref.defects if d.code == "metadata-mismatch"]
    assert [(d.message, d.hint) for d in mismatches] == [(message, f"correct the {field}")]


def test_matching_fields_and_fields_missing_on_either_side_are_not_mismatches(library):
    assert "metadata-mismatch" not in codes(check(library, MONY))
    assert "metadata-mismatch" not in codes(check(library, CONNOLLY))  # printed 12–23, record 12–23 (en dash)
    assert "metadata-mismatch" not in codes(check(library, MONY, citekey="mony2023updated", volume=None, issue=None,
                                                  pages=None, year=pd.NA))
    first_page_only = check(library, CONNOLLY, citekey="connolly2017acne", pages="12-30")  # deliberately wrong end
    assert "metadata-mismatch" not in codes(first_page_only)  # only the first page is compared
    moved = check(library, CONNOLLY, citekey="connolly2017acne", pages="13–23")  # deliberately wrong start
    assert [d.message for d in moved.defects if d.code == "metadata-mismatch"] == [
        "printed pages '12–23' but the record says '13–23'"]


def test_identifiers_printed_are_used_to_match_and_silence_the_no_identifier_defect(library):
    by_doi = check(library, "Anything at all. https://doi.org/10.3390/CELLS12050678.")
    assert (by_doi.citekey, by_doi.match_method, by_doi.match_score) == ("mony2023updated", "doi", 100.0)
    by_pmid = check(library, "Zhou C, et al. Something. PMID: 37008189")
    assert (by_pmid.citekey, by_pmid.match_method, by_pmid.match_score) == ("zhou2023beyond", "pmid", 100.0)
    assert "no-identifier" not in codes(by_doi) and "no-identifier" not in codes(by_pmid)
    for text in ("Title. PMC10053888", "Title. http://example.org/x"):
        assert "no-identifier" not in codes(check(library, text)), text
    unknown_doi = check(library, "Smith J. Acne. 10.9999/not.in.library")
    assert unknown_doi.citekey is None and codes(unknown_doi) == ["not-in-library"]
    unknown_pmid = check(library, "Smith J. Acne. PMID 1")
    assert unknown_pmid.citekey is None


def test_an_unmatched_reference_and_an_uncertain_title_match(library):
    nothing = check(library, "Smith J, et al. “Lasers and Light.” Dermatology, 2019")
    assert nothing.citekey is None and nothing.match_method is None and nothing.match_score is None
    assert codes(nothing) == ["no-identifier", "truncated-authors", "not-in-library"]
    assert nothing.defects[1].message == "the author list is truncated to 'et al.'"
    near = check(library, "“An Updated Review of Hypertrophic Scars in Adults.” Cells, 2023.")
    assert near.match_method == "title" and near.citekey == "mony2023updated" and 75 <= near.match_score < 90
    (uncertain,) = [d for d in near.defects if d.code == "uncertain-match"]
    assert uncertain.message == f"matched to 'mony2023updated' by title with score {near.match_score:.0f}"
    assert uncertain.hint == "confirm the match, or print the DOI"
    assert "uncertain-match" not in codes(check(library, MONY))


@pytest.mark.parametrize("text,code", [
    ("A. “T.” J, vol. Volume 16, 2023.", "malformed-volume"),
    ("A. “T.” J, 2023, , x.", "stray-punctuation"),
    ("A. “T.” J, 2023.,", "stray-punctuation"),
    ("A. “T.” J. 2023., pp. 1", "stray-punctuation"),
    ("A. “T.” Skin Res Technol: Official Journal of ISBS, 2024.", "journal-name"),
    ("A. “T.” Skin Res Technol [And] ISDIS, 2024.", "journal-name"),
    ("A. “T.” J, 2023, pp. 5-5.", "degenerate-page-range"),
])
def test_each_printing_defect(library, text, code):
    assert code in codes(check(library, text))


@pytest.mark.parametrize("text,code", [
    ("A. “T.” J, vol. 16, 2023.", "malformed-volume"),
    ("A. “T.” J, 2023.", "stray-punctuation"),
    ("A. “T.” J, 2023, pp. 5-6.", "degenerate-page-range"),
    ("A. “T.” J, 2023, pp. 15-5.", "degenerate-page-range"),
    ("Annals of Anderson. “T.” 2023.", "journal-name"),
    ("Metal. “T.” J, 2023.", "truncated-authors"),
])
def test_each_printing_defect_has_no_false_alarm(library, text, code):
    assert code not in codes(check(library, text))


def test_a_dataframe_or_a_prebuilt_index_give_the_same_result(library):
    assert check_reference_list(article(MONY, LIN), LibraryIndex(library)) == check_reference_list(article(MONY, LIN), library)


def test_each_defect_says_what_is_wrong_and_how_to_fix_it(library):
    refs = check_reference_list(article(MONY, ZHOU, LIN), library)
    said = {d.code: (d.message, d.hint) for r in refs for d in r.defects}
    assert said["no-identifier"] == ("no DOI, PMID or link is printed",
                                     "print the DOI (https://doi.org/...) so readers can find the source")
    assert said["malformed-volume"] == ("the volume is printed as 'vol. Volume ...'", "print the volume number only")
    assert said["stray-punctuation"] == ("stray punctuation (a doubled or trailing comma)",
                                         "remove the extra comma; a URL or DOI was probably dropped there")
    assert said["truncated-authors"][1] == "AMA style lists up to 6 authors, then 'et al.' after the third"
    assert said["journal-name"] == ("the journal name carries society subtitles",
                                    "use the journal's title or its NLM abbreviation")
    nothing = check(library, "Smith J. Lasers. Dermatology, 2019")
    assert [(d.message, d.hint) for d in nothing.defects if d.code == "not-in-library"] == [
        ("no library entry matches this reference",
         "add the study to references/*.bib (with its DOI) so it can be checked")]


def test_printed_fields_are_read_whatever_their_case_and_spacing():
    assert parse_printed("“T.” J, VOL. VOLUME 16, NO. 2, 2023, pp. 12 – 23.")[
        "volume"] == "16"
    shouted = parse_printed("“T.” J, VOL. 16, NO. 2, 2023, pp. 12 – 23.")
    assert (shouted["volume"], shouted["issue"], shouted["pages"]) == ("16", "2", "12–23")
    assert parse_printed("“T.” J, Vol. volume 9, 2023.")["volume"] == "9"


def test_volume_printed_as_volume_in_any_case_is_a_defect(library):
    assert "malformed-volume" in codes(check(library, "A. “T.” J, VOL. VOLUME 16, 2023."))
    assert "malformed-volume" in codes(check(library, "A. “T.” J, Vol. volume 16, 2023."))


def test_dashes_in_page_ranges_do_not_make_a_mismatch(library):
    em = check(library, CONNOLLY, citekey="connolly2017acne", pages="12—23")  # the record written with an em dash
    assert "metadata-mismatch" not in codes(em)


def test_a_record_title_with_a_full_stop_matches_fully_and_scores_have_one_decimal(library):
    lib = library.copy()
    lib.loc[lib["citekey"] == "mony2023updated", "title"] = "An Updated Review of Hypertrophic Scarring."
    (ref,) = check_reference_list(article(MONY), lib)
    assert (ref.citekey, ref.match_score) == ("mony2023updated", 100.0)
    near = check(library, "“An Updated Review of Hypertrophic Scars in Adults.” Cells, 2023.")
    expected = fuzz.token_sort_ratio("An Updated Review of Hypertrophic Scars in Adults",
                                     "An Updated Review of Hypertrophic Scarring", processor=str.lower)
    assert near.match_score == round(expected, 1) and near.match_score != round(expected)


def test_title_match_thresholds_at_their_exact_boundaries():
    """Artificial titles whose similarity is exactly 90 and exactly 75 (token_sort_ratio): 90 is a sure
    match (no 'uncertain-match'), 75 is still a match."""
    lib = pd.DataFrame([{"citekey": "k", "title": "Acne scars", "author_count": 0, "year": None, "volume": None,
                         "issue": None, "pages": None, "doi": None, "pmid": None}])
    (sure,) = check_reference_list(article("“Acne scarz.” 2020"), lib)
    assert (sure.citekey, sure.match_score) == ("k", 90.0) and "uncertain-match" not in codes(sure)
    lib.loc[0, "title"] = "scarring"
    (maybe,) = check_reference_list(article("“scarriyz.” 2020"), lib)
    assert (maybe.citekey, maybe.match_score) == ("k", 75.0) and "uncertain-match" in codes(maybe)
    (none,) = check_reference_list(article("“scarryyz.” 2020"), lib)
    assert none.citekey is None


def test_a_title_is_kept_whole_but_its_closing_full_stop_and_an_untitled_record_matches_nothing():
    """Only the closing full stop is dropped, from the printed title and from the record's: a title
    ending in a capital letter ('Vitamin X') is compared whole. A record without a title is never a
    title match. (Artificial titles, written for this test.)"""
    assert parse_printed("“Vitamin X.” J Derm, 2020.")["title"] == "Vitamin X"
    row = {"author_count": 0, "year": None, "volume": None, "issue": None, "pages": None, "doi": None, "pmid": None}
    lib = pd.DataFrame([{"citekey": "k", "title": "Vitamin X.", **row}, {"citekey": "u", "title": None, **row}])
    (ref,) = check_reference_list(article("“Vitamin X.” 2020"), lib)
    assert (ref.citekey, ref.match_method, ref.match_score) == ("k", "title", 100.0)
    (none,) = check_reference_list(article("“Vitamin X.” 2020"), lib[lib["citekey"] == "u"])
    assert (none.citekey, none.match_score) == (None, None)
