"""Records passed between stages, as frozen dataclasses.

Bulk tables (bibliography, studies, claims) travel as typed DataFrames because they go
into DuckDB in one load; the article-shaped records, few and structured, are dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from .errors import Problem

if TYPE_CHECKING:  # annotations only: records need no pandas to exist, and `evidence --help` should not load it
    import pandas as pd


@dataclass(frozen=True)
class PrintedReference:
    """One entry of an article's own reference list, as printed."""

    number: int
    text: str
    line: int


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    outlet: str
    url: str
    published: str
    experts: tuple[str, ...]
    body: str
    body_line: int  # file line of the body's first character
    references: tuple[PrintedReference, ...]
    source_file: str
    text_hash: str

    def line_of(self, offset: int) -> int:
        return self.body_line + self.body.count("\n", 0, offset)


@dataclass(frozen=True)
class Statement:
    """A checkable statement, anchored in its article like a W3C TextQuoteSelector."""

    slug: str
    statement_id: str
    number: int
    quote: str
    kind: str
    asserts: str | None
    cites: tuple[str, ...]
    start: int | None
    end: int | None
    prefix: str
    suffix: str
    anchor: str  # exact | ambiguous | changed | missing
    current_text: str | None
    score: float
    override_verdict: str | None
    override_reason: str | None
    note: str | None
    source_file: str
    source_line: int
    outcome: str | None = None  # the outcome the statement asserts (claims' vocabulary); inferred when empty
    measure: str | None = None  # the measure it names, e.g. "firmness"; numbers are compared within it


CERTAINTY_LEVELS = ("very low", "low", "moderate", "high")


@dataclass(frozen=True)
class Certainty:
    """How sure the body of evidence for one outcome lets a reader be (GRADE-lite), with a reason per step."""

    level: str  # high | moderate | low | very low | none
    reasons: tuple[str, ...] = ()
    outcome: str = ""
    studies: int = 0
    participants: int | None = None

    @property
    def rank(self) -> int:
        """0 for no evidence, 1 very low ... 4 high."""
        return CERTAINTY_LEVELS.index(self.level) + 1 if self.level in CERTAINTY_LEVELS else 0


Grader = Callable[[Sequence[Mapping[str, object]]], Certainty]  # a body of linked claims -> its certainty


@dataclass(frozen=True)
class Workspace:
    """Everything read from a workspace, before anything is written."""

    bibliography: pd.DataFrame
    studies: pd.DataFrame
    claims: pd.DataFrame
    interventions: pd.DataFrame  # with `kind`: intervention or comparator
    conditions: pd.DataFrame
    articles: tuple[Article, ...]
    statements: tuple[Statement, ...]
    links: pd.DataFrame
    problems: tuple[Problem, ...] = field(default_factory=tuple)
