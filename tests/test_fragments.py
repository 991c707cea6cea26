"""Text-fragment links to the original article (README: a `#:~:text=` link to the sentence, WICG
Scroll-to-Text): every character that is syntax in a directive is encoded, and the page's own
fragment is replaced, not kept."""

from __future__ import annotations

from evidence.render.fragments import text_directive, text_fragment_url


def test_slashes_and_directive_syntax_are_encoded():
    assert text_directive("24/7 care, day-night & more") == "text=24%2F7%20care%2C%20day%2Dnight%20%26%20more"


def test_no_prefix_means_no_prefix_term():
    assert text_directive("See your dermatologist.") == "text=See%20your%20dermatologist."
    assert text_fragment_url("https://news.example.org/acne", "See your dermatologist.") == \
        "https://news.example.org/acne#:~:text=See%20your%20dermatologist."


def test_every_existing_fragment_of_the_url_is_dropped():
    assert text_fragment_url("https://news.example.org/acne#top#more", "Acne scars") == \
        "https://news.example.org/acne#:~:text=Acne%20scars"
    assert text_fragment_url("https://news.example.org/acne", "   ") == ""
