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


# --- typography-blind anchoring: the offsets stay those of the original text -----------------

import pytest  # noqa: E402

from evidence.read.anchoring import describe_difference, normalise  # noqa: E402

LEAD = "Intro sentence here. "


@pytest.mark.parametrize("case, in_article, typed", [
    ("curly double quotes", "Dr. Chang calls them “scars that form after a breakout.”",
     'Dr. Chang calls them "scars that form after a breakout."'),
    ("curly apostrophe", "Scars don’t fade on their own.", "Scars don't fade on their own."),
    ("straight quotes in the article, curly in the quote", 'It is "permanent" damage.', "It is “permanent” damage."),
    ("em dash, no spaces", "acne scars—both kinds—last", "acne scars - both kinds - last"),
    ("en dash in a range", "results in 3–6 months", "results in 3-6 months"),
    ("spaced en dash", "redness – and peeling", "redness-and peeling"),
    ("non-breaking space", "about 2\u00a0weeks of redness", "about 2 weeks of redness"),
    ("repeated spaces and a line break", "laser  treatments can\nhelp", "laser treatments can help"),
    ("ligature", "the ﬁrst ﬂare of redness", "the first flare of redness"),
    ("soft hyphen", "micro\u00adneedling helps", "microneedling helps"),
    ("zero-width space", "sub\u200bcision helps", "subcision helps"),
])
def test_typography_does_not_change_a_quote(case, in_article, typed):
    body = LEAD + in_article + " Outro."
    a = anchor_quote(body, typed)
    assert a.status == "exact", case
    assert (a.start, a.end) == (len(LEAD), len(LEAD) + len(in_article)), case
    assert a.text == in_article == body[a.start:a.end]
    assert a.normalised and a.prefix == LEAD and a.suffix == " Outro."


def test_typography_blind_match_inside_a_longer_text_keeps_exact_offsets():
    body = "A “first” one—here. Then: the ﬁnal  word’s end."
    a = anchor_quote(body, "the final word's end")
    assert body[a.start:a.end] == "the ﬁnal  word’s end"
    a = anchor_quote(body, '"first" one - here')
    assert body[a.start:a.end] == "“first” one—here"


def test_normalised_prefix_picks_the_occurrence():
    body = "One “rule”: wear sunscreen. Two “rules”: wear sunscreen."
    a = anchor_quote(body, "wear sunscreen.", prefix='Two "rules":')
    assert a.status == "exact" and a.start == body.rindex("wear sunscreen.")


def test_normalise_maps_every_character_back():
    text = "a\u00a0 “b”—c ﬁ\u00add"
    n = normalise(text)
    assert n.text == 'a "b"-c fid'
    assert len(n.starts) == len(n.ends) == len(n.text)
    assert n.original_span(2, 5) == (3, 6)  # '"b"' -> '“b”'
    assert text[slice(*n.original_span(8, 10))] == "ﬁ"


def test_a_real_change_still_shows_both_sides():
    edited = BODY.replace("Acne scars are common.", "Acne scars are rather common.")
    a = anchor_quote(edited, "Acne scars are common.")
    assert a.status == "changed"
    message = describe_difference("Acne scars are common.", a.text)
    assert message.startswith("the article adds 'rather'")
    assert "quote: 'Acne scars are common.'" in message and "article: 'Acne scars are rather common.'" in message
    assert describe_difference("it’s 3–6", "it's 3-6") == "they differ only in typography"
    swapped = describe_difference("lasts two weeks", "lasts ten days")
    assert "the quote has 'two weeks' where the article has 'ten days'" in swapped


def test_changed_message_in_the_check_shows_both_sides(ws):
    md = (ws.root / "articles/example.md").read_text()
    write(ws, "articles/example.md", md.replace("the sunken kind", "the sunken type"))
    (report,) = pipeline.check(ws).reports
    (p,) = [p for p in report.problems if p.code == "statement-changed"]
    assert "the quote has 'kind' where the article has 'type'" in p.message
    assert "evidence accept example S01" in p.hint


def test_curly_quotes_typed_straight_do_not_block_the_check(ws, cli):
    md = (ws.root / "articles/example.md").read_text()
    write(ws, "articles/example.md", md.replace("the sunken kind", "the “sunken” kind"))
    st = (ws.root / "articles/example.statements.csv").read_text()
    write(ws, "articles/example.statements.csv", st.replace("the sunken kind", 'the ""sunken"" kind'))
    (report,) = pipeline.check(ws).reports
    s01 = next(s for s in report.statements if s.statement_id == "S01")
    assert s01.anchor == "exact" and s01.current_text == "Most acne scars are atrophic, the “sunken” kind."
    assert cli(ws, "check").exit_code == 0


def test_a_quote_not_found_shows_the_nearest_passage_and_what_differs(ws, cli):
    md = (ws.root / "articles/example.md").read_text()
    write(ws, "articles/example.md", md.replace("Most acne scars are atrophic, the sunken kind.",
                                                "Many acne marks are flat, a brown kind."))
    result = cli(ws, "check")
    assert result.exit_code == 2
    assert "[quote-not-found] S01: quote not found" in result.output
    assert "nearest passage: 'Many acne marks are flat, a brown kind.'" in result.output
    assert "the quote has 'Most' where the article has 'Many'" in result.output
