"""Readers and validation: every kind of bad input is reported with its file, line and a hint,
all errors of a run together, exit code 2, and nothing is written."""

from __future__ import annotations

import pytest

from evidence import pipeline
from evidence.errors import InputError

from .conftest import append, write

CLAIM_HEADER = ("claim_id,citekey,treatment,comparator,scar_type,outcome,measure,value,low,high,unit,interval,n,"
                "sessions,downtime_days,direction,events_treatment,total_treatment,events_comparator,total_comparator,"
                "quote,locator,source_url,status,summary\n")


def claim_row(claim_id="connolly2017acne-2", treatment="", value="", unit="", citekey="connolly2017acne"):
    return (f"{claim_id},{citekey},{treatment},,atrophic,efficacy,,{value},,,{unit},,,,,,,,,,"
            f"\"a quote\",Abstract,,verified,a summary\n")


def problems_of(settings):
    with pytest.raises(InputError) as info:
        pipeline.build(settings)
    return info.value.problems


BAD_INPUTS = [
    # (file, text appended or written, expected code, expected line, words in the message or hint)
    ("references/library.bib", "\n@article{broken2020, title = {Unclosed,\n  year = {2020}\n\n@article{ok2021, title={Fine}, year={2021}}\n",
     "bad-bibtex", 14, "missing comma, brace"),
    ("references/library.bib", "\n@article{connolly2017acne, title={Again}, year={2017}}\n", "duplicate-citekey", 14, "connolly2017acne"),
    ("references/claims.csv", claim_row(value="about 65", unit="percent"), "bad-number", 3, "about 65"),
    ("references/claims.csv", claim_row(treatment="fraxell"), "unknown-treatment", 3, "non_ablative_fractional_laser"),
    ("references/claims.csv", claim_row(claim_id="connolly2017acne-1"), "duplicate-claim-id", 3, "first on line 2"),
    ("references/claims.csv", claim_row(citekey="conolly2017acne"), "unknown-study", 3, "connolly2017acne"),
    ("references/claims.csv", claim_row(value="65"), "missing-unit", 3, "unit"),
    ("articles/example.links.csv", "S01,connolly2017acne-9,supports,\n", "unknown-claim", 3, "connolly2017acne-1"),
    ("articles/example.links.csv", "S09,connolly2017acne-1,supports,\n", "unknown-statement", 3, "S09"),
    ("articles/example.links.csv", "S01,connolly2017acne-1,proves,\n", "bad-relation", 3, "supports"),
    ("articles/example.statements.csv", "S03,A sentence that is nowhere in the article at all.,claim,,,,,,\n",
     "quote-not-found", 4, "copy the quote exactly"),
    ("articles/example.statements.csv", "S03,See your dermatologist.,number,about 80%,,,,,\n", "bad-quantity", 4, ">80 percent"),
    ("references/studies.csv", "newstudy2020,rtc,,,,,,,https://example.org,verified,\n", "bad-design", 3, "rct"),
    ("references/studies.csv", "connolly2017acne,rct,,,,,,,not a url,verified,\n", "bad-url", 3, "https://"),
]


@pytest.mark.parametrize("rel,text,code,line,words", BAD_INPUTS, ids=[b[2] for b in BAD_INPUTS])
def test_bad_input_names_file_line_and_fix(ws, rel, text, code, line, words):
    append(ws, rel, text)
    found = [p for p in problems_of(ws) if p.code == code]
    assert found, f"no {code} problem"
    p = found[0]
    assert p.file == rel
    assert p.line == line
    assert words in (p.message + " " + p.hint)
    assert not ws.db_path.exists()


def test_unknown_column_suggests_the_right_one(ws):
    text = (ws.root / "references/studies.csv").read_text().replace("follow_up_months", "followup_months")
    write(ws, "references/studies.csv", text)
    found = [p for p in problems_of(ws) if p.code == "unknown-column"]
    assert found[0].line == 1 and "follow_up_months" in found[0].hint


def test_synonyms_are_accepted_and_normalised(ws):
    append(ws, "references/claims.csv", claim_row(claim_id="connolly2017acne-2", treatment="Fraxel Dual"))
    checked = pipeline.build(ws)
    claims = checked.workspace.claims.set_index("claim_id")
    assert claims.loc["connolly2017acne-2", "treatment"] == "non_ablative_fractional_laser"


def test_all_errors_of_a_run_are_reported_together(ws):
    append(ws, "references/claims.csv", claim_row(claim_id="connolly2017acne-2", value="lots", unit="percent"))
    append(ws, "articles/example.links.csv", "S01,nope-1,supports,\n")
    append(ws, "references/library.bib", "\n@article{connolly2017acne, title={Dup}}\n")
    codes = {p.code for p in problems_of(ws)}
    assert {"bad-number", "unknown-claim", "duplicate-citekey"} <= codes


def test_cli_reports_errors_with_exit_code_2_and_writes_nothing(ws, cli):
    append(ws, "references/claims.csv", claim_row(claim_id="connolly2017acne-2", treatment="fraxell"))
    result = cli(ws, "build")
    assert result.exit_code == 2
    assert "references/claims.csv:3: [unknown-treatment]" in result.output
    assert "nothing was written" in result.output
    assert not ws.db_path.exists()


def test_multiline_quoted_cells_keep_exact_line_numbers(ws):
    append(ws, "references/claims.csv",
           'connolly2017acne-2,connolly2017acne,,,,efficacy,,,,,,,,,,,,,,,"line one\nline two",Abstract,,verified,s\n'
           + claim_row(claim_id="connolly2017acne-3", value="x", unit="percent"))
    bad = [p for p in problems_of(ws) if p.code == "bad-number"]
    assert bad[0].line == 5


def test_non_utf8_bibtex_is_an_error_not_a_crash(ws):
    (ws.root / "references/extra.bib").write_bytes("@article{x, title={Caf\xe9}}".encode("cp1252"))
    found = [p for p in problems_of(ws) if p.code == "bad-encoding"]
    assert found and found[0].file == "references/extra.bib"


def test_real_world_bibtex_files_parse_without_crashing():
    """Real exports (Mendeley, JabRef) from ../shared/external/: parsed, problems located, no crash."""
    from evidence.read.bibtex import read_bibtex

    from .conftest import external_dir

    folder = external_dir() / "bibtex"
    random_bib = folder / "bibtexparser" / "random.bib"
    df, problems = read_bibtex([random_bib], {random_bib: "random.bib"})
    assert len(df) > 200
    assert all(isinstance(p.line, int) and p.line >= 1 for p in problems)
    # JabRef's mixed-content file: one entry, then stray text after it, which BibTeX reads as a comment
    mixed = folder / "jabref" / "bibWithMixedContent.bib"
    df2, problems2 = read_bibtex([mixed], {mixed: "mixed.bib"})
    assert problems2 == []
    assert df2[["citekey", "entry_type", "first_author", "year", "pages", "source_line"]].values.tolist() == [
        ["Fen2010", "inproceedings", "Stefan Fenz", 2010, "100–109", 1]]
    assert df2["title"].iloc[0] == "From the Resource to the Business Process Risk Level"
    dup = folder / "jabref" / "issue-13689.bib"
    _, problems3 = read_bibtex([dup], {dup: "dup.bib"})
    assert [(p.line, p.message) for p in problems3 if p.code == "duplicate-citekey"] == [(20, "duplicate citekey 'many'")]
