"""`evidence accept`: a reviewed change of wording becomes the statement's quote; only those
cells of the statements CSV change, and the old and new text are logged."""

from __future__ import annotations

import csv
from datetime import date

from evidence import pipeline
from evidence.workflow.accept import accept, rewrite_cells, scan_csv

from .conftest import write

OLD = "Most acne scars are atrophic, the sunken kind."
NEW = "Most acne scars are atrophic (the sunken kind)."


def _edit_article(ws, old: str = OLD, new: str = NEW) -> None:
    md = (ws.root / "articles/example.md").read_text(encoding="utf-8")
    write(ws, "articles/example.md", md.replace(old, new))


def test_accept_takes_the_new_wording_and_logs_it(ws, cli):
    _edit_article(ws)
    assert cli(ws, "check").exit_code == 1  # the changed statement blocks
    st = ws.root / "articles/example.statements.csv"
    before = st.read_bytes()
    result = cli(ws, "accept", "example", "S01")
    assert result.exit_code == 0, result.output
    assert f"S01: was: {OLD}" in result.output and f"now: {NEW}" in result.output
    # exactly the quote cell changed (the old one was quoted for its comma; the new one needs no quotes)
    assert st.read_bytes() == before.replace(f'"{OLD}"'.encode(), NEW.encode())
    with (ws.root / "articles/example.accepted.csv").open(encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["statement_id"], row["old_quote"], row["new_quote"]) == ("S01", OLD, NEW)
    assert date.fromisoformat(row["date"])
    checked = pipeline.check(ws)
    assert not [p for p in checked.reports[0].problems if p.code == "statement-changed"]
    assert cli(ws, "check").exit_code == 0
    assert cli(ws, "accept", "example", "S01").output.startswith("S01: already matches the article")


def test_every_other_byte_is_kept(ws):
    # CRLF line ends, needless quotes and a trailing space in a note: all must survive
    text = ('statement_id,quote,kind,asserts,cites,prefix,override_verdict,override_reason,note\r\n'
            f'"S01","{OLD}",claim,,connolly2017acne,,,,"kept as is "\r\n'
            '"S02",See your dermatologist.,"advice",,,,,,\r\n')
    write(ws, "articles/example.statements.csv", text)
    _edit_article(ws)
    (result,) = accept(ws, "example", ["S01"], today=date(2026, 1, 2))
    assert result.changed and result.new_quote == NEW
    after = (ws.root / "articles/example.statements.csv").read_bytes().decode("utf-8")
    assert after == text.replace(f'"{OLD}"', NEW)
    log = (ws.root / "articles/example.accepted.csv").read_text(encoding="utf-8")
    assert log == ("date,statement_id,old_quote,new_quote,old_prefix,new_prefix\n"
                   f'2026-01-02,S01,"{OLD}",{NEW},,\n')


def test_a_second_accept_appends_to_the_log(ws):
    _edit_article(ws)
    accept(ws, "example", ["S01"], today=date(2026, 1, 2))
    _edit_article(ws, NEW, "Most acne scars are atrophic: the sunken kind.")
    accept(ws, "example", ["S01"], today=date(2026, 1, 3))
    lines = (ws.root / "articles/example.accepted.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and lines[2].startswith("2026-01-03,S01,")


def test_new_wording_that_occurs_twice_gets_a_prefix(ws):
    md = (ws.root / "articles/example.md").read_text(encoding="utf-8")
    write(ws, "articles/example.md", md.replace(
        "See your dermatologist.", "See your dermatologist.\n\nA note. See a dermatologist."))
    write(ws, "articles/example.statements.csv",
          (ws.root / "articles/example.statements.csv").read_text().replace("S02,See your dermatologist.",
                                                                           "S02,See a dermatologist.,")
          .replace(",advice,,,,,,", ",advice,,,A note.,,,").replace(",,advice", ",advice"))
    _edit_article(ws, "A note. See a dermatologist.", "A note. See your dermatologist!")
    (result,) = accept(ws, "example", ["S02"])
    assert result.new_quote == "See your dermatologist!" and result.new_prefix == "A note."
    checked = pipeline.check(ws)
    s02 = next(s for s in checked.workspace.statements if s.statement_id == "S02")
    assert s02.anchor == "exact"
    assert checked.workspace.articles[0].body[s02.start:s02.end] == "See your dermatologist!"


def test_unknown_statement_or_article_exits_2_and_writes_nothing(ws, cli):
    _edit_article(ws)
    st = ws.root / "articles/example.statements.csv"
    before = st.read_bytes()
    result = cli(ws, "accept", "example", "S01", "S99")
    assert result.exit_code == 2 and "[unknown-statement] no statement 'S99'" in result.output
    assert st.read_bytes() == before and not (ws.root / "articles/example.accepted.csv").exists()
    assert cli(ws, "accept", "nope", "S01").exit_code == 2


def test_a_deleted_sentence_cannot_be_accepted(ws, cli):
    md = (ws.root / "articles/example.md").read_text(encoding="utf-8")
    write(ws, "articles/example.md", md.replace(OLD, "Entirely different words now stand here instead."))
    result = cli(ws, "accept", "example", "S01")
    assert result.exit_code == 2 and "[quote-not-found]" in result.output


def test_scan_csv_finds_raw_cells_with_quoted_newlines():
    text = 'a,b\r\n1,"x, ""y""\nz"\r\n\r\n2,w'
    records = scan_csv(text)
    assert [[text[s:e] for s, e, _ in r] for r in records] == [["a", "b"], ["1", '"x, ""y""\nz"'], ["2", "w"]]
    assert [r[0][2] for r in records] == [1, 2, 5]
    assert rewrite_cells(text, records, ["a", "b"], [(5, "b", "new, text")]) == text.replace(',w', ',"new, text"')
