"""Check stage, quote checks: every claim's quote against its study's cached source text.

The matching itself is :mod:`.quotes` (pure); this module turns claims and the texts the
resolver cached into :class:`QuoteCheck` records (what ``verify --quotes`` prints, what
``build`` loads into ``quote_checks``), and into the problems ``check`` lists: a statement
resting on a quote that is not in its source, and a claim whose locator names another place
than the one the quote was found in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from ..errors import Problem
from ..model import Statement
from .quotes import NumberCheck, Passage, QuoteMatch, check_numbers, find_quote, locator_agrees


@dataclass(frozen=True)
class QuoteCheck:
    """Where one claim's quote was found, and which of its numbers the passage carries."""

    claim_id: str
    citekey: str
    status: str  # exact | normalised | near | not_found | no_text
    source: str | None = None  # pubmed | europepmc | crossref | europepmc-fulltext
    source_label: str | None = None  # "PubMed abstract"
    section: str | None = None  # "Abstract — RESULTS"
    fetched_at: str | None = None
    url: str | None = None
    score: float | None = None
    differences: tuple[str, ...] = ()
    numbers: tuple[NumberCheck, ...] = ()
    locator: str = ""
    locator_agrees: bool | None = None
    detail: str = ""  # for no_text: never fetched / not found at the source; for not_found: what was searched
    source_file: str = ""
    source_line: int | None = None

    @property
    def found(self) -> bool:
        return self.status in ("exact", "normalised", "near")

    @property
    def missing_numbers(self) -> tuple[NumberCheck, ...]:
        return tuple(n for n in self.numbers if n.found is False)

    def describe(self) -> str:
        """'found in the PubMed abstract, RESULTS, fetched 2026-11-29' (what ``check`` prints)."""
        if self.found:
            where = (self.section or "").replace("Abstract — ", "").replace("Abstract", "").strip()
            how = {"exact": "found", "normalised": "found after normalising", "near": "nearly found"}[self.status]
            text = f"{how} in the {self.source_label}{', ' + where if where else ''}, fetched {str(self.fetched_at)[:10]}"
            if self.status == "near":
                text += f" (similarity {self.score:.0f}; " + "; ".join(self.differences[:3]) + ")"
            missing = [f"{n.field} {n.as_dict()['value']}" for n in self.missing_numbers]
            if missing:
                text += "; not in that passage: " + ", ".join(missing)
            return text
        if self.status == "not_found":
            return f"NOT FOUND in {self.detail}"
        return f"no source text: {self.detail}"

    def as_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "citekey": self.citekey, "status": self.status, "source": self.source,
                "source_label": self.source_label, "section": self.section, "fetched_at": self.fetched_at,
                "url": self.url, "score": self.score, "differences": list(self.differences),
                "numbers": [n.as_dict() for n in self.numbers], "locator": self.locator,
                "locator_agrees": self.locator_agrees, "detail": self.detail}


def passages(texts: Iterable[Any]) -> list[Passage]:
    """Every section of every found text (``SourceText`` records), in the order given."""
    return [Passage(t.source, t.label, s.part, s.label, s.category, s.text, t.fetched_at, t.url)
            for t in texts for s in t.sections]


def _value(v: object) -> object:
    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


def check_claim(claim: Mapping[str, Any], state: Any | None) -> QuoteCheck:
    """One claim against its study's :class:`~evidence.resolve.sourcetext.TextState` (None: nothing cached)."""
    get = claim.get
    line = _value(get("source_line"))
    base = dict(claim_id=str(claim["claim_id"]), citekey=str(claim["citekey"]), locator=str(_value(get("locator")) or ""),
                source_file=str(get("source_file") or ""), source_line=int(line) if line is not None else None)
    recorded = {"value": _value(get("value")), "low": _value(get("low")), "high": _value(get("high")),
                "n": _value(get("n"))}
    if state is None or not state.texts:
        detail = state.why_no_text() if state is not None else "never fetched: run `evidence resolve`"
        return QuoteCheck(status="no_text", numbers=check_numbers(recorded, None), detail=detail, **base)
    found = passages(state.texts)
    match: QuoteMatch = find_quote(str(_value(claim.get("quote")) or ""), found, base["locator"])
    if match.passage is None:
        searched = ", ".join(dict.fromkeys(f"the {p.source_label} ({p.fetched_at[:10]})" for p in found))
        return QuoteCheck(status=match.status, score=match.score, numbers=check_numbers(recorded, None),
                          detail=searched, **base)
    p = match.passage
    return QuoteCheck(status=match.status, source=p.source, source_label=p.source_label, section=p.section,
                      fetched_at=p.fetched_at, url=p.url, score=match.score, differences=match.differences,
                      numbers=check_numbers(recorded, p), locator_agrees=locator_agrees(base["locator"], p, found),
                      **base)


