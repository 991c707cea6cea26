"""Render stage, reports for writers: what a report says, in the shape every format prints.

Kept apart from :mod:`.report` (which reads the database and builds the site's contexts) so
that a worker process making .docx files imports these classes and python-docx only: a
report is sent to a worker pickled, and unpickling it imports the module its classes live in.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTHOR = "evidence-desk"


@dataclass(frozen=True)
class Source:
    """One piece of evidence, as a writer reads it: what it says, where, and how to cite and open it."""

    relation: str
    relation_label: str
    claim_id: str
    design: str
    summary: str
    number: str
    quote: str
    locator: str
    note: str
    citation: str  # AMA, plain text
    links: tuple[tuple[str, str], ...]  # (label, URL): DOI, PubMed, PMC, the page the claim was read on


@dataclass(frozen=True)
class CheckedStatement:
    statement_id: str
    quote: str
    verdict: str
    verdict_label: str
    strength: str
    computed_label: str
    override_reason: str
    reasons: tuple[str, ...]
    attribution: tuple[str, ...]
    evidence: tuple[Source, ...]
    note: str
    changed_to: str  # the article's current wording when it changed since the check, else ""
    original_url: str

    @property
    def heading(self) -> str:
        return f"{self.statement_id} · {self.verdict_label} · certainty: {self.strength}"


@dataclass(frozen=True)
class Segment:
    text: str
    statement_id: str | None


@dataclass(frozen=True)
class Paragraph:
    kind: str  # h2 | h3 | h4 | p | li (the page's levels: the title is the only h1)
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class WriterReport:
    """One article's check, in the shape every format prints."""

    slug: str
    title: str
    outlet: str
    url: str
    published: str
    counts: tuple[tuple[str, str, int], ...]  # (verdict, label, n)
    paragraphs: tuple[Paragraph, ...]
    statements: tuple[CheckedStatement, ...]  # in article order
    unplaced: tuple[str, ...]  # statement ids without a highlight of their own (inside another statement's words)
    hosts: tuple[tuple[str, str], ...]  # (unplaced statement, the statement whose words contain it)
    references: tuple[tuple[int, str, tuple[str, ...]], ...]  # (number, as printed, defects)

    @property
    def summary(self) -> str:
        return ", ".join(f"{n} {label.lower()}" for _, label, n in self.counts)

    def statement(self, statement_id: str) -> CheckedStatement:
        return next(s for s in self.statements if s.statement_id == statement_id)
