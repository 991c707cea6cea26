"""Synthesis stage, certainty: GRADE-lite for one body of evidence (one intervention, one outcome).

Every step leaves a reason in words, as a GRADE evidence profile does:

- start: high when the results come from randomised trials (or from reviews that pool only randomised
  trials, see designs.py), low when they come from non-randomised or observational studies, or from a
  review whose included designs are mixed or not recorded; very low when only background statements or
  narrative reviews / opinion carry it;
- risk of bias: down one when a contributing study is recorded at high risk (studies.csv
  ``risk_of_bias`` with ``risk_of_bias_reason``);
- inconsistency: down one when the pooled I² is 50 % or more, or results point in opposite directions;
- imprecision: down one when the interval crosses no effect, one more when fewer than 400 people
  (GRADE's rule-of-thumb optimal information size) stand behind that interval (the pooled participants,
  or the single result's); with no interval at all, judged on the people of primary studies alone (a
  review's total is not the people of one outcome); down one when that number is not known either
  (reaching the optimal information size cannot be shown);
- indirectness: down one when the results mix interventions or comparators, or rest on the authors'
  conclusions rather than on reported results;
- publication bias: down one when the evidence is three or fewer small studies (each under 100
  people) and at least one is industry-funded;
- large effect: up one, only for non-randomised evidence with no reason to rate down, when a ratio is
  at least 2 (or at most 0.5) and its interval excludes 1.
"""

from __future__ import annotations

import math
import re
from typing import Iterable, Mapping, Sequence

from ..model import CERTAINTY_LEVELS, Certainty, Grader
from .comparisons import Comparison
from .designs import PHRASE, Kind, design_label, kind_of, starts_randomised
from .effects import RATIOS, effect_of_claim

Claim = Mapping[str, object]
NOT_STUDIES = ("narrative_review", "guideline", "expert_opinion")
OPTIMAL_INFORMATION_SIZE = 400
INDUSTRY = re.compile(r"industr|company|compan|inc\b|ltd|corporation|sponsor|manufacturer", re.I)


def _text(c: Claim, key: str) -> str:
    v = c.get(key)
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _int(c: Claim, key: str) -> int | None:
    """A count, or None when missing (None raises TypeError, NaN ValueError), not a number, or infinite
    (OverflowError: an infinite count used to stop the whole grading)."""
    try:
        return int(c.get(key))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


Interval = tuple[float, float, float, str, "int | None"]  # low, high, no-effect value, words, people behind it


def _interval(claims: Sequence[Claim], pooled: Comparison | None) -> Interval | None:
    """The estimate that judges precision: the pooled random-effects one, else the most precise single one,
    with the number of people behind it."""
    if pooled and pooled.pooled:
        r = pooled.pooled.random
        null = 1.0 if pooled.statistic in RATIOS else 0.0
        return r.ci_low, r.ci_high, null, f"pooled {pooled.statistic.replace('_', ' ')} {r.estimate:.2f} " \
                                           f"(95% CI {r.ci_low:.2f} to {r.ci_high:.2f})", pooled.pooled.participants
    best = None
    for c in claims:
        try:
            e = effect_of_claim(c)
        except ValueError:
            continue
        if e is not None and (best is None or e.variance < best[0].variance):
            best = (e, c)
    if best is None:
        return None
    e, c = best
    lo, hi = e.ci
    null = 1.0 if e.statistic in RATIOS else 0.0
    return lo, hi, null, f"{_text(c, 'claim_id')} {e.statistic.replace('_', ' ')} {e.estimate:.2f} " \
                         f"(95% CI {lo:.2f} to {hi:.2f})", e.participants


