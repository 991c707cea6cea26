"""Anchor statement quotes in article text: exact first, then typography-blind, then fuzzy.

Like the W3C TextQuoteSelector, an anchor is the quote plus its surrounding text. When an
article is edited, an exact match re-anchors silently; a near match is reported as
"changed" with the new wording, so a statement is never dropped without a word.

Editors type straight quotes and "-" where the article has curly quotes and dashes, and
word processors leave non-breaking spaces, ligatures and soft hyphens behind. Those are not
changes of wording, so both sides are compared after :func:`normalise`; the offsets
returned still point into the ORIGINAL text (a map from normalised to original positions
is kept), so highlighting and prefixes stay byte-exact.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

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
    normalised: bool = False  # matched only after folding typography (quotes, dashes, spaces...)


_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"'}
_DASHES = set("\u2010\u2011\u2012\u2013\u2014\u2015\u2212-")
_DROPPED = set("\u00ad\u200b\u200c\u200d\u2060\ufeff")  # soft hyphen, zero-width characters
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
              "\ufb06": "st", "\u00e6": "ae", "\u0153": "oe", "\u2026": "..."}


@dataclass(frozen=True)
class Normalised:
    """Text with typography folded, and for each of its characters the original span it came from."""

    text: str
    starts: tuple[int, ...]  # original offset where normalised char i begins
    ends: tuple[int, ...]  # original offset just after the original char(s) of normalised char i

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


@lru_cache(maxsize=16)  # an article body is folded once, however many quotes are looked up
def normalise(text: str) -> Normalised:
    """Fold quotes, dashes (and the spaces around them), whitespace runs, ligatures and soft hyphens.

    Spaces around a dash are dropped so that "pain — both", "pain—both" and "pain - both"
    compare equal; a whitespace run (including non-breaking and thin spaces and newlines)
    becomes one space.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def emit(ch: str, a: int, z: int) -> None:
        out.append(ch)
        starts.append(a)
        ends.append(z)

    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _DROPPED:
            i += 1
            continue
        if ch.isspace():
            j = i
            while j < n and (text[j].isspace() or text[j] in _DROPPED):
                j += 1
            if j < n and text[j] in _DASHES or out and out[-1] == "-":
                i = j  # space next to a dash: dropped
                continue
            emit(" ", i, j)
            i = j
            continue
        if ch in _DASHES:
            emit("-", i, i + 1)
        elif ch in _QUOTES:
            emit(_QUOTES[ch], i, i + 1)
        elif ch in _LIGATURES:
            for part in _LIGATURES[ch]:
                emit(part, i, i + 1)
        else:
            emit(ch, i, i + 1)
        i += 1
    return Normalised("".join(out), tuple(starts), tuple(ends))


