"""Read stage, re-parse: an edited CSV table parsed again only where it changed.

An editor changes one claim in a claims file of 100k rows; parsing the whole file again costs a
second. The parse cache keeps the last parse of each file and a copy of the bytes it came from,
so the edited file is compared with that copy line by line: the lines before the first difference
and after the last are the same, and so are the rows that lie wholly inside them. Only the rows
between (from the start of the row holding the first changed line to the start of the first old
row after the last changed line) are parsed again, with the header in front so that they are
read exactly as in the whole file; the rows after keep their values and move by the number of
lines added or removed. Problems follow their rows the same way and are put back in the order a
whole parse gives; duplicates, which span the file, are found again over the whole table.

The shortcut is taken only when it provably reads what a whole parse reads: the middle rows must
end at a record boundary (a quote left open by the edit would swallow the rows after it; a sentinel
line after the middle shows it), the header must be unchanged, and every old problem must be one
this module knows how to move. Anything else returns None, and the caller parses the whole file.
"""

from __future__ import annotations

import csv
import dataclasses
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import Problem
from ..files import decode as decode_bytes

Parsed = tuple[pd.DataFrame, list[Problem]]
HEADER_CODES = ("old-and-new-column", "unknown-column", "missing-column")
_SENTINEL = "\ue000evidence-reparse-sentinel\ue000\n"  # private-use characters: no workspace file holds them


def _row_codes(schema) -> set[str]:
    codes = {"bad-row-width", "missing-value", "bad-number", "bad-duration", "bad-url"}
    codes |= {f"bad-{c.name.replace('_', '-')}" for c in schema.columns if c.kind == "choice"}
    return codes


def _first_difference(a: list[str], b: list[str]) -> int:
    n = min(len(a), len(b))
    lo, hi = 0, n  # binary search on equal prefixes: list comparison runs in C
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: list[str], b: list[str], limit: int) -> int:
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _ends_at_a_record(middle: list[str]) -> bool:
    """True when the csv module, reading these lines, ends outside any quoted cell (the sentinel stays a row)."""
    try:
        records = list(csv.reader(middle + [_SENTINEL]))
    except csv.Error:
        return False
    return bool(records) and records[-1] == [_SENTINEL.rstrip("\n")]


def _order(problem: Problem, names: list[str]) -> tuple[int, int, int, int]:
    """Where a row problem stands in a whole parse: row widths first, then column by column (a column's
    empty cells before its bad values), each in line order."""
    if problem.code == "bad-row-width":
        return (0, 0, 0, problem.line or 0)
    return (1, names.index(problem.field), 0 if problem.code == "missing-value" else 1, problem.line or 0)


def reparse_table(old_data: bytes, old: pd.DataFrame, old_problems: list[Problem], data: bytes, schema, shown: str,
                  parse: Callable[[bytes], Parsed], duplicates: Callable[[pd.DataFrame], list[Problem]]
                  ) -> Parsed | None:
    """The parse of ``data`` from the parse of ``old_data`` and the changed rows only; None when unsure."""
    old_text, found_old = decode_bytes(old_data, shown, "utf-8-sig")
    text, found = decode_bytes(data, shown, "utf-8-sig")
    if old_text is None or text is None or found_old or found:
        return None
    names = schema.names
    row_codes = _row_codes(schema)
    header_problems, row_problems = [], []
    for p in old_problems:
        if p.code in HEADER_CODES:
            header_problems.append(p)
        elif p.code in row_codes and p.line is not None and (p.code == "bad-row-width" or p.field in names):
            row_problems.append(p)
        elif not p.code.startswith("duplicate-"):
            return None  # a problem of the whole file (bad quoting, encoding): parse it whole
    a, b = old_text.splitlines(keepends=True), text.splitlines(keepends=True)
    if len(a) < 2 or len(b) < 2 or a[0] != b[0] or not a[0].endswith("\n"):
        return None  # the header changed (or there are no rows): every row reads differently
    first = _first_difference(a, b)
    if first == len(a) == len(b):
        return None
    same_end = _common_suffix(a, b, min(len(a), len(b)) - first)
    starts = old["source_line"].to_numpy(dtype=np.int64)
    if len(starts) and np.any(np.diff(starts) <= 0):
        return None
    k = int(np.searchsorted(starts, first + 1, side="right")) - 1
    start = int(starts[k]) if k >= 0 else 2  # 1-based line where the re-parse begins: a record starts there
    m = int(np.searchsorted(starts, len(a) - same_end, side="right"))
    end = int(starts[m]) if m < len(starts) else len(a) + 1  # first old row left as it was
    start = min(start, end)
    delta = len(b) - len(a)
    middle = b[start - 1:end - 1 + delta]
    at_end = end == len(a) + 1
    if not at_end and (not middle[-1:] or not middle[-1].endswith("\n") or not _ends_at_a_record(middle)):
        return None if middle else _empty_middle(old, old_problems, header_problems, row_problems, start, end,
                                                 delta, names, duplicates)
    chunk, chunk_problems = parse((a[0] + "".join(middle)).encode("utf-8"))
    offset = start - 2  # the chunk's first row is its line 2
    moved = []
    for p in chunk_problems:
        if p.code in HEADER_CODES or p.code.startswith("duplicate-"):
            continue
        if p.code not in row_codes or p.line is None:
            return None
        moved.append(dataclasses.replace(p, line=p.line + offset))
    chunk = chunk.copy()
    chunk["source_line"] = chunk["source_line"] + offset
    return _assemble(old, chunk, header_problems, row_problems, moved, start, end, delta, names, duplicates)


def _empty_middle(old, old_problems, header_problems, row_problems, start, end, delta, names, duplicates):
    return _assemble(old, old.iloc[0:0], header_problems, row_problems, [], start, end, delta, names, duplicates)


def _assemble(old: pd.DataFrame, chunk: pd.DataFrame, header_problems: list[Problem], row_problems: list[Problem],
              moved: list[Problem], start: int, end: int, delta: int, names: list[str],
              duplicates: Callable[[pd.DataFrame], list[Problem]]) -> Parsed | None:
    lines = old["source_line"]
    before, after = old[lines < start], old[lines >= end].copy()
    after["source_line"] = after["source_line"] + delta
    pieces = [p for p in (before, chunk, after) if len(p)]
    frame = pd.concat(pieces, ignore_index=True) if pieces else old.iloc[0:0].reset_index(drop=True)
    if list(frame.columns) != list(old.columns) or list(frame.dtypes) != list(old.dtypes):
        return None
    kept = [p for p in row_problems if p.line < start] + moved + \
           [dataclasses.replace(p, line=p.line + delta) for p in row_problems if p.line >= end]
    kept.sort(key=lambda p: _order(p, names))
    return frame, header_problems + kept + duplicates(frame)
