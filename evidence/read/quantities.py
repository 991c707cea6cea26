"""Quantities asserted by statements and reported by claims, and whether they agree.

An asserted quantity is an interval: "more than 80 percent" is (80, inf), "about two weeks"
is 14 days +/- 25 %, "up to a year" is [0, 12] months. Two quantities agree when their
intervals overlap once converted to a common unit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

TIME_IN_DAYS = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
ABOUT = 0.25  # "about two weeks" accepts 10.5 to 17.5 days

_QUANTITY = re.compile(
    r"^\s*(?P<op>>=|<=|>|<|~)?\s*(?P<low>\d+(?:\.\d+)?)\s*(?:-\s*(?P<high>\d+(?:\.\d+)?))?\s*(?P<unit>[a-z_]+)\s*$"
)


@dataclass(frozen=True)
class Quantity:
    low: float
    high: float
    unit: str
    text: str
    low_open: bool = False
    high_open: bool = False

    @property
    def dimension(self) -> str:
        return "time" if self.unit in TIME_IN_DAYS else self.unit

    def in_base(self) -> tuple[float, float]:
        factor = TIME_IN_DAYS.get(self.unit, 1.0)
        return self.low * factor, self.high * factor

    def overlaps(self, other: "Quantity") -> bool:
        a_low, a_high = self.in_base()
        b_low, b_high = other.in_base()
        if a_high < b_low or b_high < a_low:
            return False
        # touching endpoints only count when neither side is open there
        if a_high == b_low and (self.high_open or other.low_open):
            return False
        if b_high == a_low and (other.high_open or self.low_open):
            return False
        return True


def parse_quantity(text: str, units: tuple[str, ...]) -> Quantity:
    """Parse ``[op]value[-high] unit``; raises ValueError with a message an editor can act on."""
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a quantity; write e.g. '>80 percent', '~2 weeks', '3-18 months'")
    op, unit = match["op"] or "", match["unit"]
    low = float(match["low"])
    high = float(match["high"]) if match["high"] else low
    if unit not in units:
        raise ValueError(f"unit '{unit}' is unknown; use one of: {', '.join(units)}")
    if match["high"] and op:
        raise ValueError(f"'{text}': a range takes no operator")
    if high < low:
        raise ValueError(f"'{text}': the range is reversed")
    if op == ">":
        return Quantity(low, math.inf, unit, text, low_open=True)
    if op == ">=":
        return Quantity(low, math.inf, unit, text)
    if op == "<":
        return Quantity(0.0, low, unit, text, high_open=True)
    if op == "<=":
        return Quantity(0.0, low, unit, text)
    if op == "~":
        return Quantity(low * (1 - ABOUT), low * (1 + ABOUT), unit, text)
    return Quantity(low, high, unit, text)


def claim_quantity(value: float | None, low: float | None, high: float | None, unit: str | None) -> Quantity | None:
    """A claim's number as an interval: its range when given, else its point value."""
    if not unit:
        return None
    lo = low if low is not None and not math.isnan(low) else None
    hi = high if high is not None and not math.isnan(high) else None
    val = value if value is not None and not math.isnan(value) else None
    if lo is None and hi is None and val is None:
        return None
    if lo is not None or hi is not None:
        lo = lo if lo is not None else (val if val is not None else hi)
        hi = hi if hi is not None else (val if val is not None else lo)
        text = f"{_fmt(lo)}-{_fmt(hi)} {unit}" if lo != hi else f"{_fmt(lo)} {unit}"
        if val is not None and lo != hi:
            text = f"{_fmt(val)} ({_fmt(lo)}-{_fmt(hi)}) {unit}"
        return Quantity(float(lo), float(hi), unit, text)
    return Quantity(float(val), float(val), unit, f"{_fmt(val)} {unit}")


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