def fold(text: str) -> str:
    """The normalised text alone (for comparing two strings)."""
    return normalise(text).text.strip()


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def describe_difference(quote: str, text: str, context: int = 3) -> str:
    """Say which side differs and show both, word by word, with a few words around each change.

    Typography is folded first, so only differences of wording are shown, e.g.
    "the article adds 'usually': quote 'the rash is itchy', article 'the rash is usually itchy'".
    """
    a, b = _TOKEN.findall(fold(quote)), _TOKEN.findall(fold(text))
    changes: list[list[int]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if changes and all(t.isspace() for t in a[changes[-1][1]:i1]) and all(t.isspace() for t in b[changes[-1][3]:j1]):
            changes[-1][1], changes[-1][3] = i2, j2  # "two weeks" -> "ten days" is one change, not two
        else:
            changes.append([i1, i2, j1, j2])
    parts = []
    for i1, i2, j1, j2 in changes:
        op = "insert" if i1 == i2 else "delete" if j1 == j2 else "replace"
        c = 2 * context  # tokens include the spaces between words
        left = ("…" if i1 > c else "") + "".join(a[max(0, i1 - c):i2 + c]).strip() + ("…" if i2 + c < len(a) else "")
        right = ("…" if j1 > c else "") + "".join(b[max(0, j1 - c):j2 + c]).strip() + ("…" if j2 + c < len(b) else "")
        old, new = "".join(a[i1:i2]).strip(), "".join(b[j1:j2]).strip()
        if op == "insert":
            what = f"the article adds '{new}'"
        elif op == "delete":
            what = f"the article lacks '{old}'"
        else:
            what = f"the quote has '{old}' where the article has '{new}'"
        parts.append(f"{what} (quote: '{left}'; article: '{right}')")
        if len(parts) == 2:
            break
    return "; ".join(parts) if parts else "they differ only in typography"


def _occurrences(body: str, quote: str) -> list[int]:
    found, i = [], body.find(quote)
    while i >= 0:
        found.append(i)
        i = body.find(quote, i + 1)
    return found


def anchor_quote(body: str, quote: str, prefix: str = "") -> Anchor:
    hits = _occurrences(body, quote)
    status = "exact"
    if prefix and hits:  # compared folded: the prefix may be typed with other typography than the article's
        key = fold(prefix)
        preferred = [h for h in hits if fold(body[max(0, h - 2 * len(prefix) - 16):h]).endswith(key)]
        hits = preferred or hits
    if len(hits) > 1:
        status = "ambiguous"
    if hits:
        start = hits[0]
        end = start + len(quote)
        return Anchor(start, end, status, quote, 100.0, body[max(0, start - CONTEXT):start], body[end:end + CONTEXT])
    if not quote.strip():
        return Anchor(None, None, "missing", None, 0.0)
    folded = _anchor_folded(body, quote, prefix)
    if folded is not None:
        return folded
    found = _near_prefix(body, quote, prefix) if prefix.strip() else None
    if found is None:
        match = fuzz.partial_ratio_alignment(quote, body, score_cutoff=FUZZY_CUTOFF)
        if match is None:
            return Anchor(None, None, "missing", None, 0.0)
        found = (match.dest_start, match.dest_end)
    start, end, score = _best_span(body, quote, *found)
    return Anchor(start, end, "changed", body[start:end], round(score, 1),
                  body[max(0, start - CONTEXT):start], body[end:end + CONTEXT])


def _anchor_folded(body: str, quote: str, prefix: str) -> Anchor | None:
    """The quote matches once typography is folded: same wording, so it anchors exactly, and its
    text is the article's own (curly quotes and all), at offsets of the original body."""
    nb = normalise(body)
    nq = fold(quote)
    if not nq:
        return None
    hits = _occurrences(nb.text, nq)
    if not hits:
        return None
    if prefix and len(hits) > 1:
        np = fold(prefix)
        preferred = [h for h in hits if nb.text[:h].rstrip().endswith(np)]
        hits = preferred or hits
    start, end = nb.original_span(hits[0], hits[0] + len(nq))
    return Anchor(start, end, "ambiguous" if len(hits) > 1 else "exact", body[start:end], 100.0,
                  body[max(0, start - CONTEXT):start], body[end:end + CONTEXT], normalised=True)


NEAREST_CUTOFF = 50.0


def nearest_passage(body: str, quote: str) -> str | None:
    """For a quote that no longer anchors: the most similar passage, at a looser cutoff than a
    re-anchoring (shown to the editor, never used as an anchor)."""
    if not quote.strip():
        return None
    match = fuzz.partial_ratio_alignment(quote, body, score_cutoff=NEAREST_CUTOFF)
    if match is None:
        return None
    start, end, _ = _best_span(body, quote, match.dest_start, match.dest_end)
    return body[start:end]


def _near_prefix(body: str, quote: str, prefix: str) -> tuple[int, int] | None:
    """The edited quote right after its prefix: the prefix exists to pick one of several similar
    passages, so it must steer the fuzzy search too, not only the exact one."""
    best: tuple[float, int, int] | None = None
    key = prefix.strip()
    for at in _occurrences(body, key):
        lo = at + len(key)
        window = body[lo:lo + len(quote) * 2 + 20]
        match = fuzz.partial_ratio_alignment(quote, window, score_cutoff=FUZZY_CUTOFF)
        near = match is not None and len(window[:match.dest_start].strip()) <= len(quote) // 4
        if match is not None and near and (best is None or match.score > best[0]):
            best = (match.score, lo + match.dest_start, lo + match.dest_end)
    return (best[1], best[2]) if best else None


def prefix_before(body: str, start: int, limit: int = 40) -> str:
    """Text just before an occurrence, enough to pick it out (the ``prefix`` column): the end of
    the preceding text on its line, up to ``limit`` characters, cut at a word boundary."""
    before = body[:start].rstrip().split("\n")[-1]
    if len(before) > limit:
        before = before[-limit:]
        before = before.split(" ", 1)[-1] if " " in before else before
    return before.strip()


def _boundaries(body: str, lo: int, hi: int) -> list[int]:
    lo, hi = max(0, lo), min(len(body), hi)
    return [i for i in range(lo, hi + 1) if i in (0, len(body)) or (body[i - 1].isspace() != body[i].isspace())]


def _best_span(body: str, quote: str, start: int, end: int) -> tuple[int, int, float]:
    """The partial alignment has the quote's length; an edit changes the length, so try word
    boundaries around it and keep the span most similar to the old quote.

    When the old quote was a whole sentence (a capital first, final punctuation last), a span
    that is also one is preferred unless it scores much lower: otherwise "by 40%." edited to
    "by 40 percent." would anchor as "by 40", and accepting it would cut the sentence.
    """
    slack = max(10, len(quote) // 2)
    best = (start, end, 0.0)
    best_shaped = (start, end, -1.0)
    starts_sentence = quote[:1].isupper() or quote[:1] in "\"“'‘"
    ends_sentence = quote.rstrip("\"”’')]")[-1:] in (".", "!", "?")
    candidates = _boundaries(body, start - slack // 2, start + slack // 2)
    if starts_sentence:  # words added at the start of the sentence: try the sentence's start too
        back = next((b for b in range(start, max(0, start - len(quote)) - 1, -1)
                     if b < len(body) and not body[b].isspace() and _sentence_start(body, b)), None)
        if back is not None and back not in candidates:
            candidates.insert(0, back)
    for a in candidates:
        if a < len(body) and body[a].isspace():
            continue
        for z in _boundaries(body, a + len(quote) // 2, max(a + len(quote), end) + slack):
            if z <= a or body[z - 1].isspace():
                continue
            score = fuzz.ratio(quote, body[a:z])
            if score > best[2]:
                best = (a, z, score)
            shaped = ((not starts_sentence or _sentence_start(body, a))
                      and (not ends_sentence or body[a:z].rstrip("\"”’')]")[-1:] in (".", "!", "?")))
            if shaped and score > best_shaped[2]:
                best_shaped = (a, z, score)
    a, z, score = best_shaped if best_shaped[2] >= best[2] - 15 else best
    # A whole-sentence quote anchors on the whole sentence it now stands in.
    if starts_sentence and not _sentence_start(body, a):
        a = next((b for b in range(a, max(0, a - len(quote)) - 1, -1)
                  if not body[b].isspace() and _sentence_start(body, b)), a)
    if ends_sentence and body[a:z].rstrip("\"”’')]")[-1:] not in (".", "!", "?"):
        stop = re.compile(r"[.!?][\"”’')\]]*(?=\s|$)").search(body, z, min(len(body), z + slack))
        if stop and "\n" not in body[z:stop.end()]:
            z = stop.end()
    a, z = _cover_changed_ends(body, quote, a, z)
    return a, z, fuzz.ratio(quote, body[a:z])


_WORD = re.compile(r"\w+")


def _cover_changed_ends(body: str, quote: str, a: int, z: int) -> tuple[int, int]:
    """Widen the span over a changed first or last word.

    The character-level score prefers dropping a replaced word at either end ("within three"
    for the quote "within three weeks" when the article says "within three months"), and
    the editor would then be shown a deletion and a span without the new word. When the
    quote's leading or trailing words have no counterpart in the span, as many words of the
    article beside it (same sentence, same line) are taken in, if that costs little similarity.
    """
    q_words, s_words = _WORD.findall(fold(quote).lower()), _WORD.findall(fold(body[a:z]).lower())
    if not q_words or not s_words:
        return a, z
    ops = difflib.SequenceMatcher(None, q_words, s_words, autojunk=False).get_opcodes()
    base = fuzz.ratio(quote, body[a:z])
    tag, i1, i2, _, _ = ops[-1]
    if tag == "delete" and i2 == len(q_words):
        words = _whole_words(body, z, z + 40 * (i2 - i1) + 40)[: i2 - i1]
        between = body[z:words[-1].end()] if len(words) == i2 - i1 else ""
        ended = re.search(r"[.!?][\"”’')\]]*$", body[a:z].rstrip()) is not None  # the span ends its sentence
        if between and not ended and not re.search(r"[.!?]\s|\n", between) and fuzz.ratio(quote, body[a:words[-1].end()]) >= base - 12:
            z = words[-1].end()
    tag, i1, i2, _, _ = ops[0]
    if tag == "delete" and i1 == 0:
        words = _whole_words(body, a - 40 * i2 - 40, a)[-i2:]
        between = body[words[0].start():a] if len(words) == i2 else ""
        if between and not re.search(r"[.!?:]\s|\n", between) and fuzz.ratio(quote, body[words[0].start():z]) >= base - 12:
            a = words[0].start()
    return a, z


def _whole_words(body: str, lo: int, hi: int) -> list[re.Match[str]]:
    """The words lying wholly inside body[lo:hi]. A word the window's edge cuts is left out: searching
    the slice itself would return its cut-off part ("mon" of "months") and the span would end inside it."""
    words = []
    for w in _WORD.finditer(body, max(0, lo - 1)):
        if w.end() > hi:
            break
        if w.start() >= lo:
            words.append(w)
    return words


def _sentence_start(body: str, a: int) -> bool:
    before = body[:a].rstrip(" \t-•")
    return not before or before[-1] in ".!?:\n\"”"
