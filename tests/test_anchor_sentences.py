"""Where an edited quote's span starts and stops, case by case (issue 14: each row below told a surviving mutant
of the span finder apart from the rule). README "Statements and anchoring": a changed quote is reported with its
new wording; a whole-sentence quote (capital or opening quote first, . ! ? last) anchors on the sentence it now
stands in, from its start (after . ! ? : or a line break; dashes and bullets skipped) to its stop, never across a
line break; a fragment stays a fragment; the prefix picks, of equally similar passages, the first after it.

The sentences are those of the other anchoring tests with words added, dropped or replaced (invented text, not
real recordings); the edits are the kind an article's author makes."""

from __future__ import annotations

import pytest

from evidence.read.anchoring import _cover_changed_ends, anchor_quote, describe_difference, nearest_passage

SAID = "“Sunscreen protects the healing skin,” she said."
MONTHS = "Microneedling reduced scar scores by half within three months."
PEELS = "Peels reduced acne scars by 40% in two trials."


@pytest.mark.parametrize("body, quote, prefix, start, text", [
    # a word added before an opening quote: the sentence now starts with it
    ("months “Sunscreen protects the healing skin,” she said daily - Nothing works overnight. " * 2, SAID, "", 88,
     "months “Sunscreen protects the healing skin,” she said"),
    ("Wear it daily! Lasers help some people. - Isotretinoin clears severe acne (in trials). - months "
     "Peels reduced acne scars by 40% in two trials trials, -", PEELS, "", 89,
     "months Peels reduced acne scars by 40% in two trials"),
    ("Lasers help some people, and peels help others. - often Microneedling reduced scar scores by half we within "
     "three months. Does it help? " + SAID, MONTHS, "", 50,
     "often Microneedling reduced scar scores by half we within three months."),
    # the sentence's start is a line start: nothing before it is taken
    ("Scarring is very common after a bad bout of acne.\nscar scores by half within three months.\nIsotretinoin "
     "clears severe acne in most patients within five months (in trials).", MONTHS, "acne.", 50,
     "scar scores by half within three months."),
    # the stop may be ! or ? where the quote had .; never past a line break, nor into the next sentence
    ("Microneedling reduced scar scores by half within three months.: Peels reduced acne scars by 40% in overall, "
     "trials! - Does it help? - In most trials, fractional lasers reduced acne scars a lot.", PEELS, "onths.", 64,
     "Peels reduced acne scars by 40% in overall, trials!"),
    ("Nothing works overnight.: “Sunscreen protects the skin,” she said?\nWear it daily! - Peels reduced acne "
     "scars by 40% in two trials.", SAID, "ht.", 26, "“Sunscreen protects the skin,” she said?"),
    ("Microneedling reduced scar scores by half within three months\nNothing works overnight.", MONTHS, "", 0,
     "Microneedling reduced scar scores by half within three months"),
    ("deep then Isotretinoin clears severe acne in most patients within five months (in\nNothing works overnight. -",
     "Isotretinoin clears severe acne in most patients within five months (in trials).", "", 0,
     "deep then Isotretinoin clears severe acne in most patients within five months (in\nNothing works overnight."),
    # a stop with a letter glued after it ends no sentence: the span stops at the best match
    ("Intro here. Peels reduced acne scars by 40 percent.X Outro text here. Done.", "Peels reduced acne scars by 40%.", "", 12,
     "Peels reduced acne scars by 40"),
    # ... and when the span found ends there, it runs on to the next real stop
    ("In most trials, fractional lasers reduced acne scars a lot.\n" + SAID + "\ndeep most acne scars are atrophic, "
     "the sunken kind.X Does it help?", "Most acne scars are atrophic, the sunken kind.", "", 109,
     "deep most acne scars are atrophic, the sunken kind.X Does it help?"),
    # a short question: the span keeps its words closest to the quote
    ("“Sunscreen protects the healing skin,” she said.: trials the patients it help? -", "Does it help?", "id.", 61,
     "patients it help?"),
    # a fragment (lower case, no stop) stays a fragment
    ("weeks peels reduced often scars by 40% deep in two trials. " + SAID, "acne scars by 40% in", "", 20,
     "often scars by 40% deep"),
])
def test_an_edited_quote_anchors_on_the_span_of_its_sentence(body, quote, prefix, start, text):
    a = anchor_quote(body, quote, prefix)
    assert (a.status, a.start, a.text) == ("changed", start, text)
    if not prefix:  # the passage shown for a lost quote is found the same way
        assert nearest_passage(body, quote) == text


