"""Read stage for CSV tables: schema-checked, typed, every row keeps its file line.

The CSV module gives exact physical line numbers even for quoted multi-line cells;
type checks then run column-wise in pandas, so 100k rows cost well under a second.
"""

from __future__ import annotations

import csv
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem
from ..files import decode as decode_bytes
from ..identifiers import is_safe_url
from ..old_names import OLD_COLUMNS
from .cache import ParseCache
from .quantities import parse_quantity
from .reparse import reparse_table


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text | int | number | choice | url | duration
    required: bool = False
    choices: tuple[str, ...] = ()
    old_name: str | None = None  # the column's name in the first workspace format, still read


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


DESIGNS = (
    "meta_analysis", "systematic_review", "rct", "split_face_rct", "non_randomised_trial", "cohort",
    "case_control", "cross_sectional", "case_series", "case_report", "narrative_review", "guideline",
    "expert_opinion",
)
OUTCOMES = (
    "efficacy", "comparative_efficacy", "downtime", "adverse_events", "sessions", "durability",
    "prevalence", "risk_factor", "psychosocial", "definition", "mechanism", "cost",
)
UNITS = (
    "percent", "days", "weeks", "months", "years", "sessions", "participants", "studies", "trials", "points", "grades",
    "odds_ratio", "risk_ratio", "mean_difference", "smd", "usd", "score",
)
STATUSES = ("verified", "unverified")
BASES = ("result", "conclusion", "background")  # what a claim rests on; empty = result (older workspaces)
RISKS_OF_BIAS = ("low", "some_concerns", "high")
INCLUDED_DESIGNS = ("randomised", "non_randomised", "mixed")  # what a review pools: its GRADE starting level
DIRECTIONS = ("favours_treatment", "favours_comparator", "no_difference", "not_applicable")
KINDS = ("claim", "number", "superlative", "attribution", "definition", "opinion", "advice")
NOT_CHECKABLE_KINDS = ("opinion", "advice")
RELATIONS = ("supports", "partly", "contradicts", "context")
VERDICTS = ("supported", "partly_supported", "overstated", "unsupported", "contradicted", "not_checkable")

STUDIES = TableSchema("studies", (
    Column("citekey", required=True),
    Column("design", "choice", True, DESIGNS),
    Column("n", "int"),
    Column("studies_included", "int"),
    Column("population"),
    Column("skin_types"),
    Column("follow_up_months", "number"),
    Column("funding"),
    Column("source_url", "url", True),
    Column("status", "choice", True, STATUSES),
    Column("notes"),
    Column("includes"),  # for reviews: ';'-separated citekeys of included studies in this library
    Column("risk_of_bias", "choice", False, RISKS_OF_BIAS),
    Column("risk_of_bias_reason"),
    Column("included_designs", "choice", False, INCLUDED_DESIGNS),  # for reviews: what they pool (GRADE start)
), key=("citekey",))

CLAIMS = TableSchema("claims", (
    Column("claim_id", required=True),
    Column("citekey", required=True),
    Column("treatment"),
    Column("comparator"),
    Column("condition", old_name=OLD_COLUMNS["condition"]),
    Column("outcome", "choice", True, OUTCOMES),
    Column("measure"),
    Column("value", "number"),
    Column("low", "number"),
    Column("high", "number"),
    Column("unit", "choice", False, UNITS),
    Column("interval", "choice", False, ("range", "ci95")),
    Column("n", "int"),
    Column("sessions", "number"),
    Column("downtime_days", "number"),
    Column("direction", "choice", False, DIRECTIONS),
    Column("events_treatment", "int"),
    Column("total_treatment", "int"),
    Column("events_comparator", "int"),
    Column("total_comparator", "int"),
    Column("quote", required=True),
    Column("locator", required=True),
    Column("basis", "choice", False, BASES),
    Column("endpoint"),  # short name shared by results meant to be pooled together
    Column("mean_treatment", "number"),
    Column("sd_treatment", "number"),
    Column("mean_comparator", "number"),
    Column("sd_comparator", "number"),
    Column("source_url", "url"),
    Column("status", "choice", True, STATUSES),
    Column("summary", required=True),
    Column("dose"),  # concentration or dose as printed, e.g. "0.025% cream"; optional column
    Column("duration", "duration"),  # how long treatment lasted, e.g. "12 weeks"; optional column
), key=("claim_id",))

VOCABULARY = TableSchema("vocabulary", (
    Column("id", required=True),
    Column("label", required=True),
    Column("parent"),
    Column("synonyms"),
    Column("description"),
), key=("id",))
# An intervention vocabulary also says which terms are comparators (placebo, vehicle, no treatment,
# baseline): what interventions are compared with, never interventions themselves. Optional column;
# an empty cell reads as `intervention`, except for the ids an old file meant as comparators.
KINDS_OF_TERM = ("intervention", "comparator")
INTERVENTIONS = TableSchema("interventions", VOCABULARY.columns[:2] + (
    Column("kind", "choice", False, KINDS_OF_TERM),) + VOCABULARY.columns[2:], key=("id",))

