"""Edit .bib files in place: set a few fields of a few entries, every other byte unchanged.

Why not parse and re-serialise: an editor's .bib carries their alignment, comments, field
order, macros and braces; rewriting the file would bury a two-field fix in a diff of
hundreds of lines. So this module finds the exact byte span of each field to change (a small
scanner that understands braces, quotes and ``#`` concatenation), splices the new value in,
and inserts missing fields after the entry's last field in the entry's own layout.

The result is re-parsed before it replaces the file (same entries, no new parse failures),
and written atomically (temp file in the same folder, fsync, ``os.replace``). Fields listed
in the entry's ``curated = {...}`` are never touched: a person checked them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import bibtexparser

from ..files import write_atomic

_ENTRY = re.compile(r"@([A-Za-z]+)\s*([{(])")
_NAME = re.compile(r"[A-Za-z][\w\-:.+]*")
_SKIP = {"comment", "string", "preamble"}


class BibEditError(ValueError):
    """The file could not be edited safely; nothing was written."""


@dataclass
class _Field:
    name: str
    start: int  # start of the name
    eq: int  # index of '='
    value_start: int
    value_end: int
    comma_end: int | None  # index after the trailing comma, if any


@dataclass
class _Entry:
    key: str
    start: int
    close: int  # index of the closing delimiter
    fields: list[_Field] = field(default_factory=list)

    def get(self, name: str) -> _Field | None:
        return next((f for f in self.fields if f.name.lower() == name.lower()), None)


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _braced(text: str, i: int) -> int:
    """Index after the brace group opening at ``i``."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise BibEditError("unbalanced braces")


def _quoted(text: str, i: int) -> int:
    """Index after the quoted string opening at ``i`` (braces inside protect quotes)."""
    i += 1
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == '"' and depth == 0:
            return i + 1
        i += 1
    raise BibEditError("unterminated quoted value")


def _value_end(text: str, i: int) -> int:
    """End of a field value: parts joined by '#', each {..}, ".." or a bare word/number."""
    while True:
        i = _skip_ws(text, i)
        if i >= len(text):
            raise BibEditError("entry ends inside a value")
        if text[i] == "{":
            i = _braced(text, i)
        elif text[i] == '"':
            i = _quoted(text, i)
        else:
            m = re.compile(r"[^\s,#{}()\"]+").match(text, i)
            if not m:
                raise BibEditError(f"unexpected '{text[i]}' in a value")
            i = m.end()
        j = _skip_ws(text, i)
        if j < len(text) and text[j] == "#":
            i = j + 1
            continue
        return i


def scan(text: str) -> list[_Entry]:
    """Every regular entry with the byte spans of its fields (@comment/@string/@preamble skipped)."""
    entries = []
    pos = 0
    while True:
        m = _ENTRY.search(text, pos)
        if not m:
            return entries
        kind, opener = m.group(1).lower(), m.group(2)
        closer = "}" if opener == "{" else ")"
        if kind in _SKIP:
            try:
                pos = _braced(text, m.end() - 1) if opener == "{" else text.index(")", m.end()) + 1
            except (BibEditError, ValueError):
                pos = m.end()
            continue
        comma = text.find(",", m.end())
        if comma < 0:
            return entries
        entry = _Entry(text[m.end():comma].strip(), m.start(), -1)
        i = comma + 1
        while True:
            i = _skip_ws(text, i)
            while i < len(text) and text[i] == ",":
                i = _skip_ws(text, i + 1)
            if i >= len(text):
                raise BibEditError(f"entry '{entry.key}' is not closed")
            if text[i] == closer:
                entry.close = i
                break
            nm = _NAME.match(text, i)
            if not nm:
                raise BibEditError(f"entry '{entry.key}': cannot read a field name at '{text[i:i + 20]}'")
            eq = _skip_ws(text, nm.end())
            if eq >= len(text) or text[eq] != "=":
                raise BibEditError(f"entry '{entry.key}': field '{nm.group(0)}' has no '='")
            vstart = _skip_ws(text, eq + 1)
            vend = _value_end(text, vstart)
            after = _skip_ws(text, vend)
            comma_end = after + 1 if after < len(text) and text[after] == "," else None
            entry.fields.append(_Field(nm.group(0), nm.start(), eq, vstart, vend, comma_end))
            i = comma_end if comma_end is not None else after
        entries.append(entry)
        pos = entry.close + 1


