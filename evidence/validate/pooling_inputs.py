"""Validate stage, pooling inputs: per-arm counts that are possible, inclusion lists that name known studies,
a reason for every risk-of-bias judgement. Caught here, with file and line, rather than skipped silently
when the synthesis stage pools."""

from __future__ import annotations

import pandas as pd

from ..errors import Problem
from ..read.tables import split_list

REVIEWS = ("meta_analysis", "systematic_review")


def pooling_problems(studies: pd.DataFrame, claims: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    for events, total in (("events_treatment", "total_treatment"), ("events_comparator", "total_comparator")):
        if events not in claims or total not in claims:
            continue
        bad = claims[events].notna() & claims[total].notna() & ((claims[events] > claims[total]) | (claims[events] < 0))
        for row in claims[bad].itertuples():
            problems.append(Problem(row.source_file, int(row.source_line), "impossible-counts",
                                    f"claim '{row.claim_id}': {events} {getattr(row, events)} is not between 0 and "
                                    f"{total} {getattr(row, total)}",
                                    "copy the events and the arm's total from the same table of the study",
                                    field=events))
    if "includes" in studies:
        known = set(studies["citekey"].dropna())
        for row in studies[studies["includes"].notna()].itertuples():
            unknown = [k for k in split_list(row.includes) if k not in known]
            if unknown:
                problems.append(Problem(row.source_file, int(row.source_line), "unknown-included-study",
                                        f"study '{row.citekey}' includes {', '.join(unknown)}, not in studies.csv",
                                        "list only included studies that have a row in studies.csv", field="includes"))
            if row.design not in REVIEWS:
                problems.append(Problem(row.source_file, int(row.source_line), "includes-on-primary-study",
                                        f"study '{row.citekey}' is a {row.design}, not a review, but lists includes",
                                        "'includes' is for meta-analyses and systematic reviews", field="includes",
                                        severity="warning"))
    if "risk_of_bias" in studies:
        reason = studies["risk_of_bias_reason"] if "risk_of_bias_reason" in studies else pd.Series(None, index=studies.index)
        for row in studies[studies["risk_of_bias"].notna() & reason.isna()].itertuples():
            problems.append(Problem(row.source_file, int(row.source_line), "risk-of-bias-without-reason",
                                    f"study '{row.citekey}': risk_of_bias '{row.risk_of_bias}' has no reason",
                                    "say why in risk_of_bias_reason (it is shown in the certainty's reasons)",
                                    field="risk_of_bias_reason"))
    if "included_designs" in studies:
        for row in studies[studies["included_designs"].notna() & ~studies["design"].isin(REVIEWS)].itertuples():
            problems.append(Problem(row.source_file, int(row.source_line), "included-designs-on-primary-study",
                                    f"study '{row.citekey}' is a {row.design}, not a review, but records "
                                    f"included_designs '{row.included_designs}'",
                                    "'included_designs' says what a meta-analysis or systematic review pools; "
                                    "leave it empty for a primary study", field="included_designs"))
    return problems
