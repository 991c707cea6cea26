"""Where a changed whole-sentence quote's span starts and ends (README "Statements and anchoring": a changed
quote is reported with its new wording). A quote that was a whole sentence (capital first, final punctuation
last) anchors on the whole sentence it now stands in: words added at the start or the end are taken in, up to
the sentence's end within reach, never across a line break. Also the small rules the span finder rests on:
where a sentence starts, how a prefix is cut, and how a difference is shown around its change.

The bodies and quotes below are written for these tests (not real recordings)."""

from __future__ import annotations

import pytest

from evidence.read.anchoring import _sentence_start, anchor_quote, describe_difference, prefix_before

FORTY = "Microneedling reduced scar scores by 40%."


@pytest.mark.parametrize("tail,span", [
    (" percent. Done.", "Microneedling reduced scar scores by 40 percent."),
    (" percent overall. Done.", "Microneedling reduced scar scores by 40 percent overall."),
    (" percent in all. Done.", "Microneedling reduced scar scores by 40 percent in all."),
    (" percent, in all! Done.", "Microneedling reduced scar scores by 40 percent, in all!"),
    (' percent in all?" Done.', 'Microneedling reduced scar scores by 40 percent in all?"'),
    # the sentence's end is past a line break, or out of reach: the span stops at the best match
    (" percent in all\nthe trials. Done.", "Microneedling reduced scar scores by 40"),
    (" percent in most of the trials we read. Done.", "Microneedling reduced scar scores by 40"),
])
def test_a_whole_sentence_quote_takes_in_words_added_before_its_end(tail, span):
    body = "Lasers help. Microneedling reduced scar scores by 40" + tail
    a = anchor_quote(body, FORTY)
    assert (a.status, a.start, a.text) == ("changed", 13, span)


def test_at_the_start_of_the_body_the_whole_sentence_is_taken():
    a = anchor_quote("Microneedling reduced scar scores by 40 percent in all. Done.", FORTY)
    assert (a.start, a.end, a.text, a.prefix) == (0, 55, "Microneedling reduced scar scores by 40 percent in all.", "")


HALF = "Microneedling reduced scar scores by half."


@pytest.mark.parametrize("before,start", [("", 0), ("Lasers help. ", 13), ("Lasers help: ", 13)])
def test_words_added_at_the_start_of_the_sentence_are_taken_in(before, start):
    body = before + "in two trials microneedling reduced scar scores by half. Done."
    a = anchor_quote(body, HALF)
    assert (a.status, a.start, a.text) == ("changed", start, "in two trials microneedling reduced scar scores by half.")
    assert a.score == 83.7


def test_a_dash_does_not_start_a_sentence():
    body = "Lasers help - in two trials microneedling reduced scar scores by half. Done."
    assert anchor_quote(body, HALF).text == body[:-len(" Done.")]


@pytest.mark.parametrize("body,at,starts", [
    ("Done. Next", 6, True), ("Done! Next", 6, True), ("Done? Next", 6, True), ("Note: Next", 6, True),
    ("Done\nNext", 5, True), ('"Done." Next', 8, True), ("“Done.” Next", 8, True), ("Next", 0, True),
    ("Done. \t- • Next", 11, True),    # spaces, tabs, dashes and bullets before it are skipped
    ("Done, next", 6, False), ("Done.X Next", 7, False), ("MAX Next", 4, False), ("Done; next", 6, False), ("Done) next", 6, False),
])
def test_a_sentence_starts_after_final_punctuation_a_colon_a_line_break_or_a_closing_quote(body, at, starts):
    assert _sentence_start(body, at) is starts


def test_a_long_prefix_is_cut_after_the_first_space_not_at_other_whitespace():
    body = "x " * 30 + "ab\tcd ef gh" + " QUOTE"
    assert prefix_before(body, body.index("QUOTE"), limit=11) == "ef gh"  # "ab\tcd" is one cut-off word


@pytest.mark.parametrize("quote,article,said", [
    ("one two three four", "uno two three four",
     "the quote has 'one' where the article has 'uno' (quote: 'one two three four'; article: 'uno two three four')"),
    ("one two three four five", "uno two three four five",
     "the quote has 'one' where the article has 'uno' (quote: 'one two three four…'; article: 'uno two three four…')"),
    ("four three two one", "four three two uno",
     "the quote has 'one' where the article has 'uno' (quote: 'four three two one'; article: 'four three two uno')"),
    ("five four three two one", "five four three two uno",
     "the quote has 'one' where the article has 'uno' (quote: '…four three two one'; article: '…four three two uno')"),
])
def test_three_words_are_shown_either_side_of_a_change_and_an_ellipsis_only_when_more_are_left_out(quote, article, said):
    assert describe_difference(quote, article) == said


