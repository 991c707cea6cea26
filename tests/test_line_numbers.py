"""Readers report the line an editor must open (README: line numbers count the header as line 1).

A row that spans several physical lines (a quoted cell with a line break) is reported at its first
line, where the row starts; every problem of a file carries its own line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.read.bibtex import read_bibtex
import pandas as pd

from evidence.read.tables import CLAIMS, LINKS, STATEMENTS, STUDIES, read_table

from .conftest import REPO, external_dir

# the studies.csv columns these rows are written for (later columns are optional, so a file may stop here)
HEADER = ["citekey", "design", "n", "studies_included", "population", "skin_types", "follow_up_months", "funding",
          "source_url", "status", "notes"]
GOOD = "connolly2017acne,narrative_review,,,people with acne scars,,,,https://pmc.ncbi.nlm.nih.gov/articles/PMC5749614,verified,"


def studies(tmp_path: Path, *rows: str):
    path = tmp_path / "studies.csv"
    path.write_text(",".join(HEADER) + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return read_table(path, STUDIES, "references/studies.csv")


def lines_of(problems, code):
    return [p.line for p in problems if p.code == code]


def test_a_bad_multiline_row_is_reported_at_its_first_line(tmp_path):
    df, problems = studies(tmp_path, GOOD.replace("connolly2017acne", "a2017"),
                           'b2018,cohort,many,,"people\nwith\nscars",,,,https://example.org/b,verified,')
    assert lines_of(problems, "bad-number") == [3]  # the row starts on line 3 and ends on line 5
    assert list(df["source_line"]) == [2, 3]
    (p,) = problems
    assert (p.file, p.field, p.message) == ("references/studies.csv", "n", "n 'many' is not a whole number")


def test_rows_after_a_multiline_row_keep_their_physical_lines(tmp_path):
    df, problems = studies(tmp_path, 'a2017,cohort,,,"two\nlines",,,,https://example.org/a,verified,',
                           "b2018,rtc,,,,,,,https://example.org/b,verified,",
                           "",  # a blank line is skipped but still counted
                           "c2019,cohort,2.5,,,,,,https://example.org/c,verified,")
    assert list(df["source_line"]) == [2, 4, 6]
    assert lines_of(problems, "bad-design") == [4] and lines_of(problems, "bad-number") == [6]


def test_a_multiline_row_of_the_wrong_width_is_reported_at_its_first_line(tmp_path):
    _, problems = studies(tmp_path, GOOD, 'b2018,cohort,,,"a\nb",,,,https://example.org/b,verified,,extra')
    (p,) = [p for p in problems if p.code == "bad-row-width"]
    assert p.file == "references/studies.csv"
    assert (p.line, p.message) == (3, f"row has {len(HEADER) + 1} cells, the header has {len(HEADER)}")


def test_an_unclosed_quote_is_reported_where_its_row_starts(tmp_path):
    """The quote runs to the end of the file, so the row has too few cells: reported on line 3, not 4."""
    df, problems = studies(tmp_path, GOOD, 'b2018,cohort,,,"never closed,,,,https://example.org/b,verified,\nmore text')
    assert lines_of(problems, "bad-row-width") == [3] and list(df["source_line"]) == [2, 3]


def test_a_row_the_csv_reader_cannot_read_is_reported_at_its_first_line(tmp_path):
    huge = "x" * 200_000  # longer than the csv module's field limit
    _, problems = studies(tmp_path, GOOD, f'b2018,cohort,,,"{huge}\n{huge}",,,,https://example.org/b,verified,')
    (p,) = [p for p in problems if p.code == "bad-csv"]
    assert (p.file, p.line, p.message, p.hint) == ("references/studies.csv", 3, "field larger than field limit (131072)",
                                                   "check the quoting of this row")


def test_every_problem_of_a_file_has_its_own_line(tmp_path):
    _, problems = studies(tmp_path, GOOD, GOOD.replace("narrative_review", "anecdote"),
                          GOOD.replace("https://pmc", "pmc"), ",cohort,,,,,,,https://example.org,verified,",
                          GOOD.replace("verified", "checked"))
    assert sorted((p.line, p.code) for p in problems) == [
        (3, "bad-design"), (3, "duplicate-citekey"), (4, "bad-url"), (4, "duplicate-citekey"), (5, "missing-value"),
        (6, "bad-status"), (6, "duplicate-citekey")]
    dup = next(p for p in problems if p.code == "duplicate-citekey" and p.line == 4)
    assert dup.message == "duplicate citekey 'connolly2017acne' (first on line 2)"


def test_header_problems_are_on_line_1_and_an_empty_file_says_what_the_header_is(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("claim_id,citekey,outcome,quote,locator,status,summry\n", encoding="utf-8")
    _, problems = read_table(path, CLAIMS, "references/claims.csv")
    assert {(p.line, p.code, p.field) for p in problems} == {(1, "unknown-column", "summry"),
                                                            (1, "missing-column", "summary")}
    assert next(p for p in problems if p.code == "unknown-column").hint == "did you mean 'summary'?"
    path.write_text("", encoding="utf-8")
    _, problems = read_table(path, CLAIMS, "references/claims.csv")
    assert [(p.line, p.code, p.message, p.hint) for p in problems] == [
        (1, "empty-file", "no header row", "the first line must be: " + ",".join(CLAIMS.names))]


def bib(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bibtex_problems_carry_the_line_of_their_entry(tmp_path):
    a = bib(tmp_path, "a.bib", "% the shipped record, then the same key again and a broken entry\n\n"
            "@article{connolly2017acne,\n  title = {Acne Scarring},\n  year = {2017}\n}\n\n"
            "@article{jacob2001acne,\n  year = {about 2001},\n  doi = {11.1016/x}\n}\n")
    b = bib(tmp_path, "b.bib", "@article{connolly2017acne, title = {Again}, year = {2017}}\n")
    df, problems = read_bibtex([a, b], {a: "references/a.bib", b: "references/b.bib"})
    assert list(zip(df["citekey"], df["source_file"], df["source_line"])) == [
        ("connolly2017acne", "references/a.bib", 3), ("jacob2001acne", "references/a.bib", 8)]
    assert sorted((p.file, p.line, p.code) for p in problems) == [
        ("references/a.bib", 8, "bad-doi"), ("references/a.bib", 8, "missing-title"),
        ("references/a.bib", 9, "bad-year"),  # the line of the year field itself
        ("references/b.bib", 1, "duplicate-citekey")]
    dup = next(p for p in problems if p.code == "duplicate-citekey")
    assert dup.message == "citekey 'connolly2017acne' is already defined in references/a.bib:3"


def test_real_exports_keep_their_entry_lines():
    """Entry lines in real files of ../shared/external/bibtex (checked with grep -n '@')."""
    folder = external_dir() / "bibtex"
    coma = folder / "bibtexparser" / "article_missing_coma.bib"
    df, problems = read_bibtex([coma], {coma: "coma.bib"})
    assert problems == []
    assert list(zip(df["citekey"], df["source_line"])) == [("Cesar2013", 1), ("Baltazar2013", 11), ("Aimar2013", 20),
                                                           ("Doute2013", 31)]
    dup = folder / "jabref" / "issue-13689.bib"
    df, problems = read_bibtex([dup], {dup: "dup.bib"})
    assert list(zip(df["citekey"], df["source_line"])) == [("many", 1), ("one", 14), ("empty", 17)]
    assert sorted((p.line, p.code) for p in problems) == [(14, "missing-title"), (17, "missing-title"),
                                                          (20, "duplicate-citekey")]


@pytest.mark.parametrize("cells,line", [(["a2017", "cohort"], 2)])
def test_a_short_row_is_padded_not_shifted(tmp_path, cells, line):
    df, problems = studies(tmp_path, ",".join(cells))
    assert list(df["source_line"]) == [line] and df["citekey"].tolist() == ["a2017"]
    assert [(p.line, p.code, p.hint) for p in problems] == [  # padded with empty cells: required ones are missing
        (line, "bad-row-width", "quote cells that contain commas with double quotes"),
        (line, "missing-value", "fill in source_url"), (line, "missing-value", "fill in status")]


def test_each_cell_problem_names_its_line_column_and_fix(tmp_path):
    _, problems = studies(tmp_path,
                          "a2017,rtc,65%,,,,about 6,,https://example.org/a,verified,",
                          "b2018,cohort,2.5,3,,,6,,www.example.org,verified,",
                          ",case_series,,,,,,,https://example.org/c,,")
    assert {p.file for p in problems} == {"references/studies.csv"}
    assert sorted((p.line, p.code, p.field, p.message, p.hint) for p in problems) == [
        (2, "bad-design", "design", "design 'rtc' is not allowed", "did you mean 'rct'?"),
        (2, "bad-number", "follow_up_months", "follow_up_months 'about 6' is not a number",
         "write follow_up_months as a number (e.g. 65, not '65%' or 'about 65')"),
        (2, "bad-number", "n", "n '65%' is not a whole number",
         "write n as a whole number (e.g. 65, not '65%' or 'about 65')"),
        (3, "bad-number", "n", "n '2.5' is not a whole number",
         "write n as a whole number (e.g. 65, not '65%' or 'about 65')"),
        (3, "bad-url", "source_url", "source_url 'www.example.org' is not a URL",
         "write the full address starting with https://"),
        (4, "missing-value", "citekey", "'citekey' is empty", "fill in citekey"),
        (4, "missing-value", "status", "'status' is empty", "fill in status"),
    ]


def test_typed_values_come_back_typed_and_empty_cells_as_none(tmp_path):
    df, problems = studies(tmp_path, "a2017,cohort,40,3,adults,,6.5,,https://example.org/a,verified,")
    assert problems == []
    row = df.iloc[0]
    assert (row["n"], row["studies_included"], row["follow_up_months"], row["population"]) == (40, 3, 6.5, "adults")
    assert row["skin_types"] is None and row["funding"] is None
    assert str(df["n"].dtype) == "Int64" and str(df["follow_up_months"].dtype) == "float64"
    assert (row["source_file"], row["source_line"]) == ("references/studies.csv", 2)


def test_a_far_off_value_lists_the_choices(tmp_path):
    _, problems = studies(tmp_path, "a2017,zzz,,,,,,,https://example.org/a,verified,")
    (p,) = problems
    assert p.hint == "expected one of: " + ", ".join(STUDIES.columns[1].choices)


def test_a_bibtex_record_becomes_one_row_with_every_field(tmp_path):
    """The real connolly2017acne record, and the real yan2025risk record written the biblatex way
    (journaltitle, issue) with its DOI in upper case and its PMCID-less, title-less fields as they are."""
    path = bib(tmp_path, "lib.bib", (REPO / "references" / "library.bib").read_text(encoding="utf-8").split("\n\n")[0]
               + "\n\n@Article{yan2025risk,\n  author = {Yan, Chadakan and Phinyo, Phichayut},\n"
               "  title = {Risk},\n  journaltitle = {Journal of Cosmetic Dermatology},\n  year = {2025},\n"
               "  issue = {1},\n  pages = {e16695},\n  doi = {https://doi.org/10.1111/JOCD.16695},\n"
               "  pmcid = {pmc5749614},\n  curated = {title}\n}\n")
    df, problems = read_bibtex([path], {path: "references/lib.bib"})
    assert problems == []
    rows = df.astype(object).where(df.notna(), None).to_dict("records")  # missing values as None
    assert rows[0] == {
        "citekey": "connolly2017acne", "entry_type": "article",
        "title": "Acne Scarring—Pathogenesis, Evaluation, and Treatment Options",
        "authors": ["Connolly, Deirdre", "Vu, Ha Linh", "Mariwalla, Kavita", "Saedi, Nazanin"], "author_count": 4,
        "first_author": "Connolly", "journal": "The Journal of Clinical and Aesthetic Dermatology", "year": 2017,
        "volume": "10", "issue": "9", "pages": "12–23", "doi": None, "pmid": "29344322", "pmcid": "PMC5749614",
        "url": "https://pubmed.ncbi.nlm.nih.gov/29344322/", "curated": None, "source_file": "references/lib.bib",
        "source_line": 1}
    yan = rows[1]
    assert (yan["entry_type"], yan["journal"], yan["issue"], yan["doi"], yan["pmcid"], yan["curated"], yan["volume"],
            yan["source_line"]) == ("article", "Journal of Cosmetic Dermatology", "1", "10.1111/jocd.16695",
                                    "PMC5749614", "title", None, 14)
    assert str(df["year"].dtype) == "Int64"


def test_every_bibtex_problem_with_its_wording_and_the_files_after_it_still_read(tmp_path):
    a = tmp_path / "a.bib"
    a.write_bytes("@article{x, title={Caf\xe9}}".encode("cp1252"))  # not UTF-8: the next files are still read
    b = bib(tmp_path, "b.bib", "@article{broken2020, title = {Unclosed: a title that runs on and on well past sixty "
            "characters of text,\n  year = {2020}\n\n@article{ok2021, title={Fine}, year={2021}}\n\n"
            "@article{jacob2001acne,\n  pmid = {0123},\n  pmcid = {12345},\n  year = {2001a}\n}\n")
    c = bib(tmp_path, "c.bib", "@article{ok2021, title={Again}}\n\n@article{later2022, title={Read}, year={2022}}\n")
    df, problems = read_bibtex([a, b, c], {a: "a.bib", b: "b.bib", c: "c.bib"})
    assert [(p.file, p.line, p.code, p.field, p.message, p.hint) for p in problems] == [
        ("a.bib", 1, "bad-encoding", "", "byte 0xe9 at offset 22 (line 1) is not UTF-8",
         "save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8')"),
        ("b.bib", 1, "bad-bibtex", "",
         "could not parse the entry starting '@article{broken2020, title = {Unclosed: a title that runs on'",
         "check for a missing comma, brace or quote in this entry"),
        ("b.bib", 9, "bad-year", "year", "jacob2001acne: year '2001a' is not a year",  # the year field's own line
         "write the four-digit year, e.g. year = {2017}"),
        ("b.bib", 6, "missing-title", "title", "jacob2001acne: no title", "add title = {...}"),
        ("b.bib", 6, "bad-pmid", "pmid", "jacob2001acne: pmid '0123' is malformed", "a PMID is 1 to 9 digits, with no prefix"),
        ("b.bib", 6, "bad-pmcid", "pmcid", "jacob2001acne: pmcid '12345' is malformed",
         "a PMCID is 'PMC' followed by digits, e.g. PMC5749614"),
        ("c.bib", 1, "duplicate-citekey", "citekey", "citekey 'ok2021' is already defined in b.bib:4",
         "rename one of the entries or delete the copy"),
    ]
    assert list(df["citekey"]) == ["ok2021", "jacob2001acne", "later2022"]  # entries after a duplicate are read
    sparse = df.astype(object).where(df.notna(), None).to_dict("records")[1]
    assert (sparse["title"], sparse["authors"], sparse["author_count"], sparse["first_author"], sparse["journal"],
            sparse["issue"], sparse["pages"], sparse["url"], sparse["year"]) == ("", [], 0, None, None, None, None,
                                                                                   None, None)


def test_an_empty_bibtex_file_gives_an_empty_table_with_every_column(tmp_path):
    empty = bib(tmp_path, "empty.bib", "")
    df, problems = read_bibtex([empty], {empty: "empty.bib"})
    assert problems == [] and len(df) == 0
    assert list(df.columns)[:3] == ["citekey", "entry_type", "title"] and "source_line" in df.columns


def test_a_csv_that_is_not_utf8_is_one_problem_and_an_empty_table(tmp_path):
    path = tmp_path / "studies.csv"
    path.write_bytes((",".join(HEADER) + "\nnoël2020,cohort,,,,,,,https://example.org,verified,\n").encode("cp1252"))
    df, problems = read_table(path, STUDIES, "references/studies.csv")
    offset = len(",".join(HEADER)) + 1 + len("no")  # the ë, on line 2
    assert [(p.file, p.line, p.code, p.message, p.hint) for p in problems] == [
        ("references/studies.csv", 2, "bad-encoding", f"byte 0xeb at offset {offset} (line 2) is not UTF-8",
         "save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8')")]
    assert len(df) == 0 and list(df.columns) == STUDIES.names + ["source_file", "source_line"]


def test_a_byte_order_mark_and_multiline_cells_are_read_as_written(tmp_path):
    path = tmp_path / "studies.csv"
    path.write_text("\ufeff" + ",".join(HEADER) + '\na2017,cohort,,,"people\nwith scars",,,,https://example.org/a,'
                    "verified,\n", encoding="utf-8")
    df, problems = read_table(path, STUDIES, "references/studies.csv")
    assert problems == []
    assert df["population"].tolist() == ["people\nwith scars"] and df["citekey"].tolist() == ["a2017"]


def test_a_header_the_csv_reader_cannot_read_is_reported_on_line_1_with_its_cause(tmp_path):
    """It used to be reported only as 'no header row', the csv error (the cause) dropped."""
    path = tmp_path / "studies.csv"
    path.write_text('"' + "x" * 200_000 + '"\n', encoding="utf-8")
    _, problems = read_table(path, STUDIES, "references/studies.csv")
    assert [(p.file, p.line, p.code, p.message) for p in problems] == [
        ("references/studies.csv", 1, "bad-csv", "field larger than field limit (131072)"),
        ("references/studies.csv", 1, "empty-file", "no header row")]


def test_header_only_and_missing_optional_columns(tmp_path):
    path = tmp_path / "studies.csv"
    path.write_text("citekey,design,source_url,status\n", encoding="utf-8")
    df, problems = read_table(path, STUDIES, "references/studies.csv")
    assert problems == [] and len(df) == 0 and str(df["source_line"].dtype) == "int64"
    path.write_text("citekey,design,source_url,status\na2017,cohort,https://example.org/a,verified\n", encoding="utf-8")
    df, problems = read_table(path, STUDIES, "references/studies.csv")
    assert problems == []
    assert df.loc[0, "notes"] is None and df.loc[0, "population"] is None and pd.isna(df.loc[0, "n"])


def test_header_problems_word_for_word(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("claim_id,citekey,outcome,quote,locator,status,summry\n", encoding="utf-8")
    _, problems = read_table(path, CLAIMS, "references/claims.csv")
    assert sorted((p.file, p.line, p.code, p.field, p.message, p.hint) for p in problems) == [
        ("references/claims.csv", 1, "missing-column", "summary", "required column 'summary' is missing",
         "add it to the header: " + ",".join(CLAIMS.names)),
        ("references/claims.csv", 1, "unknown-column", "summry", "unknown column 'summry'", "did you mean 'summary'?")]


def test_a_duplicate_of_a_two_column_key_names_both(tmp_path):
    path = tmp_path / "example.links.csv"
    path.write_text("statement_id,claim_id,relation,note\nS01,c-1,supports,\nS01,c-2,supports,\nS01,c-1,partly,\n",
                    encoding="utf-8")
    _, problems = read_table(path, LINKS, "articles/example.links.csv")
    assert [(p.file, p.line, p.code, p.field, p.message, p.hint) for p in problems] == [
        ("articles/example.links.csv", 4, "duplicate-statement-id", "statement_id",
         "duplicate statement_id + claim_id 'S01 / c-1' (first on line 2)", "give each row a unique id or remove the copy")]


def test_a_bad_choice_in_a_column_with_an_underscore(tmp_path):
    path = tmp_path / "example.statements.csv"
    path.write_text(",".join(STATEMENTS.names) + "\nS01,A quote.,claim,,,,supportd,," + "," * (len(STATEMENTS.names) - 9)
                    + "\n", encoding="utf-8")
    _, problems = read_table(path, STATEMENTS, "articles/example.statements.csv")
    assert [(p.file, p.line, p.code, p.field, p.message, p.hint) for p in problems] == [
        ("articles/example.statements.csv", 2, "bad-override-verdict", "override_verdict",
         "override_verdict 'supportd' is not allowed", "did you mean 'supported'?")]


def test_a_key_used_twice_in_one_file_is_reported_at_the_second_entry(tmp_path):
    path = bib(tmp_path, "twice.bib", "@article{jacob2001acne, title={Acne scarring}, year={2001}}\n\n"
               "@article{jacob2001acne, title={Acne scarring again}, year={2001}}\n")
    df, problems = read_bibtex([path], {path: "references/twice.bib"})
    assert [(p.file, p.line, p.code, p.field, p.message, p.hint) for p in problems] == [
        ("references/twice.bib", 3, "duplicate-citekey", "citekey", "duplicate citekey 'jacob2001acne'",
         "rename one of the entries or delete the copy")]
    assert df["title"].tolist() == ["Acne scarring"]


def test_an_undefined_macro_is_reported_at_its_own_field_and_nothing_else_is(tmp_path):
    """A bare name that no @string defines is an error at its field's line; a defined name (in any
    case), a month, a number and a '#' inside braces or quotes ("C# in a week") are not macros.
    (Written for this test: an invented record, not a real export.)"""
    path = bib(tmp_path, "m.bib", '@string{jcd = {J Cosmet Dermatol}}\n\n'
               '@article{kim2020acne,\n'
               '  title = {Learning C# in a week},\n'
               '  journal = jid,\n'
               '  month = jan,\n'
               '  year = 2020,\n'
               '  note = jcd # { and } #undef # "x",\n'
               '  publisher = JCD,\n'
               '  series = "Part # 2",\n'
               '  address = {A {nested} # brace} # nowhere\n'
               '}\n')
    df, problems = read_bibtex([path], {path: "references/m.bib"})
    assert [(p.file, p.line, p.code, p.field, p.message, p.hint) for p in problems] == [
        ("references/m.bib", 11, "undefined-macro", "address",
         "kim2020acne: address uses 'nowhere', which no @string defines", "put the value in braces: address = {nowhere}"),
        ("references/m.bib", 5, "undefined-macro", "journal", "kim2020acne: journal uses 'jid', which no @string defines",
         "put the value in braces: journal = {jid}"),
        ("references/m.bib", 8, "undefined-macro", "note", "kim2020acne: note uses 'undef', which no @string defines",
         "put the value in braces: note = {undef}"),
    ]
    assert list(zip(df["citekey"], df["title"], df["year"])) == [("kim2020acne", "Learning C# in a week", 2020)]


def test_each_entry_problem_names_its_line_field_and_fix(tmp_path):
    """A citekey no file name can carry, a citekey that differs from an earlier one only in case, a
    non-http(s) url (shown cut at 80 characters) at the url's own line, and years outside 1000-2100
    or longer than four digits at the year's own line; 1000 and 2100 themselves are years.
    (Written for this test: invented records, not a real export.)"""
    long_url = "ftp://example.org/a/very/long/path/that/goes/on/and/on/well/past/eighty/characters/of/text"
    path = bib(tmp_path, "p.bib", "@article{Bad/key2020,\n  title = {Slash},\n  year = {2020}\n}\n\n"
               f"@article{{smith2020acne,\n  title = {{Scars}},\n  url = {{{long_url}}},\n  year = {{999}}\n}}\n\n"
               "@article{Smith2020acne,\n  title = {Other},\n  year = {2100}\n}\n\n"
               "@article{lo1000, title = {Old}, year = {1000}}\n"
               "@article{hi2101, title = {Late}, year = {2101}}\n"
               "@article{five2017, title = {Five}, year = {20170}}\n")
    df, problems = read_bibtex([path], {path: "references/p.bib"})
    year_hint = "write the four-digit year, e.g. year = {2017}"
    assert sorted((p.file, p.line, p.code, p.field, p.message, p.hint) for p in problems) == [
        ("references/p.bib", 1, "bad-citekey", "citekey",
         "citekey 'Bad/key2020' has characters a file name or URL cannot carry", "use letters, digits and _ . : + - only"),
        ("references/p.bib", 8, "bad-url", "url", f"smith2020acne: url '{long_url[:80]}' is not an http(s) address",
         "write the full address starting with https://"),
        ("references/p.bib", 9, "bad-year", "year", "smith2020acne: year '999' is not a year", year_hint),
        ("references/p.bib", 12, "citekey-case", "citekey",
         "citekey 'Smith2020acne' differs from 'smith2020acne' only in case (their pages would collide)",
         "rename one of them"),
        ("references/p.bib", 18, "bad-year", "year", "hi2101: year '2101' is not a year", year_hint),
        ("references/p.bib", 19, "bad-year", "year", "five2017: year '20170' is not a year", year_hint),
    ]
    years = df.astype(object).where(df.notna(), None)
    assert list(zip(years["citekey"], years["year"])) == [
        ("Bad/key2020", 2020), ("smith2020acne", None), ("Smith2020acne", 2100), ("lo1000", 1000), ("hi2101", None),
        ("five2017", None)]


def test_a_library_split_over_files_reads_as_the_same_table_as_one_file(tmp_path):
    """Where an entry is kept changes only its source file and line: the rows, their order, the index
    and every column's type are those of one file holding them all (a column empty in one file and
    filled in the other is typed as text, as in one file). (Invented records.)"""
    first = "@article{a2001, title = {First}, author = {Ng, A and Li, B}, year = {2001}}\n"
    second = ("@article{b2002, title = {Second}, author = {Roe, C}, year = {2002}, volume = {12}, pages = {1--9},\n"
              "  doi = {10.1000/xyz123}}\n")
    one, a, b = bib(tmp_path, "one.bib", first + second), bib(tmp_path, "a.bib", first), bib(tmp_path, "b.bib", second)
    together, _ = read_bibtex([one], {one: "one.bib"})
    split, _ = read_bibtex([a, b], {a: "a.bib", b: "b.bib"})
    assert list(zip(split["source_file"], split["source_line"])) == [("a.bib", 1), ("b.bib", 1)]
    columns = [c for c in together.columns if c not in ("source_file", "source_line")]
    pd.testing.assert_frame_equal(split[columns], together[columns])


def test_an_entry_dropped_as_a_duplicate_across_files_takes_its_own_problems_with_it(tmp_path):
    """The later copy of a citekey is reported once, as a duplicate; its other faults are not reported
    (it is not read), while the faults of the entries around it are. (Invented records.)"""
    a = bib(tmp_path, "a.bib", "@article{ok2021, title = {Fine}, year = {2021}}\n")
    b = bib(tmp_path, "b.bib", "@article{ok2021, year = {20x1}}\n\n@article{next2022, year = {20x2}}\n")
    _, problems = read_bibtex([a, b], {a: "a.bib", b: "b.bib"})
    assert sorted((p.file, p.line, p.code) for p in problems) == [
        ("b.bib", 1, "duplicate-citekey"), ("b.bib", 3, "bad-year"), ("b.bib", 3, "missing-title")]