STATEMENTS = TableSchema("statements", (
    Column("statement_id", required=True),
    Column("quote", required=True),
    Column("kind", "choice", True, KINDS),
    Column("asserts"),
    Column("cites"),
    Column("prefix"),
    Column("override_verdict", "choice", False, VERDICTS),
    Column("override_reason"),
    Column("note"),
    Column("outcome", "choice", False, OUTCOMES),
    Column("measure"),
), key=("statement_id",))

LINKS = TableSchema("links", (
    Column("statement_id", required=True),
    Column("claim_id", required=True),
    Column("relation", "choice", True, RELATIONS),
    Column("note"),
), key=("statement_id", "claim_id"))


def _is_duration(text: str) -> bool:
    try:
        return parse_quantity(text, UNITS).dimension == "time"
    except ValueError:
        return False


def _suggest(word: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(options)}"


def read_table(path: Path, schema: TableSchema, shown: str, cache: ParseCache | None = None
               ) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one CSV file against its schema (or take it from ``cache`` when its bytes are unchanged).

    Returns a DataFrame with the schema's columns (typed, ``None`` for empty cells) plus
    ``source_file`` and ``source_line``; rows with errors are kept so cross-file rules can
    still run, and every problem carries the physical line of its row.
    """
    if cache is None:
        return _read_table(path.read_bytes(), schema, shown)
    data = path.read_bytes()
    return cache.parsed(f"table-{schema.name}", shown, data, lambda: _read_table(data, schema, shown),
                        lambda old, frame, problems: reparse_table(
                            old, frame, problems, data, schema, shown, lambda chunk: _read_table(chunk, schema, shown),
                            lambda df: _duplicates(df, schema, shown)), path)


def _read_table(data: bytes, schema: TableSchema, shown: str) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    text, found = decode_bytes(data, shown, "utf-8-sig")  # one problem, at its byte and line, for a bad file
    if text is None:
        return empty_table(schema, shown), found
    reader = csv.reader(text.splitlines(keepends=True))
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    last = 0
    try:
        for record in reader:
            start = last + 1
            last = reader.line_num
            if header is None:
                header = [h.strip() for h in record]
                continue
            if not "".join(record).strip():  # every cell blank (one C call, not one per cell)
                continue
            # interned as read: a claims file repeats a few terms, units and keys in every row, and the csv
            # module makes a new string for each cell (300k claims held 10M strings, most of them copies)
            rows.append(list(map(sys.intern, record)))  # stripped column by column below
            lines.append(start)
    except csv.Error as exc:
        problems.append(Problem(shown, last + 1, "bad-csv", str(exc), "check the quoting of this row"))
    if header is None:
        return empty_table(schema, shown), problems + [Problem(shown, 1, "empty-file", "no header row",  # keep a csv error
                                                          f"the first line must be: {','.join(schema.names)}")]
    header, found = _old_names(header, schema, shown)
    problems += found
    known = set(schema.names)
    for name in header:
        if name not in known and name not in {c.old_name for c in schema.columns}:
            problems.append(Problem(shown, 1, "unknown-column", f"unknown column '{name}'",
                                    _suggest(name, schema.names), field=name))
    for col in schema.columns:
        if col.required and col.name not in header:
            problems.append(Problem(shown, 1, "missing-column", f"required column '{col.name}' is missing",
                                    f"add it to the header: {','.join(schema.names)}", field=col.name))
    width = len(header)
    for i, (record, line) in enumerate(zip(rows, lines)):
        if len(record) != width:
            problems.append(Problem(shown, line, "bad-row-width",
                                    f"row has {len(record)} cells, the header has {width}",
                                    "quote cells that contain commas with double quotes"))
            rows[i] = (record + [""] * width)[:width]  # only the odd rows are copied
    raw = _stripped(pd.DataFrame(rows, columns=header, dtype=object) if rows
                    else pd.DataFrame(columns=header, dtype=object))
    line_series = pd.Series(lines, dtype="int64")
    out = pd.DataFrame(index=raw.index)
    for col in schema.columns:
        values = raw[col.name] if col.name in raw else pd.Series([""] * len(raw), dtype=object)
        empty = values == ""  # every cell is a str: the csv module never gives a missing one
        if col.required and col.name in raw:
            for line in line_series[empty & True]:
                problems.append(Problem(shown, int(line), "missing-value", f"'{col.name}' is empty",
                                        f"fill in {col.name}", field=col.name))
        if col.kind in ("int", "number"):
            # the same conversion as ever (from pandas' string type); an all-empty column skips it
            numbers = (pd.Series(np.nan, index=values.index) if empty.all()
                       else pd.to_numeric(values.astype("string").where(~empty), errors="coerce"))
            bad = ~empty & (numbers.isna() | ~numbers.abs().lt(2**53 if col.kind == "int" else float("inf")))
            if col.kind == "int":
                bad |= ~empty & numbers.notna() & (numbers != numbers.round())
            for line, value in zip(line_series[bad], values[bad]):
                kind = "a whole number" if col.kind == "int" else "a number"
                problems.append(Problem(shown, int(line), "bad-number", f"{col.name} '{value}' is not {kind}",
                                        f"write {col.name} as {kind} (e.g. 65, not '65%' or 'about 65')",
                                        field=col.name))
            numbers = numbers.where(~bad)
            out[col.name] = numbers.astype("Int64") if col.kind == "int" else numbers.astype("float64")
        else:
            if col.kind == "choice":
                bad = ~empty & ~values.isin(col.choices)
                for line, value in zip(line_series[bad], values[bad]):
                    problems.append(Problem(shown, int(line), f"bad-{col.name.replace('_', '-')}",
                                            f"{col.name} '{value}' is not allowed", _suggest(str(value), col.choices),
                                            field=col.name))
            if col.kind == "duration":
                bad = ~empty & ~_each_distinct(values, _is_duration)
                for line, value in zip(line_series[bad], values[bad]):
                    problems.append(Problem(shown, int(line), "bad-duration", f"{col.name} '{value}' is not a duration",
                                            "write a number and a time unit: '12 weeks', '3-6 months', '~1 years'",
                                            field=col.name))
            if col.kind == "url":
                bad = ~empty & ~_each_distinct(values, is_safe_url)
                for line, value in zip(line_series[bad], values[bad]):
                    problems.append(Problem(shown, int(line), "bad-url", f"{col.name} '{value}' is not a URL",
                                            "write the full address starting with https://", field=col.name))
            out[col.name] = values.where(~empty, None)
    out["source_file"] = shown
    out["source_line"] = line_series.values
    problems.extend(_duplicates(out, schema, shown))
    return out, problems


def _stripped(raw: pd.DataFrame) -> pd.DataFrame:
    """Every cell without surrounding whitespace, as ``str.strip`` gives it, column by column: ``map`` runs in
    C, and ``strip`` returns the very same (interned) string when there is nothing to strip, so a clean
    column is left as it is."""
    for i in range(raw.shape[1]):
        cells = raw.iloc[:, i].tolist()
        stripped = list(map(str.strip, cells))
        if stripped != cells:
            raw.isetitem(i, pd.Series(list(map(sys.intern, stripped)), index=raw.index, dtype=object))
    return raw


def _each_distinct(values: pd.Series, test) -> pd.Series:
    """``test`` of each cell, called once per distinct text (a column of 100k URLs holds few distinct ones)."""
    verdicts = {v: bool(test(v)) if isinstance(v, str) else False for v in pd.unique(values.to_numpy())}
    return values.map(verdicts).astype(bool)


def _old_names(header: list[str], schema: TableSchema, shown: str) -> tuple[list[str], list[Problem]]:
    """Read a column under its old name as the new one; both in one header is ambiguous, so a problem."""
    problems = []
    for col in schema.columns:
        if col.old_name and col.old_name in header:
            if col.name in header:
                problems.append(Problem(shown, 1, "old-and-new-column",
                                        f"the header has both '{col.name}' and its old name '{col.old_name}'",
                                        f"keep one: rename '{col.old_name}' to '{col.name}' and merge the two columns",
                                        field=col.old_name))
                continue
            header = [col.name if h == col.old_name else h for h in header]
    return header, problems


def _duplicates(df: pd.DataFrame, schema: TableSchema, shown: str) -> list[Problem]:
    if not schema.key or df.empty:
        return []
    keyed = df.dropna(subset=list(schema.key))
    dup = keyed[keyed.duplicated(subset=list(schema.key), keep="first")]
    problems = []
    for _, row in dup.iterrows():
        key = " / ".join(str(row[k]) for k in schema.key)
        first = keyed[(keyed[list(schema.key)] == row[list(schema.key)]).all(axis=1)]["source_line"].iloc[0]
        problems.append(Problem(shown, int(row["source_line"]), f"duplicate-{schema.key[0].replace('_', '-')}",
                                f"duplicate {' + '.join(schema.key)} '{key}' (first on line {first})",
                                "give each row a unique id or remove the copy", field=schema.key[0]))
    return problems


def empty_table(schema: TableSchema, shown: str) -> pd.DataFrame:
    df = pd.DataFrame({c.name: pd.Series(dtype="object") for c in schema.columns})
    df["source_file"] = shown
    df["source_line"] = pd.Series(dtype="int64")
    return df


def split_list(value: object) -> list[str]:
    """Cells holding lists use ';' as separator."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]
