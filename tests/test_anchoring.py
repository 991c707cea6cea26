"""Statements are anchored exactly, re-anchored after edits, and reported — never dropped — when changed."""

from __future__ import annotations

from evidence import pipeline
from evidence.read.anchoring import anchor_quote

from .conftest import write

BODY = "Acne scars are common. Lasers help some people. Lasers help some people a lot."


def test_exact_anchor_keeps_offsets_and_context():
    a = anchor_quote(BODY, "Acne scars are common.")
    assert (a.start, a.end, a.status) == (0, 22, "exact")
    assert a.suffix.startswith(" Lasers")


def test_prefix_picks_the_intended_occurrence():
    a = anchor_quote(BODY, "Lasers help some people", prefix="common.")
    b = anchor_quote("x. Lasers help some people. y. Lasers help some people", "Lasers help some people", prefix="y.")
    assert a.start == BODY.index("Lasers")
    assert b.start > 20 and b.status == "exact"  # the prefix resolved it
    assert anchor_quote(BODY, "Lasers help some people").status == "ambiguous"


def test_edit_elsewhere_reanchors_exactly():
    edited = "An intro sentence was added. " + BODY
    a = anchor_quote(edited, "Acne scars are common.")
    assert a.status == "exact" and a.start == 29


def test_reworded_statement_is_changed_with_its_new_text():
    edited = BODY.replace("Acne scars are common.", "Acne scars are very common.")
    a = anchor_quote(edited, "Acne scars are common.")
    assert a.status == "changed"
    assert a.text == "Acne scars are very common."


def test_deleted_statement_is_missing():
    assert anchor_quote("Nothing related here at all, just words.", "Acne scars are common.").status == "missing"


def test_changed_statement_blocks_the_check_and_is_kept(ws, cli):
    md = (ws.root / "articles/example.md").read_text()
    write(ws, "articles/example.md", md.replace("Most acne scars are atrophic", "Most acne scars are usually atrophic"))
    checked = pipeline.check(ws)
    (report,) = checked.reports
    s01 = next(s for s in report.statements if s.statement_id == "S01")
    assert s01.anchor == "changed" and "usually" in s01.current_text
    assert any(p.code == "statement-changed" and p.severity == "error" for p in report.problems)
    result = cli(ws, "check")
    assert result.exit_code == 1 and "re-check" in result.output