@pytest.mark.parametrize("body, quote, passage", [
    ("In most trials, fractional lasers reduced acne scars a lot. " + SAID + " overall, Nothing works? - "
     "Isotretinoin clears severe acne in most patients within five months (in trials).",
     "Nothing works overnight.", "overall, Nothing works?"),
    (("Scarring is very common after a bad bout of acne. - " + PEELS + " often usually a it help? - Nothing works "
      "overnight. ") * 2, "Does it help?", "often usually a it help?"),
    ("Does it help? Wear it overall,\nIn most trials, fractional lasers reduced acne scars a lot. " + MONTHS,
     "Wear it daily!", "Wear it overall"),
    ("we percent Wear two it daily! Scarring is very common after a bad bout of acne.", "Wear it daily!",
     "we percent Wear two it daily!"),
    ("Microneedling reduced scar scores by half within three months.\nDoes it daily we.: " + SAID,
     "Does it help?", "Does it daily we."),
    ("Isotretinoin clears severe acne in most patients within five months (in trials). Scarring is very common "
     "after a bad bout of acne.\" Does it help?", "Scarring is very common after a bad bout of acne.",
     "Scarring is very common after a bad bout of acne.\""),
])
def test_the_nearest_passage_of_a_lost_sentence_is_its_whole_sentence(body, quote, passage):
    """A quote too changed to re-anchor (or one shown beside its exact match) is shown with the most similar
    passage, taken like a re-anchored span: back to the sentence's start, on to its stop and closing quote."""
    assert nearest_passage(body, quote) == passage


def test_an_exact_quote_is_never_stretched():
    body = "Isotretinoin clears severe acne in most patients within five months (in trials).\nthen patients Does it help?"
    a = anchor_quote(body, "Does it help?")
    assert (a.status, a.start, a.text) == ("exact", 95, "Does it help?")
    assert nearest_passage(body, "Does it help?") == "Does it help?"


def test_of_equally_similar_passages_after_the_prefix_the_first_is_taken():
    body = ("Wear it daily! - patients in most trials, fractional lasers reduced acne scars a lot.\nIsotretinoin clears "
            "severe acne in most patients within five months (in trials).: ") * 2
    a = anchor_quote(body, "In most trials, fractional lasers reduced acne scars a lot.", "it daily!")
    assert (a.status, a.start, a.text) == ("changed", 17, "patients in most trials, fractional lasers reduced acne scars a lot.")


@pytest.mark.parametrize("before, widened", [
    ("Wear sunscreen. protects", False), ("Wear sunscreen: protects", False), ("Wear sunscreen\nprotects", False),
    ("Wear sunscreen, protects", True),
])
def test_a_changed_first_word_is_taken_in_only_from_the_same_sentence_and_line(before, widened):
    body = before + " the healing skin, she said"
    a = body.index("protects")
    z = len(body)
    assert _cover_changed_ends(body, "sunscreen protects the healing skin, she said", a, z) == (
        (body.index("sunscreen"), z) if widened else (a, z))


def test_a_long_paragraph_is_described_word_by_word_like_a_sentence():
    """difflib's autojunk would treat the spaces of a 100-word text as junk and describe the dropped last word
    as a replaced one; the description must stay word by word however long the quote."""
    from tests.test_anchor_limits import PARA
    assert describe_difference(PARA + " scars themselves.", PARA + " scars.") == (
        "the article lacks 'themselves' (quote: '…of them scars themselves.'; article: '…of them scars.')")


@pytest.mark.parametrize("body, quote, start, end, span", [
    # an all-caps quote of a sentence: nothing scores well, so the alignment's own span stays
    (("Peels reduced acne scars by 40% in two trials.\nLasers help some people, and peels help others. - Isotretinoin "
      "clears severe acne in most patients within five months (in trials). in wear it daily!: ") * 2, "WEAR IT DAILY!",
     148, 166, (148, 166)),
    # a quote of punctuation only: the closest sentence-shaped span
    ("Wear it daily!: deep Nothing works daily overnight!\nLasers help some people, and peels help others.", "“”", 13, 19,
     (16, 20)),
    # letters after the stop: the quote is no whole sentence, and the span stops at the best match
    ("In most trials, fractional lasers reduced acne scars a lot.: Wear it daily! - Scarring is very common after a "
     "bad bout of acne.", "In most trials, fractional lasers reduced acne scars a lot.!X", 26, 82, (0, 65)),
    # the sentence's start at the very start of the text is within reach
    ("“Sunscreen protects the healing skin,” she said.: Scarring is very common after a bad bout of acne. then most "
     "acne are atrophic, the sunken kind often,", "Most acne scars are atrophic, the sunken kind.", 22, 63, (0, 38)),
    # ... and so is one a whole quote's length back, but no further
    ("Microneedling reduced scar scores by half within three months. - Most acne scars are atrophic, the sunken "
     "kind. - In most trials, fractional lasers reduced acne scars a lot.\nin Nothing works overnight. -",
     "Nothing works overnight.", 90, 112, (95, 111)),
    # a span is at least half the quote long
    ("In most trials, fractional lasers reduced acne scars a lot.: skin “Sunscreen protects healing patients skin,” "
     "she said. -", SAID, 110, 121, (67, 121)),
])
def test_the_span_is_chosen_from_word_boundaries_around_the_alignment(body, quote, start, end, span):
    """_best_span, from a partial alignment (start, end) of the quote: the most similar span between word
    boundaries around it, at least half the quote long; a sentence-shaped one (for a whole-sentence quote)
    unless it scores more than 15 points lower; with no candidate scoring above nothing, the alignment itself."""
    from evidence.read.anchoring import _best_span
    assert _best_span(body, quote, start, end)[:2] == span


def test_the_nearest_passage_is_never_empty():
    """A one-letter quote inside a long word (no word boundary within reach): the letter itself is shown, not the
    empty span at the word's end."""
    assert nearest_passage("Microneedling", "d") == "d"
    assert nearest_passage("Isotretinoin", "n") == "n"
