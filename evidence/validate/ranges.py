"""Validate stage, ranges: counts are never negative, and ids that become file names differ in more than case.

The readers already refuse text that is not a number and numbers that are not finite
(``1e309``, ``-inf``); here the values that parse but cannot be true are caught: a study of
-5 participants, -1 sessions. Pages are named after slugs, citekeys and vocabulary ids,
so two that differ only in case would be one file on macOS and Windows (two studies, one page).
"""

from __future__ import annotations

import pandas as pd

from ..errors import Problem
from ..model import Workspace

NON_NEGATIVE = {
    "studies": ("n", "studies_included", "follow_up_months"),
    # negative events are caught with their arm's total by pooling_inputs
    "claims": ("n", "sessions", "downtime_days", "total_treatment", "total_comparator"),
}


def _negative(df: pd.DataFrame, columns: tuple[str, ...]) -> list[Problem]:
    problems = []
    for column in columns:
        if column not in df or df.empty:
            continue
        values = pd.to_numeric(df[column], errors="coerce")
        for row in df[values < 0].itertuples(index=False):
            problems.append(Problem(row.source_file, int(row.source_line), "negative-count",
                                    f"{column} is {getattr(row, column)}, below zero",
                                    f"{column} counts something: write 0 or more", field=column))
    return problems


def _case_collisions(df: pd.DataFrame, column: str, what: str) -> list[Problem]:
    problems = []
    first: dict[str, str] = {}
    for row in df.itertuples(index=False):
        value = getattr(row, column)
        if not isinstance(value, str):
            continue
        other = first.setdefault(value.lower(), value)
        if other != value:
            problems.append(Problem(row.source_file, int(row.source_line), "id-case-collision",
                                    f"{what} '{value}' differs from '{other}' only in case (their pages would collide)",
                                    "rename one of them", field=column))
    return problems


def range_problems(ws: Workspace) -> list[Problem]:
    problems = _negative(ws.studies, NON_NEGATIVE["studies"]) + _negative(ws.claims, NON_NEGATIVE["claims"])
    problems += _case_collisions(ws.interventions, "id", "intervention id")
    problems += _case_collisions(ws.conditions, "id", "condition id")
    return problems
