"""Workflow, article add: cut an article body into sentences and clauses, with exact offsets.

Sentence boundaries come from syntok (a maintained rule-based tokenizer and segmenter that
knows "e.g.", "Dr.", "vs." and "Fig. 2" do not end a sentence, and keeps every token's
offset); pysbd was tried first and splits "12 wk. were good" and keeps "vitamin D. It
helps." together. This module adds what the article format needs: headings are skipped,
every bullet is split on its own, offsets point into the body so each piece can be quoted
and anchored exactly, and a letter-named vitamin, hepatitis or type ("vitamin A.") before a
capitalised word ends a sentence, which neither splitter does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import syntok.segmenter as syntok

_HEADING = re.compile(r"^#{1,6}\s")
_BULLET = re.compile(r"^(?:-|•)\s+")
# Where a sentence may be cut into independent clauses: a semicolon, or a comma or dash
# before a coordinating word. Each side must still read as a clause (see MIN_CLAUSE_WORDS).
_CLAUSE_BREAK = re.compile(r";\s+|,\s+(?=(?:but|and|while|whereas|although|though|yet|so)\s)|\s+[—–]\s+")
MIN_CLAUSE_WORDS = 5


@dataclass(frozen=True)
class Sentence:
    """One sentence of the body: its text and where it stands."""

    start: int
    end: int
    text: str
    block: str  # paragraph | bullet


_LETTER_NAME = re.compile(r"\b(?:vitamin|hepatitis|type|group|grade|stage|phase|class)\s+[A-Z0-9]{1,2}\.(?=\s+[A-Z“\"])", re.I)


def _split(text: str) -> list[tuple[int, int]]:
    """Sentence spans of one block of text."""
    spans = []
    for paragraph in syntok.analyze(text):
        for sentence in paragraph:
            a, z = sentence[0].offset, sentence[-1].offset + len(sentence[-1].value)
            cuts = [m.end() for m in _LETTER_NAME.finditer(text, a, z) if m.end() < z]
            for cut in cuts:
                spans.append((a, cut))
                a = cut + len(text[cut:z]) - len(text[cut:z].lstrip())
            spans.append((a, z))
    return spans


def blocks(body: str) -> list[tuple[str, int, int]]:
    """Headings, paragraphs and bullets as (kind, start, end) of their text (bullet marks excluded)."""
    found = []
    pos = 0
    for line in body.split("\n"):
        start, pos = pos, pos + len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        lead = start + len(line) - len(line.lstrip())
        if _HEADING.match(stripped):
            found.append(("heading", lead, lead + len(stripped)))
        elif m := _BULLET.match(stripped):
            found.append(("bullet", lead + m.end(), lead + len(stripped)))
        else:
            found.append(("paragraph", lead, lead + len(stripped)))
    return found


def sentences(body: str) -> list[Sentence]:
    """Every sentence of every paragraph and bullet, in order; headings are not sentences."""
    out: list[Sentence] = []
    for kind, start, end in blocks(body):
        if kind == "heading":
            continue
        text = body[start:end]
        for a, z in _split(text):
            if text[a:z].strip():
                out.append(Sentence(start + a, start + z, text[a:z], kind))
    return out


def clauses(sentence: Sentence) -> list[Sentence]:
    """The sentence cut at clause boundaries where both sides have at least MIN_CLAUSE_WORDS words.

    A single clause (the usual case) returns the sentence itself.
    """
    text = sentence.text
    cuts = [m for m in _CLAUSE_BREAK.finditer(text)]
    pieces: list[tuple[int, int]] = []
    begin = 0
    for m in cuts:
        left = text[begin:m.start()]
        right = text[m.end():]
        if _words(left) >= MIN_CLAUSE_WORDS and _words(right) >= MIN_CLAUSE_WORDS:
            pieces.append((begin, m.start()))
            begin = m.end()
    pieces.append((begin, len(text)))
    if len(pieces) == 1:
        return [sentence]
    return [Sentence(sentence.start + a, sentence.start + z, text[a:z], sentence.block) for a, z in pieces]


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))
