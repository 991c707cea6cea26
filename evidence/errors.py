"""Errors as data: every problem names its file, line, field, a code, and a fix.

Readers never raise on bad input; they collect :class:`Problem` objects so a run can
report all of them at once (as bibtexparser 2 collects failed blocks).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about the input, located precisely enough to fix in seconds."""

    file: str
    line: int | None
    code: str
    message: str
    hint: str = ""
    field: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: [{self.code}] {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# Problems that make a whole file unreadable: reported first, and without the follow-on errors
# (unknown claims, missing studies) that an empty stand-in for the file would cause.
ROOT_CAUSES = frozenset({"bad-encoding", "nul-byte", "not-a-file", "symlink-outside", "broken-symlink", "unreadable"})


class EvidenceError(Exception):
    """Base class of the toolkit's exceptions; the CLI maps them to exit codes."""

    exit_code = 1


class InputError(EvidenceError):
    """The workspace has errors; nothing was written."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.code not in ROOT_CAUSES, p.file, p.line or 0, p.code))
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the workspace")


class WorkspaceNotFound(EvidenceError):
    exit_code = 2


class QueryError(EvidenceError):
    """A query could not run (unknown name, bad parameter, refused by the sandbox)."""

    exit_code = 2


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
