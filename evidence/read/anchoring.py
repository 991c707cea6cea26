"""Anchor statement quotes in article text: exact first, then fuzzy.

Like the W3C TextQuoteSelector, an anchor is the quote plus its surrounding text. When an
article is edited, an exact match re-anchors silently; a near match is reported as
"changed" with the new wording, so a statement is never dropped without a word.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

CONTEXT = 32
FUZZY_CUTOFF = 75.0


@dataclass(frozen=True)
class Anchor:
    start: int | None
    end: int | None
    status: str  # exact | ambiguous | changed | missing
    text: str | None
    score: float
    prefix: str = ""
    suffix: str = ""


def _occurrences(body: str, quote: str) -> list[int]:
    found, i = [], body.find(quote)
    while i >= 0:
        found.append(i)
        i = body.find(quote, i + 1)
    return found


def anchor_quote(body: str, quote: str, prefix: str = "") -> Anchor:
    hits = _occurrences(body, quote)
    status = "exact"
    if prefix and hits:
        preferred = [h for h in hits if body[:h].rstrip().endswith(prefix.rstrip())]
        hits = preferred or hits
    if len(hits) > 1:
        status = "ambiguous"
    if hits:
        start = hits[0]
        end = start + len(quote)
        return Anchor(start, end, status, quote, 100.0, body[max(0, start - CONTEXT):start], body[end:end + CONTEXT])
    if not quote.strip():
        return Anchor(None, None, "missing", None, 0.0)
    match = fuzz.partial_ratio_alignment(quote, body, score_cutoff=FUZZY_CUTOFF)
    if match is None:
        return Anchor(None, None, "missing", None, 0.0)
    start, end, score = _best_span(body, quote, match.dest_start, match.dest_end)
    return Anchor(start, end, "changed", body[start:end], round(score, 1),
                  body[max(0, start - CONTEXT):start], body[end:end + CONTEXT])


def _boundaries(body: str, lo: int, hi: int) -> list[int]:
    lo, hi = max(0, lo), min(len(body), hi)
    return [i for i in range(lo, hi + 1) if i in (0, len(body)) or (body[i - 1].isspace() != body[i].isspace())]


def _best_span(body: str, quote: str, start: int, end: int) -> tuple[int, int, float]:
    """The partial alignment has the quote's length; an edit changes the length, so try word
    boundaries around it and keep the span most similar to the old quote."""
    slack = max(10, len(quote) // 2)
    best = (start, end, 0.0)
    for a in _boundaries(body, start - slack // 2, start + slack // 2):
        if a < len(body) and body[a].isspace():
            continue
        for z in _boundaries(body, a + len(quote) // 2, a + len(quote) + slack):
            if z <= a or body[z - 1].isspace():
                continue
            score = fuzz.ratio(quote, body[a:z])
            if score > best[2]:
                best = (a, z, score)
    return best
