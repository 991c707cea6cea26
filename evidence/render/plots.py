"""Render stage, plots: forest plots of effect estimates as geometry for a static SVG.

A page context computes every coordinate here; the template only prints ``<line>`` and
``<rect>`` elements from it, so the plot needs no JavaScript and no external resource.
One plot per unit (a risk ratio and a mean difference cannot share an axis); ratios are
drawn on a log scale with the line of no effect at 1, differences on a linear scale with
the line at 0. Every plot carries a text alternative stating each estimate and interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping

RATIO_UNITS = {"odds_ratio", "risk_ratio"}
DIFFERENCE_UNITS = {"mean_difference", "smd"}
UNIT_TITLES = {
    "odds_ratio": "Odds ratios", "risk_ratio": "Risk ratios", "mean_difference": "Mean differences",
    "smd": "Standardised mean differences", "percent": "Percentages", "points": "Points", "grades": "Grades",
    "score": "Scores", "days": "Days", "weeks": "Weeks", "months": "Months", "sessions": "Sessions",
}
UNIT_NOUN = {"odds_ratio": "odds ratio", "risk_ratio": "risk ratio", "mean_difference": "mean difference",
             "smd": "standardised mean difference"}

# Geometry, in SVG user units (the SVG scales to its container).
WIDTH, LABEL_RIGHT, PLOT_LEFT, PLOT_RIGHT, VALUE_LEFT = 760, 200, 214, 560, 574
ROW, TOP, AXIS_SPACE = 26, 12, 52


@dataclass(frozen=True)
class Estimate:
    label: str  # "Zhang 2021"
    detail: str  # what was measured, against what
    href: str  # the claim on its study page (relative to the site root)
    text: str  # "1.08 (95% CI 0.90 to 1.30)"
    sentence: str  # the text alternative's line for this estimate
    y: float
    x: float
    x_low: float
    x_high: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class ForestPlot:
    id: str
    title: str
    scale: str  # log | linear
    width: int
    height: int
    top: int
    axis_y: float
    tick_end: float
    tick_label_y: float
    axis_title: str  # "risk ratio (log scale)"
    axis_title_x: float
    axis_title_y: float
    plot_left: int
    plot_right: int
    label_right: int
    value_left: int
    estimates: tuple[Estimate, ...]
    ticks: tuple[Tick, ...]
    null_x: float | None
    summary: str  # one sentence: what is plotted, on which scale, where no effect lies


def fmt(value: float) -> str:
    """Numbers as people write them: 1.08, 65, 0.5 (no float noise, no trailing zeros)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _interval_text(c: Mapping[str, object]) -> str:
    kind = "95% CI" if c.get("interval") == "ci95" else "range"
    unit = "%" if c["unit"] == "percent" else ""
    return f"{fmt(c['value'])}{unit} ({kind} {fmt(c['low'])}{unit} to {fmt(c['high'])}{unit})"


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / max(target, 1)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * power:
            return mult * power
    return 10 * power


def _linear_ticks(lo: float, hi: float) -> tuple[float, float, list[float]]:
    if hi <= lo:
        lo, hi = lo - 1, hi + 1
    step = _nice_step(hi - lo)
    start, end = math.floor(lo / step) * step, math.ceil(hi / step) * step
    ticks = [round(start + i * step, 10) for i in range(int(round((end - start) / step)) + 1)]
    return start, end, ticks


def _log_ticks(lo: float, hi: float) -> tuple[float, float, list[float]]:
    candidates = [m * 10 ** e for e in range(-4, 5) for m in (1, 2, 5)]
    lo_t = max([t for t in candidates if t <= lo] or [candidates[0]])
    hi_t = min([t for t in candidates if t >= hi] or [candidates[-1]])
    ticks = [t for t in candidates if lo_t <= t <= hi_t]
    if len(ticks) > 7:  # keep the powers of ten only, so labels do not collide
        ticks = [t for t in ticks if math.isclose(math.log10(t), round(math.log10(t)))] or ticks[::2]
    return lo_t, hi_t, ticks


def forest_plots(claims: Iterable[Mapping[str, object]], id_prefix: str) -> list[ForestPlot]:
    """One plot per unit, over the claims that give a value with both bounds (in the given order)."""
    groups: dict[str, list[Mapping[str, object]]] = {}
    for c in claims:
        if c.get("unit") and all(c.get(k) is not None for k in ("value", "low", "high")):
            groups.setdefault(str(c["unit"]), []).append(c)
    plots = []
    for unit in sorted(groups):
        rows = groups[unit]
        log = unit in RATIO_UNITS and all(float(c["low"]) > 0 and float(c["value"]) > 0 for c in rows)
        null = 1.0 if unit in RATIO_UNITS else 0.0 if unit in DIFFERENCE_UNITS else None
        values = [float(c[k]) for c in rows for k in ("low", "value", "high")] + ([null] if null is not None else [])
        if log:
            lo, hi, ticks = _log_ticks(min(values), max(values))
            tx = lambda v: math.log10(v)  # noqa: E731
        else:
            lo, hi, ticks = _linear_ticks(min(values), max(values))
            tx = lambda v: v  # noqa: E731
        span = (tx(hi) - tx(lo)) or 1.0

        def x_of(v: float) -> float:
            """Position on the axis, kept inside the plot area (the text states the true value)."""
            if log and v <= 0:
                return float(PLOT_LEFT)
            pos = PLOT_LEFT + (tx(v) - tx(lo)) / span * (PLOT_RIGHT - PLOT_LEFT)
            return round(min(max(pos, PLOT_LEFT), PLOT_RIGHT), 1)

        estimates = []
        for i, c in enumerate(rows):
            label = f"{i + 1}. {c.get('first_author') or c['citekey']} {c.get('year') or ''}".strip()
            detail = str(c.get("measure") or c.get("outcome") or "")
            if c.get("comparator_label"):
                detail += f" vs {c['comparator_label']}"
            x, x_low, x_high = (x_of(float(c[k])) for k in ("value", "low", "high"))
            text = _interval_text(c)
            noun = UNIT_NOUN.get(unit, "estimate")
            estimates.append(Estimate(label, detail, str(c.get("href") or ""), text,
                                      f"{label}: {noun} {text}" + (f", {detail}" if detail else ""),
                                      TOP + i * ROW + ROW / 2, x, x_low, x_high))
        axis_y = TOP + len(rows) * ROW + 4
        null_x = x_of(null) if null is not None and lo <= null <= hi else None
        title = UNIT_TITLES.get(unit, unit.replace("_", " ").capitalize())
        summary = (f"{title} from {len(rows)} finding{'s' if len(rows) != 1 else ''}, each a point with its interval, "
                   f"on a {'logarithmic' if log else 'linear'} scale from {fmt(lo)} to {fmt(hi)}"
                   + (f"; the dashed line at {fmt(null)} marks no difference." if null_x is not None else "."))
        plots.append(ForestPlot(f"{id_prefix}-{unit.replace('_', '-')}", title, "log" if log else "linear", WIDTH,
                                int(axis_y + AXIS_SPACE), TOP, axis_y, axis_y + 5, axis_y + 19,
                                f"{UNIT_NOUN.get(unit, title.lower())} ({'log' if log else 'linear'} scale)",
                                (PLOT_LEFT + PLOT_RIGHT) / 2, axis_y + 38, PLOT_LEFT, PLOT_RIGHT, LABEL_RIGHT, VALUE_LEFT,
                                tuple(estimates), tuple(Tick(x_of(t), fmt(t)) for t in ticks), null_x, summary))
    return plots
