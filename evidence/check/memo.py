"""Check stage, incremental check: each statement's result kept by a digest of everything it was checked from.

A statement's verdict, its problems and its attribution checks depend only on the statement
itself, the claims linked to it (with their studies' fields), whether the citekeys it cites
exist, the facts of the studies it is compared with, the notices on its evidence, the pooled
comparisons its linked claims take part in (the certainty grader reads them) and the check
code. All of that goes into the statement's digest; a statement whose digest was seen in the
previous check takes the stored result, the others are checked again. One claim edited
re-checks exactly the statements linked to it (and those sharing a pooled comparison with it).

The store is one JSON file in ``.evidence-cache/check/`` (data, never pickle), rewritten with
only the entries this check used, so it never grows past one entry per statement. The
rules version covers the check, synthesis and reading code and the package version: a new
toolkit re-checks everything. Deleting the file only makes the next check a full one; the
result never depends on it (tested: byte-identical to a clean check after each kind of edit).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ..errors import Problem
from ..files import source_digest
from ..model import Statement
from .attribution import AttributionCheck
from .verdicts import Verdict

FORMAT = "1"  # bump when the stored shape changes
_PACKAGE = Path(__file__).resolve().parent.parent
_RULE_SOURCES = ("check", "synthesis", "validate")
_READ_SOURCES = ("read/quantities.py", "read/tables.py", "read/anchoring.py", "model.py", "errors.py")

Result = tuple[Verdict, list[Problem], list[AttributionCheck]]


def _rules_version() -> str:
    """The code a verdict comes from, and the package version: either changed re-checks every statement."""
    paths = [p for folder in _RULE_SOURCES for p in sorted((_PACKAGE / folder).glob("*.py"))]
    return source_digest(FORMAT, paths + [_PACKAGE / rel for rel in _READ_SOURCES], _PACKAGE)


RULES_VERSION = _rules_version()


def statement_digest(statement: Statement, linked: Sequence[Mapping[str, object]], *parts: object) -> str:
    """The statement, its linked claims (in check order) and any further inputs, by ``repr``.

    ``repr`` of dicts, tuples, dataclasses, strings and numbers is exact (floats round-trip), so
    equal text means equal inputs; the dicts come from the same query each time, so their key
    order is fixed.
    """
    text = repr((RULES_VERSION, statement, [sorted(c.items()) for c in linked], parts))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _encode(result: Result) -> list[object]:
    verdict, problems, attributions = result
    return [dataclasses.asdict(verdict), [p.as_dict() for p in problems], [dataclasses.asdict(a) for a in attributions]]


_FIELDS = {cls: frozenset(f.name for f in dataclasses.fields(cls)) for cls in (Verdict, Problem, AttributionCheck)}


def _tuples(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """JSON gives lists back; the dataclasses hold tuples."""
    names = _FIELDS[cls]
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in names}


def _decode(entry: list[Any]) -> Result:
    verdict, problems, attributions = entry
    return (Verdict(**_tuples(Verdict, verdict)), [Problem(**p) for p in problems],
            [AttributionCheck(**a) for a in attributions])


class CheckMemo:
    """Per statement digest, its stored result; ``folder=None`` remembers nothing (a plain check)."""

    def __init__(self, folder: Path | None):
        self.path = folder / "statements.json" if folder is not None else None
        self.old: dict[str, list[Any]] = {}
        self.new: dict[str, list[Any]] = {}
        self.hits = 0
        self.misses = 0
        if self.path is not None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("rules") == RULES_VERSION:
                    self.old = data["statements"]
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                self.old = {}  # a damaged or missing store is only a full check

    def result(self, digest: str, check: Callable[[], Result]) -> Result:
        """The stored result for this digest, else ``check()`` (remembered for next time)."""
        if self.path is None:
            return check()
        entry = self.old.get(digest)
        if entry is not None:
            try:
                found = _decode(entry)
            except (TypeError, ValueError):
                found = None
            if found is not None:
                self.hits += 1
                self.new[digest] = entry
                return found
        self.misses += 1
        result = check()
        self.new[digest] = _encode(result)
        return result

    def save(self) -> None:
        """Keep only what this check used; unchanged entries leave the file as it is."""
        if self.path is None or (self.new.keys() == self.old.keys() and not self.misses):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"rules": RULES_VERSION, "statements": self.new}, ensure_ascii=False),
                           encoding="utf-8")
            os.replace(tmp, self.path)
        except (OSError, TypeError, ValueError):
            pass  # a read-only workspace only checks everything next time
