"""A changed first or last word of a quote is inside the "changed" span shown to the editor (issue 13's
leftover): the span once stopped short of it, and the editor was told of a deletion instead of the new word."""

from __future__ import annotations

import pytest

from evidence.read.anchoring import anchor_quote, describe_difference

BODY = "Studies show that microneedling reduced scar scores by half within three months overall, they add."


@pytest.mark.parametrize("quote, span, said", [
    ("microneedling reduced scar scores by half within three weeks",  # the last word changed
     "microneedling reduced scar scores by half within three months", "the quote has 'weeks' where the article has 'months'"),
    ("laser reduced scar scores by half within three months",  # the first word changed
     "microneedling reduced scar scores by half within three months", "the quote has 'laser' where the article has 'microneedling'"),
    ("needling reduced scar scores by half within three weeks",  # both
     "microneedling reduced scar scores by half within three months", "the quote has 'needling' where the article has 'microneedling'"),
])
def test_the_changed_span_takes_in_a_changed_end_word(quote, span, said):
    anchor = anchor_quote(BODY, quote)
    assert (anchor.status, anchor.text) == ("changed", span)
    assert describe_difference(quote, anchor.text).startswith(said)


def test_the_span_does_not_reach_into_the_next_sentence_for_a_word_the_article_dropped():
    body = "Microneedling reduced scar scores by half within three. Then the trial ended."
    anchor = anchor_quote(body, "Microneedling reduced scar scores by half within three weeks.")
    assert anchor.text == "Microneedling reduced scar scores by half within three."
    body = "Lasers help. Microneedling reduced scar scores by half within three weeks, they say."
    anchor = anchor_quote(body, "needling reduced scar scores by half within three weeks")
    assert "Lasers" not in anchor.text and "help" not in anchor.text
