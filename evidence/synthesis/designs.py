"""Synthesis stage, where a body of evidence starts: GRADE's starting level follows the design of the studies.

GRADE starts randomised evidence high and observational evidence low. A systematic review or meta-analysis
is not a design of its own for this purpose: it starts where the studies it pools start. What it pools is
read from ``studies.csv``:

1. ``included_designs`` when the curator recorded it from the review itself (its abstract says "randomised
   controlled trials" or "observational studies"): ``randomised``, ``non_randomised`` or ``mixed``;
2. else the designs of the studies its ``includes`` lists, but only as far as they tell: one non-randomised
   study among them makes it ``mixed`` (or ``non_randomised``), while "all randomised" is believed only when
   the list is complete (as many citekeys as ``studies_included``);
3. else ``unknown``.

A review that pools non-randomised studies, or whose included designs are unknown, is not assumed to be
randomised: it starts low and says why. Starting a review of unknown content high would let a pooled
observational estimate read as trial evidence; starting it low can only understate it, and the reason
names the field that would lift it.
"""

from __future__ import annotations

import math
from typing import Mapping

import pandas as pd

from ..read.tables import INCLUDED_DESIGNS, split_list

RANDOMISED_DESIGNS = ("rct", "split_face_rct")
REVIEWS = ("meta_analysis", "systematic_review")
Kind = tuple[str, str]  # (randomised | non_randomised | mixed | unknown, how it is known)
PHRASE = {"randomised": "of randomised trials", "non_randomised": "of non-randomised studies",
          "mixed": "pooling randomised and non-randomised studies", "unknown": "design of included studies not recorded"}


def _text(row: Mapping[str, object], key: str) -> str:
    v = row.get(key)
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v).strip()


def _int(row: Mapping[str, object], key: str) -> int | None:
    v = _text(row, key)
    try:
        return int(float(v)) if v else None
    except ValueError:
        return None


def included_kind(review: Mapping[str, object], designs: Mapping[str, str]) -> Kind:
    """What a review pools, and how that is known (the words shown in the certainty's reasons)."""
    stated = _text(review, "included_designs")
    if stated in INCLUDED_DESIGNS:
        return stated, "included designs recorded in studies.csv"
    raw = review.get("includes")
    listed = list(raw) if isinstance(raw, (list, tuple)) else split_list(raw)
    if not listed:
        return "unknown", "studies.csv records neither included_designs nor includes"
    kinds = [designs.get(k, "") for k in listed]
    randomised = sum(k in RANDOMISED_DESIGNS for k in kinds)
    others = len(kinds) - randomised
    if others:
        kind = "mixed" if randomised else "non_randomised"
        return kind, f"{others} of its {len(kinds)} listed included studies are not randomised (includes)"
    total = _int(review, "studies_included")
    if total is not None and total == len(listed):
        return "randomised", f"all {total} included studies are randomised (includes)"
    of = f"{len(listed)} of its {total}" if total is not None else f"{len(listed)} of an unrecorded number of its"
    return "unknown", f"only {of} included studies are in this library (includes); the others' designs are not known"


def review_kinds(studies: pd.DataFrame) -> dict[str, Kind]:
    """Every review's included designs, by citekey (the grader's look-up)."""
    if studies.empty or "design" not in studies:
        return {}
    rows = studies.astype(object).where(studies.notna(), None).to_dict("records")
    designs = {str(r["citekey"]): str(r["design"]) for r in rows if r.get("citekey") and r.get("design")}
    return {str(r["citekey"]): included_kind(r, designs) for r in rows
            if r.get("citekey") and r.get("design") in REVIEWS}


def kind_of(claim: Mapping[str, object], reviews: Mapping[str, Kind]) -> Kind | None:
    """A review claim's included designs (from the look-up, else from the claim's own fields); None for a
    primary study."""
    if _text(claim, "design") not in REVIEWS:
        return None
    return reviews.get(_text(claim, "citekey")) or included_kind(claim, {})


def starts_randomised(claim: Mapping[str, object], reviews: Mapping[str, Kind]) -> bool:
    """Randomised evidence: a randomised trial, or a review that pools only randomised trials."""
    kind = kind_of(claim, reviews)
    return _text(claim, "design") in RANDOMISED_DESIGNS or (kind is not None and kind[0] == "randomised")


def design_label(claim: Mapping[str, object], reviews: Mapping[str, Kind]) -> str:
    """'rct', 'meta analysis of randomised trials', 'systematic review (design of included studies not recorded)'."""
    design = _text(claim, "design").replace("_", " ")
    kind = kind_of(claim, reviews)
    if kind is None:
        return design
    return f"{design} {PHRASE[kind[0]]}" if kind[0] != "unknown" else f"{design} ({PHRASE['unknown']})"


__all__ = ["INCLUDED_DESIGNS", "RANDOMISED_DESIGNS", "REVIEWS", "design_label", "included_kind", "kind_of",
           "review_kinds", "starts_randomised"]