def _protect(value: str) -> str:
    """A value safe inside {...}: balanced braces only (unbalanced ones are dropped)."""
    depth = 0
    for c in value:
        depth += (c == "{") - (c == "}")
        if depth < 0:
            break
    if depth != 0:
        value = value.replace("{", "").replace("}", "")
    return value


def _new_field_text(text: str, entry: _Entry, name: str, value: str, newline: str) -> str:
    """A field line in the entry's own layout: its indentation and its '=' column, if aligned."""
    last = entry.fields[-1]
    line_start = text.rfind("\n", 0, last.start) + 1
    indent = text[line_start:last.start] if text[line_start:last.start].isspace() else "  "
    widths = {f.eq - f.start for f in entry.fields}
    gap = max(0, last.eq - (last.start + len(last.name)))  # the entry's spacing before '='
    if len(widths) == 1 and len(entry.fields) > 1 and gap > 0:
        gap = max(1, widths.pop() - len(name))  # '=' signs aligned in one column: keep them so
    after_eq = text[last.eq + 1:last.value_start]
    return f"{newline}{indent}{name}{' ' * gap}={after_eq}{{{_protect(value)}}}"


def edit_text(text: str, changes: Mapping[str, Mapping[str, str]]) -> tuple[str, list[tuple[str, str]]]:
    """Apply ``{citekey: {field: value}}``; returns the new text and the (citekey, field) set.

    Curated fields are skipped here too, whatever the caller asked.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    splices: list[tuple[int, int, str]] = []
    applied: list[tuple[str, str]] = []
    for entry in scan(text):
        wanted = changes.get(entry.key)
        if not wanted:
            continue
        curated_field = entry.get("curated")
        curated = set()
        if curated_field:
            raw = text[curated_field.value_start:curated_field.value_end].strip("{}\"")
            curated = {c.strip().lower() for c in re.split(r"[,;]", raw) if c.strip()}
        inserts: list[str] = []
        for name, value in wanted.items():
            if name.lower() in curated:
                continue
            existing = entry.get(name)
            if existing:
                old = text[existing.value_start:existing.value_end]
                quote = old[0] if old[:1] in "{\"" else "{"
                close = "}" if quote == "{" else '"'
                splices.append((existing.value_start, existing.value_end, f"{quote}{_protect(value)}{close}"))
            else:
                inserts.append(_new_field_text(text, entry, name, value, newline))
            applied.append((entry.key, name))
        if inserts:
            if not entry.fields:
                raise BibEditError(f"entry '{entry.key}' has no fields to align with")
            last = entry.fields[-1]
            if last.comma_end is not None:  # 'url = {...},' -> keep the trailing-comma style
                splices.append((last.comma_end, last.comma_end, "".join(i + "," for i in inserts)))
            else:
                splices.append((last.value_end, last.value_end, "," + ",".join(inserts)))
    out = text
    for start, end, new in sorted(splices, key=lambda s: s[0], reverse=True):
        out = out[:start] + new + out[end:]
    return out, applied


def update_file(path: Path, changes: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]]:
    """Edit ``path`` in place; raise :class:`BibEditError` (file untouched) if it cannot be done safely."""
    original = path.read_bytes()
    text = original.decode("utf-8")
    new, applied = edit_text(text, changes)
    if new == text:
        return applied
    before, after = bibtexparser.parse_string(text), bibtexparser.parse_string(new)
    if [e.key for e in before.entries] != [e.key for e in after.entries] or \
            len(after.failed_blocks) > len(before.failed_blocks):
        raise BibEditError(f"{path.name}: the edited file would not parse the same; nothing was written")
    write_atomic(path, new.encode("utf-8"))
    return applied
