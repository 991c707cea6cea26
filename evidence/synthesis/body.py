"""Synthesis stage, the body of evidence: every claim with the study fields synthesis needs, then the
pooled comparisons and the grader the check stage uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from ..model import Grader, Workspace
from ..read.tables import split_list
from .certainty import grader
from .comparisons import Comparison, pooled_estimates
from .designs import review_kinds

STUDY_FIELDS = ("design", "n", "funding", "risk_of_bias", "risk_of_bias_reason", "includes")


@dataclass(frozen=True)
class Synthesis:
    comparisons: tuple[Comparison, ...]
    grade: Grader


def claim_records(ws: Workspace) -> list[dict[str, object]]:
    """Claims joined to their study (design, participants when the claim gives none, inclusion list)."""
    cols = ["citekey", *[c for c in STUDY_FIELDS if c in ws.studies.columns]]
    studies = ws.studies[cols].dropna(subset=["citekey"]).drop_duplicates("citekey").rename(columns={"n": "study_n"})
    merged = ws.claims.dropna(subset=["claim_id"]).merge(studies, on="citekey", how="left")
    merged["n"] = merged["n"].fillna(merged["study_n"]) if "study_n" in merged else merged["n"]
    records = merged.astype(object).where(merged.notna(), None).to_dict("records")
    for r in records:
        r["includes"] = split_list(r.get("includes"))
    return records


def synthesise(ws: Workspace) -> Synthesis:
    comparisons = tuple(pooled_estimates(claim_records(ws)))
    return Synthesis(comparisons, grader(comparisons, review_kinds(ws.studies)))


def comparison_rows(comparisons: tuple[Comparison, ...] | list[Comparison],
                    labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per comparison and method, ratios on their natural scale (the database table)."""
    rows = []
    for c in comparisons:
        base = {"intervention": c.treatment, "comparator": c.comparator, "outcome": c.outcome, "measure": c.measure,
                "statistic": c.statistic, "claims": list(c.claims), "studies": list(c.studies),
                "excluded": list(c.excluded), "notes": list(c.notes)}
        p = c.pooled
        if p is None:
            rows.append({**base, "k": len(c.claims), "participants": None, "method": "not pooled", "estimate": None,
                         "ci_low": None, "ci_high": None, "pi_low": None, "pi_high": None, "i2": None, "tau2": None,
                         "q": None, "q_df": None, "p_heterogeneity": None, "weights": [], "study_estimates": [],
                         "study_ci_low": [], "study_ci_high": []})
            continue
        for e in p.estimates:
            rows.append({**base, "k": p.k, "participants": p.participants, "method": e.method, "estimate": e.estimate,
                         "study_estimates": [x.estimate for x in p.effects],
                         "study_ci_low": [x.ci[0] for x in p.effects], "study_ci_high": [x.ci[1] for x in p.effects],
                         "ci_low": e.ci_low, "ci_high": e.ci_high, "pi_low": e.pi_low, "pi_high": e.pi_high,
                         "i2": p.i2, "tau2": e.tau2, "q": p.q, "q_df": p.df, "p_heterogeneity": p.p_heterogeneity,
                         "weights": [round(w * 100, 2) for w in e.weights]})
    columns = ["intervention", "comparator", "outcome", "measure", "statistic", "k", "participants", "method",
               "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "i2", "tau2", "q", "q_df", "p_heterogeneity",
               "claims", "studies", "weights", "study_estimates", "study_ci_low", "study_ci_high", "excluded", "notes"]
    df = pd.DataFrame(rows, columns=columns)
    df["participants"] = df["participants"].astype("Int64")
    for col in ("k", "q_df"):
        df[col] = df[col].astype("Int64")
    return df


def outcome_certainty(ws: Workspace, synthesis: Synthesis) -> pd.DataFrame:
    """Certainty per intervention and outcome (the Summary of findings rows), with every reason."""
    groups: dict[tuple[str, str], list[dict[str, object]]] = {}
    for r in claim_records(ws):
        if r.get("treatment") and r.get("outcome"):
            groups.setdefault((str(r["treatment"]), str(r["outcome"])), []).append(r)
    rows = []
    for (treatment, outcome), claims in sorted(groups.items()):
        c = synthesis.grade(claims)
        rows.append({"treatment": treatment, "outcome": outcome, "certainty": c.level, "reasons": list(c.reasons),
                     "studies": c.studies, "participants": c.participants,
                     "claims": sorted(str(x["claim_id"]) for x in claims),
                     "comparators": sorted({str(x["comparator"]) for x in claims if x.get("comparator")})})
    df = pd.DataFrame(rows, columns=["treatment", "outcome", "certainty", "reasons", "studies", "participants",
                                     "claims", "comparators"])
    df["participants"] = df["participants"].astype("Int64")
    return df
