"""Check stage, quotes: where a claim's verbatim quote stands in its study's text. Pure functions.

A quote is looked for in every passage (abstract section, full-text section, table) and
given the first status that holds, best first:

- ``exact``: the quote, as typed, is in the passage;
- ``normalised``: equal once both sides are normalised (:func:`normalise`): markup such as
  ``<i>`` and entities removed, Unicode compatibility forms (NFKC), typographic quotes,
  dashes and minus signs made plain, hyphens between letters and soft hyphens dropped (so
  "pre-treatment", "pre- treatment" and "pretreatment" are one word), whitespace collapsed
  (and none kept just inside brackets or before punctuation); an ellipsis ("..." or "…") in
  the quote stands for omitted words, so its parts must appear in order;
- ``near``: not equal, but RapidFuzz's ``partial_ratio`` of the normalised, case-folded
  quote against the passage is at least :data:`NEAR_THRESHOLD` (90 of 100: about one word in
  ten differs) and the quote is at least :data:`MIN_NEAR_LENGTH` characters long; the words
  that differ are listed;
- ``not_found``: there is text, and none of the above holds;
- ``no_text``: there is no text to search (decided by the caller).

Numbers: each number a claim records (value, low, high, n) is looked for among the numbers
of the passage where the quote was found, written as digits ("1,796", ".87", "65%") or as
words up to ninety-nine ("twenty-four").
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from rapidfuzz import fuzz

from ..resolve.abstracts import category

NEAR_THRESHOLD = 90.0
MIN_NEAR_LENGTH = 20
STATUSES = ("exact", "normalised", "near", "not_found", "no_text")

_TYPOGRAPHY = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00d7": "x", "\u00ad": None, "\u200b": None, "\ufeff": None,
})
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_WORD_HYPHEN = re.compile(r"(?<=[^\W\d_])-\s*(?=[^\W\d_])")  # between letters only: '5-7' stays
_SPACE = re.compile(r"\s+")
_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)\]])")
_AFTER_OPEN = re.compile(r"([(\[])\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|\u2026)\s*")


def normalise(text: str) -> str:
    """The comparable form of a text (see the module docstring for every rule)."""
    value = html.unescape(_TAG.sub("", text))
    value = unicodedata.normalize("NFKC", value).translate(_TYPOGRAPHY)
    value = _WORD_HYPHEN.sub("", value)
    value = _SPACE.sub(" ", value)
    value = _BEFORE_PUNCT.sub(r"\1", value)
    value = _AFTER_OPEN.sub(r"\1", value)
    return value.strip()


@dataclass(frozen=True)
class Passage:
    """One searchable piece of a source text, with what an editor needs to find it again."""

    source: str  # pubmed | europepmc | crossref | europepmc-fulltext
    source_label: str  # "PubMed abstract"
    part: str  # abstract | body
    label: str  # "RESULTS", "Results — Efficacy", "Table 2", or ""
    category: str  # results | conclusions | methods | ... | ""
    text: str
    fetched_at: str = ""
    url: str = ""

    @property
    def section(self) -> str:
        if self.part == "abstract":
            return f"Abstract — {self.label}" if self.label else "Abstract"
        return self.label or "Body"


@dataclass(frozen=True)
class QuoteMatch:
    status: str
    passage: Passage | None = None
    score: float | None = None  # RapidFuzz partial_ratio, 0-100, for near and not_found
    differences: tuple[str, ...] = ()  # "quote 'Er:YAG' / source 'Er: YAG'"


def _in_order(parts: Sequence[str], text: str) -> bool:
    at = 0
    for part in parts:
        found = text.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def _normalised_match(quote_norm: str, text_norm: str) -> bool:
    if quote_norm in text_norm:
        return True
    parts = [p for p in _ELLIPSIS.split(quote_norm) if p]
    return len(parts) > 1 and _in_order(parts, text_norm)


def differing_words(quote: str, source: str) -> tuple[str, ...]:
    """Word by word, what the quote says where the source says something else."""
    a, b = quote.split(), source.split()
    keys_a, keys_b = [w.strip(".,;:").lower() for w in a], [w.strip(".,;:").lower() for w in b]  # 'patients.' is 'patients'
    out = []
    ops = difflib.SequenceMatcher(a=keys_a, b=keys_b, autojunk=False).get_opcodes()
    while ops and ops[0][0] == "insert":  # source words before the quote begins
        ops = ops[1:]
    while ops and ops[-1][0] == "insert":  # and after it ends
        ops = ops[:-1]
    if ops and ops[0][0] == "replace" and ops[0][4] - ops[0][3] > ops[0][2] - ops[0][1]:
        op, i1, i2, j1, j2 = ops[0]
        ops[0] = (op, i1, i2, j2 - (i2 - i1), j2)  # as many source words as the quote has, at the edge
    if ops and ops[-1][0] == "replace" and ops[-1][4] - ops[-1][3] > ops[-1][2] - ops[-1][1]:
        op, i1, i2, j1, j2 = ops[-1]
        ops[-1] = (op, i1, i2, j1, j1 + (i2 - i1))
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            continue
        mine, theirs = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if op == "insert":
            out.append(f"source adds '{theirs}'")
        elif op == "delete":
            out.append(f"quote adds '{mine}'")
        else:
            out.append(f"quote '{mine}' / source '{theirs}'")
    return tuple(out)


def _near(quote_norm: str, passage_norm: str) -> tuple[float, tuple[str, ...]]:
    """RapidFuzz's best partial alignment of the quote in the passage, and the words that differ.

    ``lower()`` rather than ``casefold()``: it keeps the positions of the alignment valid for
    the original strings (casefold turns 'ß' into 'ss').
    """
    q, t = quote_norm.lower(), passage_norm.lower()
    if not q or not t:
        return 0.0, ()
    found = fuzz.partial_ratio_alignment(q, t)
    if found is None:
        return 0.0, ()
    start, end = found.dest_start, found.dest_end
    while start < end and passage_norm[start].isspace():
        start += 1
    while end > start and passage_norm[end - 1].isspace():
        end -= 1
    for _ in range(4):  # whole words, plus three either side: the diff trims what the quote lacks at its ends
        start = passage_norm.rfind(" ", 0, max(0, start - 1)) + 1 if start > 0 else 0
        found_end = passage_norm.find(" ", min(len(passage_norm), end + 1))
        end = len(passage_norm) if found_end < 0 else found_end
    return float(found.score), differing_words(quote_norm[found.src_start:found.src_end], passage_norm[start:end])


def find_quote(quote: str, passages: Sequence[Passage], locator: str = "") -> QuoteMatch:
    """Where ``quote`` stands among ``passages``: the best status; among equals, the passage
    whose place agrees with ``locator``, else the first (callers order passages by source)."""
    if not passages:
        return QuoteMatch("no_text")
    typed = quote.strip()
    quote_norm = normalise(typed)
    normed = [normalise(p.text) for p in passages]

    def pick(hits: list[Passage]) -> Passage:
        named = [p for p in hits if p.label and p.label.lower() in locator.lower()]  # "Abstract, Impact"
        agreeing = [p for p in hits if locator_agrees(locator, p, passages) is True]
        return (named or agreeing or hits)[0]

    exact = [p for p in passages if typed and typed in p.text]
    if exact:
        return QuoteMatch("exact", pick(exact))
    normal = [p for p, n in zip(passages, normed) if quote_norm and _normalised_match(quote_norm, n)]
    if normal:
        return QuoteMatch("normalised", pick(normal))
    scored = [(p, *_near(quote_norm, n)) for p, n in zip(passages, normed)]
    best = max(score for _, score, _ in scored)
    if best >= NEAR_THRESHOLD and len(quote_norm) >= MIN_NEAR_LENGTH:
        hits = [(p, diff) for p, score, diff in scored if score == best]
        chosen = pick([p for p, _ in hits])
        return QuoteMatch("near", chosen, round(best, 1), next(d for p, d in hits if p is chosen))
    return QuoteMatch("not_found", None, round(best, 1))


# -- where the quote was found, against where the claim says it is ----------------------------

def locator_agrees(locator: str, passage: Passage, searched: Iterable[Passage] = ()) -> bool | None:
    """Does ``locator`` ("Abstract, Results", "Table 2", "p. 14") name the place ``passage`` is?

    True or False when the texts searched can tell; None when the locator names a part of
    the paper that was not searched (a page number or a table, with only the abstract at hand).
    """
    loc = locator.lower().strip()
    if not loc:
        return None
    in_abstract = "abstract" in loc
    rest = loc.replace("abstract", " ")
    named = category(rest)
    if passage.part == "abstract":
        if in_abstract:
            return True if not named or not passage.category else named == passage.category
        has_body = any(p.part == "body" for p in searched)
        return False if has_body else None
    if in_abstract:
        return False
    label = passage.label.lower()
    thing = re.search(r"\b(table|figure|fig\.?)\s*(\w+)", rest)
    if thing:
        word = "fig" if thing.group(1).startswith("fig") else thing.group(1)
        return bool(re.search(rf"\b{word}\w*\.?\s*{re.escape(thing.group(2))}\b", label))
    if named and passage.category:
        return named == passage.category
    words = [w for w in re.findall(r"[a-z]{4,}", rest)]
    if words:
        return any(w in label for w in words)
    return None


# -- numbers --------------------------------------------------------------------------------

_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                     "thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")
_WORDS = re.compile(r"\b(" + "|".join(sorted(_TENS, key=len, reverse=True)) + r")(?:[-\s](" + "|".join(
    sorted((w for w in _UNITS if _UNITS[w] < 10 and w != "zero"), key=len, reverse=True)) + r"))?\b|\b("
    + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b", re.I)


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text``: digits ("1,796" is one number, "1,2" two) and words."""
    out: list[float] = []
    for token in _NUMBER.findall(text):
        groups = token.split(",")
        if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and groups[0] and "." not in "".join(groups[:-1]):
            token_values = [token.replace(",", "")]
        else:
            token_values = [g for g in groups if g and g != "."]
        for value in token_values:
            try:
                out.append(float(value))
            except ValueError:
                continue
    for tens, unit, alone in _WORDS.findall(text):
        if alone:
            out.append(float(_UNITS[alone.lower()]))
        else:
            out.append(float(_TENS[tens.lower()] + (_UNITS[unit.lower()] if unit else 0)))
    return out


def same_number(a: float, b: float) -> bool:
    return abs(abs(a) - abs(b)) <= 1e-9 * max(1.0, abs(a))


@dataclass(frozen=True)
class NumberCheck:
    field: str  # value | low | high | n
    value: float
    found: bool | None  # None: no passage to look in

    def as_dict(self) -> dict[str, object]:
        value: object = int(self.value) if float(self.value).is_integer() else self.value
        return {"field": self.field, "value": value, "found": self.found}


NUMBER_FIELDS = ("value", "low", "high", "n")


def check_numbers(recorded: Mapping[str, object], passage: Passage | None) -> tuple[NumberCheck, ...]:
    """For each number the claim records, whether the passage writes it."""
    present = numbers_in(passage.text) if passage is not None else []
    out = []
    for name in NUMBER_FIELDS:
        value = recorded.get(name)
        if value is None or value != value:  # absent, or NaN
            continue
        number = float(value)  # type: ignore[arg-type]
        found = None if passage is None else any(same_number(number, p) for p in present)
        out.append(NumberCheck(name, number, found))
    return tuple(out)