def _imprecision(body: Sequence[Claim], interval: Interval | None, people: Mapping[str, int | None],
                 reviews: Mapping[str, Kind]) -> tuple[int, list[str]]:
    """Steps down for imprecision (0-2) and their reasons.

    The optimal information size is judged on the people behind the estimate that judges precision: the
    pooled participants, or those of the single result whose interval it is. Without any interval, only
    the people of primary studies count: a review's total is everyone in it, not the people who gave this
    outcome. When the number is not known, reaching the optimal information size cannot be shown and the
    evidence is rated down, as GRADE does when the information size is not met."""
    steps, said = 0, []
    if interval and interval[0] <= interval[2] <= interval[1]:
        steps = 1
        said.append(f"imprecision: down one, the interval crosses no effect ({interval[3]})")
    elif interval:
        said.append(f"imprecision: the interval excludes no effect ({interval[3]})")
    if interval:
        size = interval[4]
    else:
        in_reviews = {_text(c, "citekey") for c in body if kind_of(c, reviews) is not None}
        primary = [n for key, n in people.items() if key not in in_reviews and n]
        size = sum(primary) if primary else None
        said.append("imprecision: no result gives an estimate with a 95% CI; judged on the participants of "
                    "primary studies" + (", not on reviews' totals (not the people of this outcome)"
                                         if in_reviews else ""))
    if size is not None and size < OPTIMAL_INFORMATION_SIZE:
        steps += 1
        said.append(f"imprecision: down one, {size} participants (fewer than {OPTIMAL_INFORMATION_SIZE})"
                    + (" behind that interval" if interval else ""))
    elif size is None:
        steps += 1
        said.append("imprecision: down one, " + ("the participants behind that interval are not reported"
                                                 if interval else "no interval and no count of participants "
                                                                  "in a primary study")
                    + f", so reaching {OPTIMAL_INFORMATION_SIZE} participants cannot be shown")
    return steps, said


