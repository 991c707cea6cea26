"""Synthesis stage, the body of evidence: every claim with the study fields synthesis needs, then the
pooled comparisons and the grader the check stage uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..model import Grader, Workspace
from ..read.records import plain_records
from ..read.tables import split_list
from .certainty import grader
from .comparisons import Comparison, pooled_estimates
from .designs import Kind, review_kinds
from .effects import UNIT_STATISTIC
from .memo import CertaintyMemo, body_key, group_rows, row_hashes, schema_of

STUDY_FIELDS = ("design", "n", "funding", "risk_of_bias", "risk_of_bias_reason", "includes")


@dataclass(frozen=True)
class Synthesis:
    comparisons: tuple[Comparison, ...]
    grade: Grader
    reviews: Mapping[str, Kind] = field(default_factory=dict)  # what each review pools (the grader's look-up)
    # the claims joined to their studies (made once per build, read again by the outcome certainty), and where
    # graded bodies are remembered (``memo.py``; None: nowhere)
    frame: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    memo: Path | None = field(default=None, compare=False)

    @cached_property
    def _by_claim(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for i, c in enumerate(self.comparisons):
            for claim_id in c.claims:
                index.setdefault(claim_id, []).append(i)
        return index

    def grade_inputs(self, claims: Sequence[Mapping[str, object]]) -> tuple[object, ...]:
        """What ``grade`` reads for a body of these claims beyond the claims themselves: the comparisons
        pooling any of them (in order) and what each of their studies pools if it is a review (the
        incremental check keys a statement's result on them; a grader input not listed here would
        leave a stale verdict, so ``grader`` and this change together)."""
        found = sorted({i for c in claims for i in self._by_claim.get(str(c.get("claim_id")), ())})
        keys = sorted({str(c.get("citekey")) for c in claims})
        return tuple(self.comparisons[i] for i in found), tuple((k, self.reviews.get(k)) for k in keys)


def claim_frame(ws: Workspace) -> pd.DataFrame:
    """Claims joined to their study (design, participants when the claim gives none, inclusion list)."""
    cols = ["citekey", *[c for c in STUDY_FIELDS if c in ws.studies.columns]]
    studies = ws.studies[cols].dropna(subset=["citekey"]).drop_duplicates("citekey").rename(columns={"n": "study_n"})
    merged = ws.claims.dropna(subset=["claim_id"]).merge(studies, on="citekey", how="left")
    merged["n"] = merged["n"].fillna(merged["study_n"]) if "study_n" in merged else merged["n"]
    return merged


def _records(merged: pd.DataFrame) -> list[dict[str, object]]:
    records = plain_records(merged)
    for r in records:
        r["includes"] = split_list(r.get("includes"))
    return records


def claim_records(ws: Workspace) -> list[dict[str, object]]:
    """Claims joined to their study, as plain records (what the pooling and the grader read)."""
    return _records(claim_frame(ws))


def _may_give_an_effect(frame: pd.DataFrame) -> pd.Series:
    """Rows with the numbers ``effect_of_claim`` needs (per-arm counts, means with SDs, or an estimate with its
    95% CI): every other row gives no effect, so the pooling never needs to look at it (a superset, never less)."""
    def present(*names: str) -> pd.Series:
        mask = pd.Series(True, index=frame.index)
        for name in names:
            mask &= frame[name].notna() if name in frame else False
        return mask
    counts = present("events_treatment", "total_treatment", "events_comparator", "total_comparator")
    means = present("mean_treatment", "sd_treatment", "total_treatment", "mean_comparator", "sd_comparator",
                    "total_comparator")
    estimate = present("value", "low", "high")
    if "unit" in frame and "interval" in frame:
        estimate &= frame["unit"].isin(list(UNIT_STATISTIC)) & (frame["interval"] == "ci95")
    else:
        estimate &= False
    return counts | means | estimate


def synthesise(ws: Workspace, memo: Path | None = None) -> Synthesis:
    """Pool the comparisons and make the grader; ``memo`` is where graded bodies are remembered between builds."""
    frame = claim_frame(ws)
    comparisons = tuple(pooled_estimates(_records(frame[_may_give_an_effect(frame)])))
    reviews = review_kinds(ws.studies)
    return Synthesis(comparisons, grader(comparisons, reviews), reviews, frame, memo)


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
    frame = synthesis.frame if synthesis.frame is not None else claim_frame(ws)
    frame = frame.reset_index(drop=True)
    keyed = np.flatnonzero((frame["treatment"].notna() & frame["outcome"].notna()).to_numpy()).tolist()
    treatments, outcomes, ids, keys, comparators = (frame[c].tolist() for c in (
        "treatment", "outcome", "claim_id", "citekey", "comparator"))
    positions = group_rows([(str(treatments[i]), str(outcomes[i])) for i in keyed])
    graded = frame.drop(columns=["source_file", "source_line"], errors="ignore")  # where a row is: never graded
    hashes, schema = row_hashes(graded), schema_of(graded)
    memo = CertaintyMemo(synthesis.memo)
    rows = []
    for (treatment, outcome), where in sorted(positions.items()):
        at = [keyed[i] for i in where]
        # what the key needs of each claim (its id and study), without making a record of every row
        key = body_key(schema, hashes[at], synthesis.grade_inputs([{"claim_id": ids[i], "citekey": keys[i]} for i in at]))
        c = memo.get(key)
        if c is None:
            c = synthesis.grade(_records(frame.iloc[at]))
            memo.put(key, c)
        claims = [{"claim_id": ids[i], "comparator": comparators[i]} for i in at]
        rows.append({"treatment": treatment, "outcome": outcome, "certainty": c.level, "reasons": list(c.reasons),
                     "studies": c.studies, "participants": c.participants,
                     "claims": sorted(str(x["claim_id"]) for x in claims),
                     "comparators": sorted({str(x["comparator"]) for x in claims
                                            if x["comparator"] and x["comparator"] == x["comparator"]})})  # not NaN
    memo.save()
    df = pd.DataFrame(rows, columns=["treatment", "outcome", "certainty", "reasons", "studies", "participants",
                                     "claims", "comparators"])
    df["participants"] = df["participants"].astype("Int64")
    return df
