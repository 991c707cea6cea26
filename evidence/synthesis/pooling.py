"""Synthesis stage, pooling: common-effect and random-effects estimates with heterogeneity.

statsmodels' ``combine_effects`` does the arithmetic (inverse-variance weights, Cochran's Q, the
DerSimonian-Laird and Paule-Mandel between-study variances). Two things are added here because
the published conventions need them: a between-study variance below zero is truncated at zero (as
RevMan, Stata's metan and R's meta do; statsmodels keeps the raw value), and I² is truncated at 0 %.
The prediction interval follows Higgins, Thompson and Spiegelhalter (2009): t with k-2 degrees of
freedom, so it needs at least three studies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

# scipy and statsmodels (about a second to import) are imported where a pool is computed, so that a
# command with nothing to pool, or `evidence --help`, never loads them.

from .effects import RATIOS, Z95, Effect

METHODS = ("common effect", "random effects (DerSimonian-Laird)", "random effects (Paule-Mandel)")


@dataclass(frozen=True)
class Estimate:
    method: str
    estimate: float  # on the natural scale (a risk ratio, not its logarithm)
    ci_low: float
    ci_high: float
    tau2: float
    weights: tuple[float, ...]  # relative weight of each study, summing to 1
    pi_low: float | None = None  # 95 % prediction interval (random effects, k >= 3)
    pi_high: float | None = None


@dataclass(frozen=True)
class Pooled:
    statistic: str
    k: int
    participants: int | None
    effects: tuple[Effect, ...]
    q: float
    df: int
    p_heterogeneity: float | None
    i2: float  # percent, 0-100
    estimates: tuple[Estimate, ...]  # common effect, DL, PM

    def by_method(self, method: str) -> Estimate:
        return next(e for e in self.estimates if e.method == method)

    @property
    def common(self) -> Estimate:
        return self.estimates[0]

    @property
    def random(self) -> Estimate:
        """The DerSimonian-Laird estimate: what most published meta-analyses print."""
        return self.estimates[1]


def _natural(statistic: str, value: float) -> float:
    return math.exp(value) if statistic in RATIOS else value


def _random(y: np.ndarray, v: np.ndarray, tau2: float, statistic: str, method: str) -> Estimate:
    from scipy import stats

    tau2 = max(0.0, float(tau2))
    w = 1.0 / (v + tau2)
    mu = float((w * y).sum() / w.sum())
    se = math.sqrt(1.0 / float(w.sum()))
    k = len(y)
    pi_low = pi_high = None
    if k >= 3:
        half = float(stats.t.ppf(0.975, k - 2)) * math.sqrt(tau2 + se * se)
        pi_low, pi_high = _natural(statistic, mu - half), _natural(statistic, mu + half)
    return Estimate(method, _natural(statistic, mu), _natural(statistic, mu - Z95 * se),
                    _natural(statistic, mu + Z95 * se), tau2, tuple(float(x) for x in w / w.sum()), pi_low, pi_high)


def pool(effects: Sequence[Effect]) -> Pooled:
    """Pool study effects of one statistic; a single study is returned as its own estimate."""
    if not effects:
        raise ValueError("nothing to pool")
    statistic = effects[0].statistic
    if any(e.statistic != statistic for e in effects):
        raise ValueError("effects of different statistics cannot be pooled: "
                         + ", ".join(sorted({e.statistic for e in effects})))
    y = np.array([e.y for e in effects], dtype=float)
    v = np.array([e.variance for e in effects], dtype=float)
    if np.any(v <= 0):
        raise ValueError("every effect needs a positive variance")
    people = [e.participants for e in effects]
    participants = sum(p for p in people if p) if any(people) else None
    k = len(effects)
    if k == 1:
        e = effects[0]
        lo, hi = e.ci
        single = tuple(Estimate(m, e.estimate, lo, hi, 0.0, (1.0,)) for m in METHODS)
        return Pooled(statistic, 1, participants, tuple(effects), 0.0, 0, None, 0.0, single)
    from scipy import stats
    from statsmodels.stats.meta_analysis import combine_effects

    with np.errstate(invalid="ignore", divide="ignore"):  # a negative raw DL tau² (truncated below) warns
        dl = combine_effects(y, v, method_re="dl")
        pm = combine_effects(y, v, method_re="pm")
    fe_mu, fe_se = float(dl.mean_effect_fe), float(dl.sd_eff_w_fe)
    common = Estimate(METHODS[0], _natural(statistic, fe_mu), _natural(statistic, fe_mu - Z95 * fe_se),
                      _natural(statistic, fe_mu + Z95 * fe_se), 0.0, tuple(float(x) for x in dl.weights_rel_fe))
    q, df = float(dl.q), k - 1
    i2 = max(0.0, (q - df) / q * 100) if q > 0 else 0.0
    return Pooled(statistic, k, participants, tuple(effects), q, df, float(stats.chi2.sf(q, df)), i2,
                  (common, _random(y, v, float(dl.tau2), statistic, METHODS[1]),
                   _random(y, v, float(pm.tau2), statistic, METHODS[2])))