_COLUMNS = ("claim_id", "citekey", "quote", "locator", "value", "low", "high", "n", "source_file", "source_line")


def check_quotes(claims: pd.DataFrame, texts: Mapping[str, Any]) -> list[QuoteCheck]:
    """Every claim of ``claims.csv`` (one row each), in claim order.

    Columns are turned into plain lists once (not a dict per row through pandas): at 100k
    claims with nothing cached this is the difference between a tenth of a second and five.
    """
    rows = claims.dropna(subset=["claim_id"]).drop_duplicates("claim_id")
    columns = [rows[c].astype(object).where(rows[c].notna(), None).tolist() if c in rows else [None] * len(rows)
               for c in _COLUMNS]
    return [check_claim(dict(zip(_COLUMNS, values)), texts.get(str(values[1]))) for values in zip(*columns)]


def quote_checks_frame(checks: Sequence[QuoteCheck]) -> pd.DataFrame:
    """The ``quote_checks`` table (columns as in load/schema.sql)."""
    columns = ["claim_id", "citekey", "status", "source", "source_label", "section", "fetched_at", "url", "score",
               "differences", "numbers_missing", "locator_agrees", "description"]
    frame = pd.DataFrame([{
        "claim_id": c.claim_id, "citekey": c.citekey, "status": c.status, "source": c.source,
        "source_label": c.source_label, "section": c.section, "fetched_at": c.fetched_at, "url": c.url,
        "score": c.score, "differences": list(c.differences),
        "numbers_missing": [f"{n.field} {n.as_dict()['value']}" for n in c.missing_numbers],
        "locator_agrees": c.locator_agrees, "description": c.describe()} for c in checks], columns=columns)
    frame["score"] = frame["score"].astype("float64")
    frame["locator_agrees"] = frame["locator_agrees"].astype("boolean")
    return frame


def quote_problems(statements: Sequence[Statement], linked: Mapping[tuple[str, str], list[Mapping[str, Any]]],
                   checks: Mapping[str, QuoteCheck]) -> list[Problem]:
    """Warnings for one article: statements resting on an unfound quote; claims whose locator disagrees."""
    problems: list[Problem] = []
    located: set[str] = set()
    for s in statements:
        for rec in linked.get((s.slug, s.statement_id), []):
            check = checks.get(str(rec["claim_id"]))
            if check is None:
                continue
            if check.status == "not_found" and rec["relation"] in ("supports", "partly", "contradicts"):
                problems.append(Problem(
                    s.source_file, s.source_line, "quote-not-in-source",
                    f"{s.statement_id} rests on {check.claim_id}, whose quote is not in its source text "
                    f"(searched {check.detail}; best similarity {check.score or 0:.0f})",
                    f"copy the quote again from the study (references/claims.csv:{check.source_line})",
                    field="statement_id", severity="warning"))
            if check.locator_agrees is False and check.claim_id not in located:
                located.add(check.claim_id)
                problems.append(Problem(
                    check.source_file, check.source_line, "quote-locator-differs",
                    f"{check.claim_id}: locator '{check.locator}' but the quote was found in the "
                    f"{check.source_label}, {check.section}",
                    "correct the locator to where the quote stands", field="locator", severity="warning"))
    return problems