ENDS = "Studies show that {} reduced scar scores by half within three {} overall, they add."


@pytest.mark.parametrize("letters,taken", [(17, True), (18, False)])
def test_a_changed_last_word_is_taken_in_when_it_costs_at_most_12_points_of_similarity(letters, taken):
    """Without the new word the span scores 94.7 against the quote; a new word of 17 letters brings it to 83.3
    (taken in), one of 18 letters to 82.7 (more than 12 points lost: left out). The words are made up."""
    word = "z" * letters
    a = anchor_quote(ENDS.format("microneedling", word), "microneedling reduced scar scores by half within three weeks")
    assert a.text == "microneedling reduced scar scores by half within three" + (f" {word}" if taken else "")


@pytest.mark.parametrize("letters,taken", [(16, True), (17, False)])
def test_a_changed_first_word_is_taken_in_when_it_costs_at_most_12_points_of_similarity(letters, taken):
    word = "z" * letters
    a = anchor_quote(ENDS.format(word, "months"), "laser reduced scar scores by half within three months")
    assert a.text == (f"{word} " if taken else "") + "reduced scar scores by half within three months"


TWICE = ("In 2019: microneedling reduced scar scores by a third. In 2020: {}microneedling reduced scar scores by a "
         "third. End.")


@pytest.mark.parametrize("gap,after_prefix", [("", True), ("so ", True), ("then, also ", True),
                                              ("then, also, ", True), ("then, alsoo, ", True),  # 10 and 11 before
                                              ("then, alsooo, ", False), ("then, also, x ", False)])
def test_a_changed_quote_is_looked_for_just_after_its_prefix_then_anywhere(gap, after_prefix):
    """Two equally similar passages: the prefix steers the fuzzy search to the second when the edited quote
    starts within a quarter of its length (11 characters here) after it; farther, the whole body is searched
    and the first passage wins. (The alignment takes in the gap's last character: "then, alsoo, " leaves 11.)"""
    body = TWICE.format(gap)
    a = anchor_quote(body, "microneedling reduced scar scores by a quarter.", prefix="In 2020: ")
    assert a.text == "microneedling reduced scar scores by a third."
    assert a.start == (body.index("In 2020: ") + 9 + len(gap) if after_prefix else 9)


LONG = ("Lasers help some people with acne scars, and chemical peels help other people a great deal. "
        "Studies show that {} reduced scar scores by half within three {} overall, as the authors of the two "
        "trials add in their discussion of the results.")


def test_a_changed_end_word_is_taken_in_far_from_the_body_s_ends_too():
    end = anchor_quote(LONG.format("microneedling", "months"), "microneedling reduced scar scores by half within three weeks")
    assert end.text == "microneedling reduced scar scores by half within three months"
    start = anchor_quote(LONG.format("microneedling", "months"), "laser reduced scar scores by half within three months")
    assert start.text == "microneedling reduced scar scores by half within three months"


def test_a_changed_span_can_start_at_the_body_s_first_character():
    a = anchor_quote("microneedling reduced scar scores by 40 percent in all, they say", "microneedling reduced scar scores by 40%")
    assert (a.status, a.start, a.text) == ("changed", 0, "microneedling reduced scar scores by 40")


def test_a_dropped_end_word_with_nothing_beside_it_in_the_body_leaves_the_span_as_it_is():
    end = anchor_quote("Studies show microneedling reduced scar scores by half within three",
                       "microneedling reduced scar scores by half within three weeks")
    assert (end.start, end.end, end.text) == (13, 67, "microneedling reduced scar scores by half within three")
    start = anchor_quote("reduced scar scores by half within three months, they add.",
                         "laser reduced scar scores by half within three months")
    assert start.start == 0 and start.text.startswith("reduced scar scores by half within three months")


def test_a_prefix_followed_by_nothing_similar_does_not_pull_the_quote_to_it():
    """Only a passage at least as similar as a re-anchoring needs (75) counts as the quote after its prefix."""
    body = ("In 2020: nothing at all was found about lasers or peels in that year of the study, and so on and on and on "
            "and on and on and on and on and on and on. Later: microneedling reduced scar scores by a third.")
    a = anchor_quote(body, "microneedling reduced scar scores by a quarter.", prefix="In 2020: ")
    assert (a.start, a.text) == (body.index("microneedling"), "microneedling reduced scar scores by a third.")
