"""Read stage: CSL-JSON (Zotero, Crossref content negotiation, manubot, citeproc tools).

Items are decoded one at a time (``raw_decode``) so each keeps the line it starts on, and a
refusal names it. CSL requires ``type`` on every item: a JSON file whose items lack it is
some other JSON (a Crossref API envelope, a settings file) and is refused, not guessed at.
``date-parts`` of ``[[]]`` or ``[[null]]`` mean no date. Zotero puts ``PMID: …`` and
``PMCID: …`` lines into ``note``; they are read too.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..errors import Problem
from .candidate import Candidate, year_in

CSL_TYPES = {"article-journal": "article", "article": "article", "review": "article", "paper-conference": "inproceedings",
             "book": "book", "chapter": "incollection", "thesis": "phdthesis", "report": "techreport"}


def _text(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return " ".join(html.unescape(str(value)).split()) if value else None


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _items(text: str, origin: str) -> tuple[list[tuple[int, Any]], list[Problem]]:
    """(line, item) for a list of items or a single item; bad JSON is an error with its line."""
    decoder = json.JSONDecoder()
    try:
        start = len(text) - len(text.lstrip())
        if text[start:start + 1] != "[":
            value, _ = decoder.raw_decode(text, start)
            return [(_line(text, start), value)], []
        items = []
        pos = start + 1
        while True:
            while pos < len(text) and text[pos] in " \t\r\n,":
                pos += 1
            if text[pos:pos + 1] == "]":
                return items, []
            value, end = decoder.raw_decode(text, pos)
            items.append((_line(text, pos), value))
            pos = end
    except (ValueError, IndexError) as exc:
        line = getattr(exc, "lineno", None) or _line(text, len(text))
        return [], [Problem(origin, line, "bad-json", f"not valid JSON ({getattr(exc, 'msg', exc)})",
                            "export CSL-JSON again from the reference manager")]


def _note_id(note: object, label: str) -> str | None:
    match = re.search(rf"^\s*{label}\s*:\s*(\S+)", str(note or ""), re.M | re.I)
    return match.group(1) if match else None


def read_csljson(text: str, origin: str) -> tuple[list[Candidate], list[Problem]]:
    """Every CSL item as a :class:`Candidate`; an item without a title is skipped with a warning."""
    items, problems = _items(text.lstrip("\ufeff"), origin)
    out = []
    for number, (line, item) in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            problems.append(Problem(origin, line, "not-csl", f"item {number} has no CSL 'type': not CSL-JSON",
                                    "export the references as CSL-JSON (every item has an 'id' and a 'type')"))
            continue
        title = _text(item.get("title"))
        if not title:
            problems.append(Problem(origin, line, "no-title", f"item {number} ({item.get('id', '?')}) has no title",
                                    "skipped; add a title", severity="warning"))
            continue
        authors = []
        for person in item.get("author") or []:
            if person.get("family"):
                authors.append(f"{person['family']}, {person['given']}" if person.get("given") else person["family"])
            elif person.get("literal"):
                authors.append(person["literal"])
        parts = ((item.get("issued") or {}).get("date-parts") or [[]])[0] or []
        year = parts[0] if parts and isinstance(parts[0], int) else year_in((item.get("issued") or {}).get("raw"))
        note = item.get("note")
        out.append(Candidate(
            f"{origin}:{line}", CSL_TYPES.get(str(item.get("type")), "misc"), title, tuple(authors),
            _text(item.get("container-title")), year, _text(item.get("volume")), _text(item.get("issue")),
            _text(item.get("page")), item.get("DOI"), item.get("PMID") or _note_id(note, "PMID"),
            item.get("PMCID") or _note_id(note, "PMCID"), item.get("URL"),
            abstract=_text(item.get("abstract"))).normalised())
    return out, problems
