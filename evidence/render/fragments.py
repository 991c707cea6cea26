"""Render stage, links to the exact sentence: stable fragment ids and text-fragment URLs.

Our own pages use fragment ids derived from the statement id (``#s-s61``), stable as long as
the statement keeps its id. For the article's original page we cannot add ids, so we link
with a URL text fragment (``#:~:text=``, WICG Scroll-to-Text), which browsers that support it
scroll to and highlight; others simply open the page.
"""

from __future__ import annotations

from urllib.parse import quote

from ..identifiers import is_safe_url

_LONG = 8  # words; longer quotes are matched by their first and last words (textStart,textEnd)
_EDGE = 4


def _encode(text: str) -> str:
    """Percent-encode one directive term; '-', ',' and '&' are syntax in a text directive."""
    return quote(" ".join(text.split()), safe="").replace("-", "%2D")


def text_directive(quote_text: str, prefix: str = "") -> str:
    """``text=[prefix-,]start[,end]`` for a quote; ``prefix`` (text just before) disambiguates."""
    words = quote_text.split()
    if len(words) > _LONG:
        body = f"{_encode(' '.join(words[:_EDGE]))},{_encode(' '.join(words[-_EDGE:]))}"
    else:
        body = _encode(quote_text)
    before = " ".join(prefix.split()[-3:]) if prefix else ""
    return "text=" + (f"{_encode(before)}-," if before else "") + body


def text_fragment_url(url: str, quote_text: str, prefix: str = "") -> str:
    """The original article's URL that scrolls to and highlights ``quote_text``; '' without a URL."""
    if not url or not quote_text.strip() or not is_safe_url(url):  # the read stage refuses others; belt and braces
        return ""
    return url.split("#", 1)[0] + "#:~:" + text_directive(quote_text, prefix)
