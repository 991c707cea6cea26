"""Anchoring, record by record: where a quote is, the 32 characters around it, and what an edit
leaves (README "Statements and anchoring": exact first, then fuzzy; changed is reported with its
new wording, never dropped)."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from evidence.read.anchoring import CONTEXT, Anchor, anchor_quote, describe_difference, nearest_passage, prefix_before

BODY = ("Scarring is very common after a bad bout of acne. Most acne scars are atrophic, the sunken kind. "
        "Lasers help some people, and peels help others. Nothing works overnight.")
QUOTE = "Most acne scars are atrophic, the sunken kind."


def test_exact_anchor_carries_offsets_and_32_characters_either_side():
    start = BODY.index(QUOTE)
    end = start + len(QUOTE)
    assert CONTEXT == 32
    assert anchor_quote(BODY, QUOTE) == Anchor(start, end, "exact", QUOTE, 100.0, BODY[start - 32:start], BODY[end:end + 32])


def test_context_is_cut_at_the_start_and_end_of_the_body():
    body = "Acne. " + QUOTE + " Fin."
    a = anchor_quote(body, QUOTE)
    assert (a.start, a.prefix, a.suffix) == (6, "Acne. ", " Fin.")
    first = anchor_quote(QUOTE + " And more text after it, quite a lot of it.", QUOTE)
    assert (first.start, first.prefix, first.suffix) == (0, "", " And more text after it, quite a")


def test_every_occurrence_counts_even_overlapping_ones():
    assert anchor_quote("Hmmm, fine.", "mm").status == "ambiguous"
    assert anchor_quote("Hm, fine.", "m").status == "exact"


def test_a_prefix_picks_any_occurrence_and_ignores_trailing_space():
    body = "x. Lasers help. y. Lasers help. z. Lasers help."
    middle = body.index("Lasers help", 5)
    a = anchor_quote(body, "Lasers help", prefix="y. ")  # stored prefixes end where the quote starts: with a space
    assert (a.start, a.status, a.prefix) == (middle, "exact", body[:middle])
    unknown = anchor_quote(body, "Lasers help", prefix="w.")  # a prefix that matches nothing does not lose the quote
    assert (unknown.start, unknown.status) == (3, "ambiguous")
    assert anchor_quote(body, "Lasers help", prefix="x.").status == "exact"


@pytest.mark.parametrize("body,quote", [
    ("Nothing related here at all, just words.", QUOTE),
    (BODY, "   "),
    ("", QUOTE),
])
def test_a_quote_that_is_gone_is_missing_with_nothing_else(body, quote):
    assert anchor_quote(body, quote) == Anchor(None, None, "missing", None, 0.0)


@pytest.mark.parametrize("edited", [
    "Most acne scars are usually atrophic, the sunken kind.",     # a word added
    "Most acne scars are atrophic, the kind.",                    # a word removed
    "Most acne scars are atrophic, the depressed kind.",          # a word replaced
])
def test_a_changed_quote_is_found_with_its_new_wording_and_context(edited):
    body = BODY.replace(QUOTE, edited)
    start = body.index(edited)
    end = start + len(edited)
    a = anchor_quote(body, QUOTE)
    assert a == Anchor(start, end, "changed", edited, round(fuzz.ratio(QUOTE, edited), 1),
                       body[start - 32:start], body[end:end + 32])
    assert 75 <= a.score < 100


def test_a_changed_quote_at_the_very_start_and_end_of_the_body():
    edited = "Most acne scars are usually atrophic, the sunken kind."
    a = anchor_quote(edited + " Tail.", QUOTE)
    assert (a.start, a.end, a.text, a.prefix, a.suffix) == (0, len(edited), edited, "", " Tail.")
    b = anchor_quote("Head. " + edited, QUOTE)
    assert (b.start, b.end, b.text, b.prefix, b.suffix) == (6, 6 + len(edited), edited, "Head. ", "")


def test_a_prefix_steers_the_search_for_an_edited_quote_too():
    """Two passages that both look like the old quote after an edit: the prefix picks the one after it, as it
    does for exact matches; a prefix found nowhere leaves the best match overall. (Invented text.)"""
    body = ("In 2019: microneedling helped most patients with scars. "
            "In 2021: microneedling helped many patients with scars.")
    quote = "microneedling helped some patients with scars."
    second = body.index("microneedling", 20)
    for prefix in ("In 2021:", "In 2021: "):
        a = anchor_quote(body, quote, prefix)
        assert (a.start, a.end, a.status, a.text) == (second, len(body), "changed", body[second:])
    for prefix in ("In 2019:", "", "In 2020:"):
        a = anchor_quote(body, quote, prefix)
        assert (a.start, a.text) == (9, "microneedling helped most patients with scars.")
    # of several places after the prefix, the most similar passage right after one of them
    notes = "Note: microneedling helped patients. Note: microneedling helped some patients with scars, we saw."
    a = anchor_quote(notes, "microneedling helped a few patients with scars.", "Note:")
    assert (a.start, a.status) == (notes.index("microneedling", 10), "changed")


def test_the_stored_prefix_is_the_end_of_the_text_before_cut_at_a_word():
    """prefix_before: up to 40 characters before the quote, starting at a whole word (a single long word is
    kept whole); a quote that starts a line takes the end of the line before. (Invented text.)"""
    body = "Header line\nalpha beta gamma delta epsilon zeta eta theta iota kappa lambda. Quote here."
    assert prefix_before(body, body.index("Quote")) == "zeta eta theta iota kappa lambda."
    assert prefix_before(body, body.index("Quote"), limit=10) == "lambda."
    assert prefix_before(body, body.index("beta")) == "alpha"
    assert prefix_before(body, body.index("alpha")) == "Header line"
    assert prefix_before(body, 0) == ""
    forty = "alpha beta gamma delta epsilon zeta eta."  # exactly 40 characters: kept whole
    assert len(forty) == 40 and prefix_before(forty + " Quote", 41) == forty
    word = "abcdefghijklmnopqrstuvwxyz" * 2
    assert prefix_before(word + " Quote", len(word) + 1) == word[-40:]


TEN = "one two three four five six seven eight nine ten"


@pytest.mark.parametrize("article, said", [
    (TEN, "they differ only in typography"),
    ("one two\u00a0three  four fi\u00adve six seven eight nine ten", "they differ only in typography"),
    ("one two three four five 6 seven eight nine ten",
     "the quote has 'six' where the article has '6' (quote: '…three four five six seven eight nine…'; "
     "article: '…three four five 6 seven eight nine…')"),
    ("one two three four five seven eight nine ten",
     "the article lacks 'six' (quote: '…three four five six seven eight nine…'; article: '…three four five seven "
     "eight nine…')"),
    ("one two three four five six and a half seven eight nine ten",
     "the article adds 'and a half' (quote: '…four five six seven eight nine…'; article: '…four five six and a half "
     "seven eight nine…')"),
    # near an end, no '…' on that side; two changes at most are described
    ("one two 3 four five six seven eight nine 10 eleven",
     "the quote has 'three' where the article has '3' (quote: 'one two three four five six…'; article: 'one two 3 "
     "four five six…'); the quote has 'ten' where the article has '10 eleven' (quote: '…seven eight nine ten'; "
     "article: '…seven eight nine 10 eleven')"),
    ("1 two 3 four 5 six seven eight nine ten",
     "the quote has 'one' where the article has '1' (quote: 'one two three four…'; article: '1 two 3 four…'); "
     "the quote has 'three' where the article has '3' (quote: 'one two three four five six…'; article: '1 two 3 "
     "four 5 six…')"),
])
def test_a_changed_wording_is_described_word_by_word_with_three_words_around(article, said):
    """Each change (insert, delete, replace; adjacent words as one change) with three words either side, '…'
    where the sentence goes on; typography alone is no change; at most two changes. (Invented text.)"""
    assert describe_difference(TEN, article) == said


def test_the_nearest_passage_is_shown_only_when_it_is_at_least_half_similar():
    body = "Intro. Lasers helped some people with deep scars. End."
    assert nearest_passage(body, "Lasers help some people with scars.") == "Lasers helped some people with deep scars."
    assert nearest_passage(body, "completely unrelated words here") is None
    assert nearest_passage(body, "   ") is None


@pytest.mark.parametrize("body, quote, now", [
    ("Intro here. Peels reduced acne scars by 40 percent. Outro text.", "Peels reduced acne scars by 40%.",
     "Peels reduced acne scars by 40 percent."),
    ("Intro here. Peels reduced acne scars by 40 percent! Outro text.", "Peels reduced acne scars by 40%!",
     "Peels reduced acne scars by 40 percent!"),
    ("Intro here. Peels reduced acne scars (by 40 percent.) Outro text.", "Peels reduced acne scars (by 40%.)",
     "Peels reduced acne scars (by 40 percent.)"),
    ("Intro here. “Peels reduced acne scars by 40 percent,” she said. Outro.",
     "“Peels reduced acne scars by 40%,” she said.", "“Peels reduced acne scars by 40 percent,” she said."),
    ("Intro here. In most trials, fractional lasers reduced acne scars a lot. Outro text.",
     "Fractional lasers reduced acne scars a lot.", "In most trials, fractional lasers reduced acne scars a lot."),
    # words added before the sentence's old start: the span starts at the sentence's new start
    ("Intro here. In several large trials since 2015, lasers reduce acne scars in most adults. Outro.",
     "Lasers reduce acne scars in most adults.",
     "In several large trials since 2015, lasers reduce acne scars in most adults."),
    ("- Lasers reduce acne scars in most adults by a lot. Outro.", "Lasers reduce acne scars in most adults.",
     "Lasers reduce acne scars in most adults by a lot."),  # a bullet's dash is not part of the sentence
    ("Intro: lasers reduce acne scars in most adults. Outro.", "Lasers reduce acne scars in most adults.",
     "lasers reduce acne scars in most adults."),  # a colon starts a sentence
    # words added before the final stop: the span runs to the stop, across a line break too
    ("Intro here. Peels helped most of the people we saw, in short. Outro.", "Peels helped most of the people we saw.",
     "Peels helped most of the people we saw, in short."),
    ("Intro here. Peels helped most of the people we saw, in short! Outro.", "Peels helped most of the people we saw!",
     "Peels helped most of the people we saw, in short!"),
    ("Intro here. Peels helped most of the people we saw, in short? Outro.", "Peels helped most of the people we saw?",
     "Peels helped most of the people we saw, in short?"),
    # a fragment (lower-case start, no full stop) stays a fragment
    ("Intro here. Most peels reduced acne scars by 40 percent in a year and more, outro.",
     "peels reduced acne scars by 40% in a year", "peels reduced acne scars by 40 percent in a year"),
])
def test_a_whole_sentence_quote_anchors_on_the_whole_edited_sentence(body, quote, now):
    """README/docstring: an edited whole-sentence quote (capital or opening quote first, . ! ? last, closing
    quotes and brackets aside) re-anchors on the whole sentence it now stands in, so accepting it never cuts
    the sentence; a fragment is not stretched to one. (Invented text.)"""
    a = anchor_quote(body, quote)
    assert (a.status, a.text, a.start) == ("changed", now, body.index(now))


def test_a_short_quote_edited_at_the_very_end_of_the_text_is_found():
    """The end of the text is a word boundary like any other: a span may start or end there. (Invented text.)"""
    a = anchor_quote("Some text ends here with acne", "acme")
    assert (a.status, a.text, a.start, a.end, a.suffix) == ("changed", "acne", 25, 29, "")


def test_a_prefix_typed_with_other_typography_picks_the_occurrence_even_at_the_start():
    """The prefix is compared with typography folded, for an exact quote and for one that matches only once
    folded; a prefix at the very start of the text counts whole. (Invented text.)"""
    body = "“Two”: wear sunscreen. One: wear sunscreen."
    a = anchor_quote(body, "wear sunscreen.", prefix='"Two":')
    assert (a.start, a.status) == (7, "exact")
    twice = "One: the “best” option. Two: the “best” option."
    for prefix, start, status in (("Two:", twice.rindex("the"), "exact"), ("One:", 5, "exact"),
                                  ("Three:", 5, "ambiguous"), ("", 5, "ambiguous")):
        b = anchor_quote(twice, 'the "best" option.', prefix=prefix)
        assert (b.start, b.end - b.start, b.status, b.normalised, b.score) == (start, 18, status, True, 100.0)


def test_without_a_prefix_no_occurrence_is_preferred_whatever_precedes_it():
    body = "Size XXXX wear it. Size M wear it."  # (invented text)
    assert (anchor_quote(body, "wear it.").status, anchor_quote(body, "wear it.").start) == ("ambiguous", 10)


def test_the_prefix_steers_only_to_a_passage_right_after_it_and_to_the_best_of_them():
    """After its prefix means right after: a passage further on (more than a quarter of the quote's length of
    other text between) is not the prefixed one; of two passages right after the prefix, the more similar
    wins, wherever it stands. (Invented text.)"""
    quote = "microneedling helped a few patients with scars."
    further = ("Note: some filler words are written here first and more. microneedling helped some patients with scars. "
               "Note: microneedling helped a patient with acne.")
    a = anchor_quote(further, quote, "Note:")
    assert (a.start, a.text) == (110, "microneedling helped a patient with acne.")
    best_first = ("Note: microneedling helped some patients with scars, we saw. Then we waited for a long while. "
                  "Note: microneedling helped patients.")
    b = anchor_quote(best_first, quote, "Note:")
    assert (b.start, b.text) == (6, "microneedling helped some patients with scars, we saw.")
