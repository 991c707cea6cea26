"""Synthesis stage, comparisons: which study results may be pooled together, and which may not.

A comparison is (intervention, comparator, outcome, measure, statistic). The measure is the claim's
``endpoint`` when the curator gave one (a short name shared by results meant to be pooled, e.g.
``excellent response``), else its free-text ``measure``: results are pooled only when someone said
they measure the same thing. Only verified results (basis ``result``) take part.

Double counting is refused, never averaged away: a meta-analysis is pooled only when its ``includes``
list (studies.csv) is known and shares no study with anything else in the comparison; otherwise it is
left out and the reason is kept, so the page can show the overlap instead of a number built on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .effects import Effect, effect_of_claim
from .pooling import Pooled, pool

REVIEWS = ("meta_analysis", "systematic_review")
Claim = Mapping[str, object]


@dataclass(frozen=True)
class Comparison:
    treatment: str
    comparator: str
    outcome: str
    measure: str
    statistic: str
    pooled: Pooled | None  # None when fewer than two results remain
    claims: tuple[str, ...]  # the claims pooled, in the order of pooled.effects
    studies: tuple[str, ...]
    excluded: tuple[str, ...]  # "claim_id: why", for every candidate left out
    notes: tuple[str, ...]


def _text(c: Claim, key: str) -> str:
    v = c.get(key)
    return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()


def measure_key(c: Claim) -> str:
    return (_text(c, "endpoint") or _text(c, "measure")).lower()


def _candidates(claims: Iterable[Claim]) -> dict[tuple[str, ...], list[tuple[Claim, Effect]]]:
    groups: dict[tuple[str, ...], list[tuple[Claim, Effect]]] = {}
    for c in claims:
        if _text(c, "basis") not in ("", "result"):
            continue
        try:
            effect = effect_of_claim(c)
        except ValueError:
            continue  # the validate stage reports impossible numbers; they are never pooled
        if effect is None or not _text(c, "treatment"):
            continue
        key = (_text(c, "treatment"), _text(c, "comparator"), _text(c, "outcome"), measure_key(c), effect.statistic)
        groups.setdefault(key, []).append((c, effect))
    return groups


def _select(members: Sequence[tuple[Claim, Effect]]) -> tuple[list[tuple[Claim, Effect]], list[str], list[str]]:
    """The results that can be pooled without counting a study twice, and why the others cannot."""
    kept: list[tuple[Claim, Effect]] = []
    excluded, notes = [], []
    seen: set[str] = set()
    ordered = sorted(members, key=lambda m: (_text(m[0], "design") in REVIEWS, _text(m[0], "claim_id")))
    primaries = {_text(c, "citekey") for c, _ in ordered if _text(c, "design") not in REVIEWS}
    reviews_in: dict[str, set[str]] = {}
    for c, _ in ordered:
        if _text(c, "design") in REVIEWS and c.get("includes"):
            reviews_in[_text(c, "citekey")] = set(c["includes"])  # type: ignore[arg-type]
    for c, effect in ordered:
        cid, key = _text(c, "claim_id"), _text(c, "citekey")
        if _text(c, "status") == "unverified":
            excluded.append(f"{cid}: unverified (not yet checked against its source)")
            continue
        if key in seen:
            excluded.append(f"{cid}: {key} already contributes a result to this comparison")
            continue
        if _text(c, "design") in REVIEWS:
            inside = reviews_in.get(key)
            if inside is None:
                excluded.append(f"{cid}: {key} is a meta-analysis whose included studies are not recorded "
                                "(studies.csv 'includes'), so it cannot be pooled with other results")
                continue
            overlap = sorted(inside & (primaries | seen))
            others = sorted(o for o, inc in reviews_in.items() if o != key and inc & inside and o in seen)
            if overlap or others:
                excluded.append(f"{cid}: {key} already includes {', '.join(overlap + others)}; "
                                "pooling it again would count those participants twice")
                notes.append(f"overlap: {key} includes {', '.join(overlap + others)}")
                continue
        kept.append((c, effect))
        seen.add(key)
    return kept, excluded, notes


def pooled_estimates(claims: Iterable[Claim]) -> list[Comparison]:
    """Every comparison with two or more candidate results, pooled where two or more remain."""
    out = []
    for key, members in sorted(_candidates(claims).items()):
        if len(members) < 2:
            continue
        kept, excluded, notes = _select(members)
        pooled = pool([e for _, e in kept]) if len(kept) >= 2 else None
        if pooled is None:
            notes.append(f"not pooled: {len(kept)} result{'s' if len(kept) != 1 else ''} left after exclusions")
        comparators = {_text(c, "comparator_detail") for c, _ in kept} - {""}
        if len(comparators) > 1:
            notes.append("comparators differ in detail: " + "; ".join(sorted(comparators)))
        out.append(Comparison(*key, pooled, tuple(_text(c, "claim_id") for c, _ in kept),
                              tuple(_text(c, "citekey") for c, _ in kept), tuple(excluded), tuple(notes)))
    return out