def grade_body(claims: Sequence[Claim], comparisons: Iterable[Comparison] = (),
               reviews: Mapping[str, Kind] | None = None) -> Certainty:
    """The certainty of the evidence these claims give, with a reason for every step.

    ``reviews`` (citekey -> what the review pools, from :func:`designs.review_kinds`) sets where a
    review's results start; without it a review claim's own ``included_designs`` / ``includes`` decide."""
    reviews = reviews or {}
    if not claims:
        return Certainty("none", ("no evidence",))
    checked = [c for c in claims if _text(c, "status") != "unverified"] or list(claims)
    results = [c for c in checked if _text(c, "basis") in ("", "result") and _text(c, "design") not in NOT_STUDIES]
    conclusions = [c for c in checked if _text(c, "basis") == "conclusion" and _text(c, "design") not in NOT_STUDIES]
    body = results or conclusions
    outcome = _text(claims[0], "outcome")
    studies = sorted({_text(c, "citekey") for c in (body or checked)})
    people = {k: _int(c, "n") for c in (body or checked) for k in [_text(c, "citekey")]}
    known = [p for p in people.values() if p]
    participants = sum(known) if known else None
    reasons: list[str] = []
    if len(checked) < len(claims):
        reasons.append(f"{len(claims) - len(checked)} unverified claim(s) counted apart")
    if not body:
        what = "background statements" if all(_text(c, "basis") == "background" for c in checked) else \
            "narrative reviews, guidelines or opinion"
        return Certainty("very low", tuple(reasons + [f"very low: rests only on {what}, not on study results"]),
                         outcome, len(studies), participants)
    randomised = [c for c in body if starts_randomised(c, reviews)]
    score = 4 if randomised else 2
    designs = sorted({design_label(c, reviews) for c in randomised or body})
    chosen = {id(c) for c in randomised}  # by identity: `c not in randomised` compared dicts, quadratic at scale
    others = sorted({design_label(c, reviews) for c in body if id(c) not in chosen}) if randomised else []
    reasons.append(f"starts {'high' if randomised else 'low'}: {'randomised' if randomised else 'non-randomised'} "
                   f"evidence ({', '.join(designs)})" + (f"; also non-randomised results ({', '.join(others)})"
                                                           if others else ""))
    for key, kind in sorted({_text(c, "citekey"): kind_of(c, reviews) for c in body if id(c) not in chosen}.items()):
        if kind is not None:  # a review that did not start high says why not
            reasons.append(f"start: {key} is not taken as randomised evidence: {PHRASE[kind[0]]} ({kind[1]})")
    down = 0
    keys = {_text(c, "claim_id") for c in body}
    pooled = next((p for p in comparisons if keys & set(p.claims) and p.pooled), None)
    # risk of bias
    high = sorted({f"{_text(c, 'citekey')} ({_text(c, 'risk_of_bias_reason') or 'no reason recorded'})"
                   for c in body if _text(c, "risk_of_bias") == "high"})
    if high:
        down = 1  # the first step that can rate down
        reasons.append("risk of bias: down one, high risk in " + "; ".join(high))
    elif any(_text(c, "risk_of_bias") for c in body):
        reasons.append("risk of bias: no study recorded at high risk")
    else:
        reasons.append("risk of bias: not assessed (no study records it); not rated down")
    # inconsistency
    directions = {_text(c, "direction") for c in body} & {"favours_treatment", "favours_comparator"}
    if pooled and pooled.pooled and pooled.pooled.i2 >= 50:
        down += 1
        reasons.append(f"inconsistency: down one, I² = {pooled.pooled.i2:.0f}% across {pooled.pooled.k} studies")
    elif len(directions) == 2:
        down += 1
        reasons.append("inconsistency: down one, results point in opposite directions")
    elif len(studies) == 1:
        reasons.append("inconsistency: a single study, cannot be judged")
    else:
        reasons.append("inconsistency: results point the same way" + (
            f" (I² = {pooled.pooled.i2:.0f}%)" if pooled and pooled.pooled else ""))
    # imprecision
    interval = _interval(body, pooled)
    imprecise, said = _imprecision(body, interval, people, reviews)
    reasons.extend(said)
    down += imprecise
    # indirectness
    # (a body that mixes interventions is judged against the statement, which may name a class of them; mixed
    # comparators inside one pooled comparison are the indirectness the data can show)
    mixed = [n for p in ([pooled] if pooled else []) for n in p.notes if n.startswith("comparators differ")]
    if mixed:
        down += 1
        reasons.append(f"indirectness: down one, {mixed[0]}")
    elif not results:
        down += 1
        reasons.append("indirectness: down one, rests on the authors' conclusions, not on reported results")
    else:
        reasons.append("indirectness: intervention and comparator as recorded")
    # publication bias
    sizes = [people.get(k) for k in studies]
    industry = sorted({_text(c, "citekey") for c in body if INDUSTRY.search(_text(c, "funding"))})
    if len(studies) <= 3 and all(s is None or s < 100 for s in sizes) and industry:
        down += 1
        reasons.append(f"publication bias: down one, few small studies, industry-funded ({', '.join(industry)})")
    else:
        reasons.append("publication bias: not suspected from size and funding")
    # large effect (non-randomised evidence only, never when rated down)
    if not randomised and down == 0 and interval and interval[2] == 1.0 and (
            interval[0] >= 2 or interval[1] <= 0.5):
        score += 1
        reasons.append(f"large effect: up one ({interval[3]})")
    final = max(1, score - down)  # never above high: only non-randomised evidence (from low) is lifted
    level = CERTAINTY_LEVELS[final - 1]
    if not pooled and all(kind_of(c, reviews) is not None for c in body):
        reasons.append(f"{level}: rests on what {len(studies)} review(s) report, with no pooled estimate here and no "
                       f"primary result; it starts {'high' if randomised else 'low'} as their included designs do "
                       "and moves only for the steps above")
    return Certainty(level, tuple(reasons), outcome, len(studies), participants)


def grader(comparisons: Sequence[Comparison], reviews: Mapping[str, Kind] | None = None) -> Grader:
    """A grader for the check stage that knows the pooled estimates and what each review pools."""
    def grade(claims: Sequence[Claim]) -> Certainty:
        return grade_body(claims, comparisons, reviews)
    return grade


__all__ = ["Certainty", "grade_body", "grader"]
