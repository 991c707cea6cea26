"""Synthesis stage, effect sizes: one study result as an effect on a poolable scale, with its variance.

Ratios (risk ratio, odds ratio) are pooled on the log scale and reported on their natural scale;
differences (risk difference, mean difference, standardised mean difference) on their own scale.
statsmodels computes the effects from counts and from means, so the formulas are the ones its
meta-analysis functions are tested with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

# statsmodels (about a second to import) is imported where an effect is computed from counts or means.

RATIOS = ("risk_ratio", "odds_ratio")
DIFFERENCES = ("risk_difference", "mean_difference", "smd")
STATISTICS = RATIOS + DIFFERENCES
Z95 = 1.959963984540054  # two-sided 95 % normal quantile: a printed 95 % CI spans 2 x 1.96 standard errors
_SM_NAME = {"risk_ratio": "risk-ratio", "odds_ratio": "odds-ratio", "risk_difference": "diff"}
ZERO_CORRECTION = 0.5  # added to every cell of a study with a zero cell (the usual Haldane correction)


@dataclass(frozen=True)
class Effect:
    """One study's result on the pooling scale (log for ratios)."""

    statistic: str  # risk_ratio | odds_ratio | risk_difference | mean_difference | smd
    y: float
    variance: float
    source: str  # counts | means | estimate
    participants: int | None = None
    claim_id: str = ""
    citekey: str = ""
    note: str = ""

    @property
    def se(self) -> float:
        return math.sqrt(self.variance)

    def natural(self, value: float) -> float:
        """A value on the pooling scale back on the scale people read (a risk ratio, not its log)."""
        return math.exp(value) if self.statistic in RATIOS else value

    @property
    def estimate(self) -> float:
        return self.natural(self.y)

    @property
    def ci(self) -> tuple[float, float]:
        return self.natural(self.y - Z95 * self.se), self.natural(self.y + Z95 * self.se)


def from_counts(events_treatment: int, total_treatment: int, events_comparator: int, total_comparator: int,
                statistic: str = "risk_ratio") -> Effect:
    """Per-arm counts as a (log) risk ratio, (log) odds ratio or risk difference.

    A study with a zero cell gets 0.5 added to every cell (ratios are not finite otherwise); a study
    with no events, or only events, in both arms carries no information on a ratio and is refused.
    """
    if statistic not in _SM_NAME:
        raise ValueError(f"counts give a risk_ratio, odds_ratio or risk_difference, not {statistic}")
    e1, n1, e2, n2 = (int(v) for v in (events_treatment, total_treatment, events_comparator, total_comparator))
    if min(n1, n2) <= 0 or not (0 <= e1 <= n1 and 0 <= e2 <= n2):
        raise ValueError(f"counts {e1}/{n1} vs {e2}/{n2} are not events out of totals")
    note = ""
    if statistic in RATIOS and ((e1 == 0 and e2 == 0) or (e1 == n1 and e2 == n2)):
        raise ValueError(f"counts {e1}/{n1} vs {e2}/{n2}: no events (or only events) in both arms; "
                         "a ratio is not estimable")
    zero = statistic in RATIOS and 0 in (e1, e2, n1 - e1, n2 - e2)
    if zero:
        note = f"{ZERO_CORRECTION} added to each cell (a zero cell)"
    # the same correction for every statistic keeps a study's RR, OR and RD on the same corrected table
    args = [np.array([float(v)]) for v in (e1, n1, e2, n2)]
    if zero:
        args = [args[0] + ZERO_CORRECTION, args[1] + 2 * ZERO_CORRECTION,
                args[2] + ZERO_CORRECTION, args[3] + 2 * ZERO_CORRECTION]
    from statsmodels.stats.meta_analysis import effectsize_2proportions

    y, var = effectsize_2proportions(*args, statistic=_SM_NAME[statistic])
    return Effect(statistic, float(y[0]), float(var[0]), "counts", n1 + n2, note=note)


