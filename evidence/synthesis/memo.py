"""Synthesis stage, memo: each body of evidence's certainty, kept by a digest of exactly what it reads.

Grading one intervention x outcome reads every claim of that body (joined to its study; not where its
row stands in the file, so a row added above moves no body), the
pooled comparisons holding any of those claims and what each of their reviews pools. At 100k
claims grading every body costs seconds, while an edit to one claim touches one body. Each body's
result is therefore stored under a digest of those inputs: the rows' own hashes (pandas'
vectorised ``hash_pandas_object`` over every column, plus the missing-cell mask so an empty cell
never equals a text "None"), the column names and types, the ``repr`` of the comparisons and
review kinds, and the synthesis code itself. A body whose digest is unchanged is not graded
again; any other is, and its result replaces the old one.

One JSON file in ``.evidence-cache/synthesis/``, rewritten with only the bodies of this build,
so it never grows past the workspace. JSON, never pickle; delete it at any time.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from ..model import Certainty

_CODE = ("body.py", "certainty.py", "comparisons.py", "designs.py", "effects.py", "pooling.py", "memo.py")


@lru_cache(maxsize=1)
def code_version() -> str:
    """The grader's own source (and the record type it returns): a changed rule never reads an old result."""
    h = hashlib.sha256()
    here = Path(__file__).parent
    for name in _CODE:
        h.update((here / name).read_bytes())
    h.update((here.parent / "model.py").read_bytes())
    return h.hexdigest()[:20]


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row over every cell, with its missing-cell mask (vectorised, no Python per row)."""
    if frame.empty:
        return np.zeros(0, dtype=np.uint64)
    values = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    missing = pd.util.hash_pandas_object(frame.isna(), index=False).to_numpy()
    return values ^ (missing * np.uint64(0x9E3779B97F4A7C15))


def schema_of(frame: pd.DataFrame) -> str:
    return "|".join(f"{c}:{frame[c].dtype}" for c in frame.columns)


def body_key(schema: str, hashes: np.ndarray, others: object) -> str:
    h = hashlib.sha256(f"{code_version()}\n{schema}\n".encode())
    h.update(np.ascontiguousarray(hashes, dtype=np.uint64).tobytes())
    h.update(repr(others).encode())
    return h.hexdigest()


class CertaintyMemo:
    """Graded bodies by key; ``folder=None`` remembers nothing (every body is graded)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self._old: dict[str, list] = {}
        self._new: dict[str, list] = {}
        if folder is not None:
            try:
                note = json.loads((folder / "certainty.json").read_text(encoding="utf-8"))
                if note.get("version") == code_version() and isinstance(note.get("bodies"), dict):
                    self._old = note["bodies"]
            except (OSError, ValueError, AttributeError):
                pass

    def get(self, key: str) -> Certainty | None:
        found = self._old.get(key)
        if found is None:
            return None
        try:
            level, reasons, outcome, studies, participants = found
            value = Certainty(str(level), tuple(str(r) for r in reasons), str(outcome), int(studies),
                              None if participants is None else int(participants))
        except (TypeError, ValueError):
            return None
        self.hits += 1
        self._new[key] = found
        return value

    def put(self, key: str, c: Certainty) -> None:
        self.misses += 1
        self._new[key] = [c.level, list(c.reasons), c.outcome, c.studies, c.participants]

    def save(self) -> None:
        """Keep this build's bodies only (atomically; a failure only costs speed next time)."""
        if self.folder is None or (self.misses == 0 and len(self._new) == len(self._old)):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".certainty.{os.getpid()}.tmp"
            tmp.write_text(json.dumps({"version": code_version(), "bodies": self._new}, ensure_ascii=False),
                           encoding="utf-8")
            os.replace(tmp, self.folder / "certainty.json")
        except (OSError, TypeError, ValueError):
            pass


def group_rows(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[int]]:
    """Row positions per (intervention, outcome), in row order."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    return groups
