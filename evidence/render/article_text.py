"""Render stage, article text: the body cut into headings, paragraphs and bullets, each cut
again at the character spans of its statements, so a template can wrap every statement in
a highlighted, numbered mark without knowing anything about offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

_BLOCK = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")
_HEADING = re.compile(r"^(#{1,3})\s+")
_BULLET = re.compile(r"^(-|•)\s+")


@dataclass(frozen=True)
class Segment:
    text: str
    statement: Mapping[str, object] | None


@dataclass(frozen=True)
class Block:
    kind: str  # h1 | h2 | h3 | p | li
    segments: tuple[Segment, ...]
    statements: tuple[Mapping[str, object], ...]  # statements that start in this block (their panels follow it)


def article_blocks(body: str, statements: Sequence[Mapping[str, object]]) -> list[Block]:
    """Split the body into blocks, cutting each at statement spans (statements without a span are skipped)."""
    spans = sorted((s for s in statements if s.get("start_offset") is not None), key=lambda s: int(s["start_offset"]))
    blocks: list[Block] = []
    for m in _BLOCK.finditer(body):
        pos = m.start()
        for line in m.group(0).split("\n"):
            start, pos = pos, pos + len(line) + 1
            stripped = line.lstrip()
            kind, skip = "p", 0
            if h := _HEADING.match(stripped):
                kind, skip = f"h{len(h.group(1))}", h.end()
            elif b := _BULLET.match(stripped):
                kind, skip = "li", b.end()
            seg_start, seg_end = start + len(line) - len(stripped) + skip, start + len(line)
            if seg_start >= seg_end:
                continue
            segments: list[Segment] = []
            inside: list[Mapping[str, object]] = []
            cursor = seg_start
            for s in spans:
                a, z = max(int(s["start_offset"]), seg_start), min(int(s["end_offset"]), seg_end)
                if z <= a or a < cursor:
                    continue
                if a > cursor:
                    segments.append(Segment(body[cursor:a], None))
                segments.append(Segment(body[a:z], s))
                if int(s["start_offset"]) >= seg_start:
                    inside.append(s)
                cursor = z
            if cursor < seg_end:
                segments.append(Segment(body[cursor:seg_end], None))
            blocks.append(Block(kind, tuple(segments), tuple(inside)))
    return blocks