def from_means(mean_treatment: float, sd_treatment: float, n_treatment: int, mean_comparator: float,
               sd_comparator: float, n_comparator: int, statistic: str = "mean_difference") -> Effect:
    """Means with SD and n as a mean difference, or a standardised mean difference (Hedges' g)."""
    m1, s1, n1, m2, s2, n2 = (float(v) for v in (mean_treatment, sd_treatment, n_treatment, mean_comparator,
                                                 sd_comparator, n_comparator))
    if min(n1, n2) < 2 or min(s1, s2) <= 0:
        raise ValueError("means need n >= 2 and a positive SD in each arm")
    if statistic == "smd":
        from statsmodels.stats.meta_analysis import effectsize_smd

        y, var = effectsize_smd(m1, s1, n1, m2, s2, n2)
        return Effect("smd", float(y), float(var), "means", int(n1 + n2))
    if statistic != "mean_difference":
        raise ValueError(f"means give a mean_difference or smd, not {statistic}")
    return Effect("mean_difference", m1 - m2, s1 ** 2 / n1 + s2 ** 2 / n2, "means", int(n1 + n2))


def from_estimate(value: float, low: float, high: float, statistic: str) -> Effect:
    """A published estimate with its 95 % CI: the standard error is the CI width over 2 x 1.96, on the log
    scale for ratios (a CI of a ratio is symmetric only there)."""
    if statistic not in STATISTICS:
        raise ValueError(f"unknown statistic {statistic}")
    if not low <= value <= high or low == high:
        raise ValueError(f"{value} ({low} to {high}) is not an estimate inside a 95% CI")
    if statistic in RATIOS:
        if low <= 0:
            raise ValueError(f"a ratio's CI must be above 0, not {low}")
        y, lo, hi = math.log(value), math.log(low), math.log(high)
    else:
        y, lo, hi = value, low, high
    se = (hi - lo) / (2 * Z95)
    return Effect(statistic, y, se * se, "estimate")


UNIT_STATISTIC = {"risk_ratio": "risk_ratio", "odds_ratio": "odds_ratio", "mean_difference": "mean_difference",
                  "smd": "smd"}


def _num(c: Mapping[str, object], key: str) -> float | None:
    v = c.get(key)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)  # type: ignore[arg-type]


def effect_of_claim(c: Mapping[str, object], counts_statistic: str = "risk_ratio") -> Effect | None:
    """The effect a claim gives, from the most direct data it has: per-arm counts, then means with SD,
    then an estimate with its 95 % CI; None when it has none of these."""
    e1, n1, e2, n2 = (_num(c, k) for k in ("events_treatment", "total_treatment", "events_comparator",
                                           "total_comparator"))
    base = {"claim_id": str(c.get("claim_id") or ""), "citekey": str(c.get("citekey") or "")}
    n = _num(c, "n")
    if None not in (e1, n1, e2, n2):
        eff = from_counts(int(e1), int(n1), int(e2), int(n2), counts_statistic)  # type: ignore[arg-type]
        return Effect(**{**eff.__dict__, **base, "participants": int(n) if n else eff.participants})
    means = [_num(c, k) for k in ("mean_treatment", "sd_treatment", "total_treatment", "mean_comparator",
                                  "sd_comparator", "total_comparator")]
    if None not in means:
        eff = from_means(*means)  # type: ignore[arg-type]
        return Effect(**{**eff.__dict__, **base, "participants": int(n) if n else eff.participants})
    value, low, high = _num(c, "value"), _num(c, "low"), _num(c, "high")
    statistic = UNIT_STATISTIC.get(str(c.get("unit")))
    if statistic and c.get("interval") == "ci95" and None not in (value, low, high):
        eff = from_estimate(value, low, high, statistic)  # type: ignore[arg-type]
        return Effect(**{**eff.__dict__, **base, "participants": int(n) if n else None})
    return None
