"""Render stage, summary of findings: per treatment, one row per outcome (and comparator) with the pooled
effect, studies, participants and certainty with its reasons, and forest plots of the pooled comparisons.

Rows come from the ``outcome_certainty`` and ``pooled_estimates`` tables: the page prints what the
synthesis stage computed, never a range that mixes outcomes or measures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from .plots import ForestPlot, fmt, forest_plots

Row = Mapping[str, object]
SHOWN_METHOD = "random effects (DerSimonian-Laird)"
NOUN = {"risk_ratio": "RR", "odds_ratio": "OR", "risk_difference": "RD", "mean_difference": "MD", "smd": "SMD"}


@dataclass(frozen=True)
class PooledPlot:
    plot: ForestPlot
    diamond: str  # SVG polygon points of the pooled estimate
    diamond_y: float
    pooled_text: str  # "RR 3.56 (95% CI 1.63 to 7.73), random effects (DerSimonian-Laird)"
    heterogeneity: str  # "I² = 0%, τ² = 0, Q = 0.26 (df 1, p = 0.61)"
    weights: tuple[str, ...]  # "asif2016combined: 81.2%"
    alt: str  # the whole plot in words


def _effect_text(r: Row) -> str:
    return (f"{NOUN.get(str(r['statistic']), r['statistic'])} {fmt(round(float(r['estimate']), 2))} "
            f"(95% CI {fmt(round(float(r['ci_low']), 2))} to {fmt(round(float(r['ci_high']), 2))})")


def summary_of_findings(treatment: str, certainty: Sequence[Row], pooled: Sequence[Row],
                        statements_by_claim: Mapping[str, list[Row]], label: Mapping[str, str]) -> list[dict[str, object]]:
    """The Summary of findings rows of one treatment, outcome by outcome."""
    shown = [p for p in pooled if p["intervention"] == treatment and p["method"] in (SHOWN_METHOD, "not pooled")]
    out = []
    for c in certainty:
        if c["treatment"] != treatment:
            continue
        effects = [p for p in shown if p["outcome"] == c["outcome"]]
        statements = {str(s["statement_id"]): s for cid in c["claims"] or [] for s in statements_by_claim.get(str(cid), [])}
        out.append({
            "outcome": str(c["outcome"]).replace("_", " "),
            "comparators": ", ".join(label.get(str(x), str(x).replace("_", " ")) for x in c["comparators"] or []) or "—",
            "studies": c["studies"], "participants": c["participants"] if c["participants"] is not None else "not reported",
            "effects": [(f"{_effect_text(p)} for {p['measure']} vs {label.get(str(p['comparator']), p['comparator'])}, "
                         f"{p['k']} studies, I² {fmt(round(float(p['i2']), 0))}%") if p["estimate"] is not None
                        else f"not pooled ({'; '.join(p['notes'] or [])})" for p in effects],
            "certainty": c["certainty"], "reasons": list(c["reasons"] or []),
            "statements": sorted(statements.values(), key=lambda s: (str(s["slug"]), int(s["number"]))),  # type: ignore[arg-type]
        })
    return out


def pooled_plots(treatment: str, pooled: Sequence[Row], id_prefix: str) -> list[PooledPlot]:
    """A forest plot per pooled comparison: each study with its weight, and the pooled diamond."""
    plots = []
    for i, r in enumerate(p for p in pooled if p["intervention"] == treatment and p["method"] == SHOWN_METHOD):
        unit = "risk_ratio" if r["statistic"] == "risk_ratio" else "odds_ratio" if r["statistic"] == "odds_ratio" \
            else "mean_difference" if r["statistic"] in ("mean_difference", "risk_difference") else "smd"
        weights = list(r["weights"] or [])
        rows = [{"citekey": k, "value": v, "low": lo, "high": hi, "unit": unit, "interval": "ci95",
                 "measure": f"weight {fmt(round(w, 1))}%", "href": f"studies/{k}.html"}
                for k, v, lo, hi, w in zip(r["studies"], r["study_estimates"], r["study_ci_low"], r["study_ci_high"],
                                           weights)]
        rows.append({"citekey": "Pooled", "value": r["estimate"], "low": r["ci_low"], "high": r["ci_high"], "unit": unit,
                     "interval": "ci95", "measure": str(r["method"]), "href": ""})
        plot = forest_plots(rows, f"{id_prefix}-pooled-{i + 1}")[0]
        last = plot.estimates[-1]
        half = 7.0
        diamond = f"{last.x_low},{last.y} {last.x},{last.y - half} {last.x_high},{last.y} {last.x},{last.y + half}"
        p_het = r.get("p_heterogeneity")
        het = (f"I² = {fmt(round(float(r['i2']), 1))}%, τ² = {fmt(round(float(r['tau2']), 4))}, "
               f"Q = {fmt(round(float(r['q']), 2))} (df {r['q_df']}"
               + (f", p = {float(p_het):.2f})" if p_het is not None and not math.isnan(float(p_het)) else ")"))
        pooled_text = f"{_effect_text(r)}, {r['method']}"
        if r.get("pi_low") is not None:
            pooled_text += f"; 95% prediction interval {fmt(round(float(r['pi_low']), 2))} to {fmt(round(float(r['pi_high']), 2))}"
        wtexts = tuple(f"{k}: {fmt(round(w, 1))}%" for k, w in zip(r["studies"], weights))
        alt = (f"{r['measure']} ({r['outcome']}), {r['intervention']} vs {r['comparator']}: {r['k']} studies, "
               f"{r['participants']} participants. Pooled {pooled_text}. Heterogeneity: {het}. Weights: "
               + "; ".join(wtexts) + ".")
        plots.append(PooledPlot(plot, diamond, last.y, pooled_text, het, wtexts, alt))
    return plots
