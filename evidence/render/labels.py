"""Render stage, labels: how the site names verdicts, relations, designs and numbers.

One place for the words a reader sees, so every page says "partly supported" and
"randomised controlled trial" the same way, and file names derived from data are safe.
"""

from __future__ import annotations

import re
from typing import Mapping

import pandas as pd

VERDICT_LABEL = {"supported": "Supported", "partly_supported": "Partly supported", "overstated": "Overstated",
                 "unsupported": "Unsupported",
                 "contradicted": "Contradicted", "not_checkable": "Not checkable"}
VERDICT_ICON = {"supported": "✓", "partly_supported": "◐", "overstated": "▲", "unsupported": "?", "contradicted": "✗",
                "not_checkable": "–"}
RELATION_LABEL = {"contradicts": "contradicts", "supports": "supports", "partly": "partly supports",
                  "context": "context"}
RELATION_ORDER = {"contradicts": 0, "supports": 1, "partly": 2, "context": 3}
DESIGN_LABEL = {"meta_analysis": "meta-analysis", "systematic_review": "systematic review",
                "rct": "randomised controlled trial", "split_face_rct": "split-face RCT",
                "non_randomised_trial": "non-randomised trial"}
COMPARATOR_LABEL = {"no_treatment": "no treatment", "placebo": "placebo", "baseline": "baseline"}
NOTICE_LABEL = {"retraction": "Retraction", "partial_retraction": "Partial retraction", "withdrawal": "Withdrawal",
                "removal": "Removal", "correction": "Correction", "expression_of_concern": "Expression of concern",
                "new_version": "New version", "addendum": "Addendum", "clarification": "Clarification"}
_SAFE = re.compile(r"[^a-z0-9_-]+")


def safe_name(value: object) -> str:
    """A file name derived from data: lower-case, no path separators, never empty."""
    cleaned = _SAFE.sub("-", str(value).lower()).strip("-.")
    return cleaned[:80] or "item"


def num(value: object) -> str:
    """A number as text: '' for missing, no '.0' on whole numbers, three significant digits otherwise."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):  # NaN; pd.isna costs 10x
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.3g}"
    return str(value)


def design_label(design: object) -> str:
    return DESIGN_LABEL.get(str(design), str(design or "").replace("_", " "))


def claim_number(c: Mapping[str, object]) -> str:
    """'65%', '1.08 (95% CI 0.9–1.3) risk_ratio', '5–7 days'; '' when the claim has no number."""
    if not c.get("unit"):
        return ""
    value, low, high = c.get("value"), c.get("low"), c.get("high")
    parts = []
    if value is not None:
        parts.append(num(value))
    if low is not None or high is not None:
        rng = f"{num(low)}–{num(high)}"
        parts.append(f"({'95% CI ' if c.get('interval') == 'ci95' else ''}{rng})" if value is not None else rng)
    unit = {"percent": "%"}.get(str(c["unit"]), f" {str(c['unit']).replace('_', ' ')}")
    return " ".join(parts) + unit if parts else ""
