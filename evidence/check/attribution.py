"""Check stage, attributions: what a statement says about the study it cites, against that study.

"A 2007 meta-analysis of over 100 studies found…" makes four checkable assertions about its
source besides the finding: a year, a design, a size and (in "a 12-week trial") a duration.
Each is parsed from the statement's quote and compared with the study in its ``cites``
column: the bibliography's year, ``studies.csv``'s design, ``n`` and ``studies_included``,
its follow-up and the ``duration`` of its claims. Every disagreement is reported with both
values. The parser is deliberately narrow (a determiner, up to five modifiers, a singular
design word, then "of/with/involving … N unit" before the verb; the determiner within 80
characters before the design word, sizes, years and durations within 140 after it): a phrase it
does not recognise is not checked, rather than checked wrongly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import pandas as pd

from ..model import Statement
from ..read.quantities import ABOUT, Quantity, parse_quantity
from ..read.tables import UNITS
from .verdicts import DESIGN_LABEL

PRIMARY = ("rct", "split_face_rct", "non_randomised_trial", "cohort", "case_control", "cross_sectional",
           "case_series", "case_report")
REVIEWS = ("meta_analysis", "systematic_review", "narrative_review")
# the design word as an article writes it -> the studies.csv designs it may truthfully describe
DESIGN_WORDS: dict[str, tuple[str, ...]] = {
    "meta-analysis": ("meta_analysis",),
    "systematic review": ("systematic_review", "meta_analysis"),
    "review": REVIEWS,
    "randomised controlled trial": ("rct", "split_face_rct"),
    "split-face trial": ("split_face_rct", "non_randomised_trial"),
    "non-randomised trial": ("non_randomised_trial",),
    "trial": ("rct", "split_face_rct", "non_randomised_trial"),
    "cohort study": ("cohort",),
    "case-control study": ("case_control",),
    "cross-sectional study": ("cross_sectional",),
    "observational study": ("cohort", "case_control", "cross_sectional"),
    "case series": ("case_series",),
    "case report": ("case_report",),
    "guideline": ("guideline",),
    "study": PRIMARY,
}
_DESIGN = re.compile(
    r"\b(?P<design>meta[- ]?analysis|systematic review(?: and meta[- ]?analysis)?|cochrane review|"
    r"(?:literature |narrative )?review|rct|trial|(?:cohort|case[- ]control|cross-sectional|observational) study|"
    r"survey|case series|case report|guideline|study)\b", re.I)
_DETERMINER = re.compile(r"\b(?P<det>an?|one|the|this|that|another)\s+((?:[\w’',.-]+\s+){0,5})$", re.I)
_BACK_REFERENCE = ("the", "this", "that")  # "the study found…" refers back; checked only when it adds details
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "hundred": 100, "a hundred": 100, "dozen": 12, "a dozen": 12, "a thousand": 1000,
}
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + ")"
_QUALIFIER = (r"(?P<qual>over|more than|nearly|almost|about|around|roughly|approximately|some|fewer than|less than|"
              r"under|at least|up to|just over|just under)\s+")
_SIZE_UNITS = {"studies": "studies", "papers": "studies", "articles": "studies", "reports": "studies",
               "trials": "trials", "rcts": "trials"}
_PEOPLE = ("patients", "participants", "people", "persons", "adults", "women", "men", "children", "subjects",
           "volunteers", "individuals", "adolescents", "teenagers", "teens", "infants", "students")
_SIZE = re.compile(
    r"\b(?:of|with|involving|including|included|among|enrolling|enrolled|pooling|pooled|analy[sz]ing|analy[sz]ed|"
    r"covering|across|following|followed|recruited|on)\s+(?:data (?:from|on)\s+|a total of\s+)?(?:" + _QUALIFIER + r")?"
    r"(?P<num>" + _NUM + r")\s+(?:[a-z-]+\s+){0,3}?(?P<unit>" + "|".join([*_SIZE_UNITS, *_PEOPLE]) + r")\b", re.I)
_SIZE_BEFORE = re.compile(r"\b(?P<num>\d[\d,]*)[- ](?P<unit>patient|person|participant|people|study|trial)\b", re.I)
_DURATION = re.compile(r"\b(?P<num>" + _NUM + r")[- ](?P<unit>day|week|month|year)s?(?:[- ]long)?\b", re.I)
_DURATION_AFTER = re.compile(r"\b(?:lasting|over|for|during)\s+(?:" + _QUALIFIER + r")?(?P<num>" + _NUM +
                             r")[- ](?P<unit>day|week|month|year)s?\b", re.I)
_YEAR = re.compile(r"\b(?P<year>(?:19|20)\d{2})\b(?!-)")
_YEAR_AFTER = re.compile(r"\b(?:published|conducted|done|carried out|released|from|in)\s+(?:(?:early|late|mid-?)\s*)?"
                         r"(?P<year>(?:19|20)\d{2})\b", re.I)
# where the attribution ends and its finding begins
_END = re.compile(r"[.;:!?—(]|\b(?:found|finds|find|show(?:s|ed|n)?|report(?:s|ed)?|suggest(?:s|ed)?|conclud\w*|"
                  r"reveal\w*|demonstrat\w*|indicat\w*|sa(?:ys|id)|note[sd]?|confirm\w*|publish\w* in [A-Z]|"
                  r"that (?!included|enrolled|followed|pooled|analy))", re.I)


@dataclass(frozen=True)
class Attribution:
    """One attribution phrase of a statement, and what it asserts about its source."""

    phrase: str  # as written, e.g. "a 2007 meta-analysis of over 100 studies"
    design: str  # the design word, normalised to a key of DESIGN_WORDS
    year: int | None
    sizes: tuple[tuple[str, Quantity], ...]  # ("over 100 studies", quantity in studies | trials | participants)
    duration: Quantity | None  # a time quantity
    duration_text: str


@dataclass(frozen=True)
class StudyFacts:
    """What the library knows about one cited study."""

    citekey: str
    year: int | None
    design: str | None
    n: int | None
    studies_included: int | None
    follow_up_months: float | None
    durations: tuple[tuple[str, Quantity], ...] = ()  # (claim_id, duration) of the study's claims


@dataclass(frozen=True)
class AttributionCheck:
    """One compared field: agrees, disagrees, or cannot be checked (the source does not record it)."""

    slug: str
    statement_id: str
    phrase: str
    field: str  # year | design | size | duration
    citekey: str | None
    article: str
    source: str
    status: str  # agrees | disagrees | unknown

    @property
    def code(self) -> str:
        if self.field == "design" and self.article == "a study" and self.status == "disagrees":
            return "review-cited-as-study"  # the case the check began with; its code is kept
        return f"attribution-{self.field}"

    @property
    def message(self) -> str:
        head = f"{self.statement_id}: “{self.phrase}”"
        if self.status == "disagrees":
            return f"{head}: {self.field}: the article says {self.article}, but {self.citekey} {self.source}"
        if self.status == "agrees":
            return f"{head}: {self.field}: {self.article} agrees ({self.citekey} {self.source})"
        return f"{head}: {self.field}: the article says {self.article}; {self.citekey} does not record it"


def _number(text: str) -> float:
    word = text.lower()
    return float(_WORD_NUMBERS[word]) if word in _WORD_NUMBERS else float(text.replace(",", ""))


def _count(qualifier: str | None, value: float, unit: str, text: str) -> Quantity:
    """A count as an interval: 'over 100' is (100, inf); a plain '500' is 500 rounded, 450-549."""
    q = (qualifier or "").lower()
    if q in ("over", "more than", "just over"):
        return Quantity(value, math.inf, unit, text, low_open=True)
    if q == "at least":
        return Quantity(value, math.inf, unit, text)
    if q in ("fewer than", "less than", "under"):
        return Quantity(0.0, value, unit, text, high_open=True)
    if q == "up to":
        return Quantity(0.0, value, unit, text)
    if q in ("nearly", "almost", "just under"):
        return Quantity(value * (1 - ABOUT / 2), value, unit, text)
    if q:  # about, around, roughly, approximately, some
        return Quantity(value * (1 - ABOUT), value * (1 + ABOUT), unit, text)
    # a round number stands for its rounding (500 for 450-549), but never for more than 10 % either way
    digits = len(str(int(value))) - len(str(int(value)).rstrip("0")) if value >= 10 else 0
    half = min(10 ** digits / 2, value * 0.1) if digits else 0.0
    return Quantity(value - half, value + half - (1 if half >= 1 else 0), unit, text)


def _design_word(raw: str, modifiers: str) -> str:
    word = raw.lower().replace("meta analysis", "meta-analysis").replace("metaanalysis", "meta-analysis")
    mods = modifiers.lower()
    if word in ("rct",) or (word == "trial" and re.search(r"\brandomi[sz]ed\b", mods) and "non-random" not in mods):
        return "randomised controlled trial"
    if word == "trial" and "non-random" in mods:
        return "non-randomised trial"
    if word in ("trial", "study") and "split-face" in mods:
        return "split-face trial"
    if word == "study" and re.search(r"\bcase\s*$", mods):
        return "case report"
    if word == "study" and re.search(r"\bobservational\b", mods):
        return "observational study"
    if word.startswith("systematic review and"):
        return "meta-analysis"
    if word == "cochrane review":
        return "systematic review"
    if word in ("literature review", "narrative review"):
        return "review"
    if word == "survey":
        return "cross-sectional study"
    return word.replace("case control", "case-control")


def parse_attributions(text: str) -> list[Attribution]:
    """Every attribution phrase in ``text`` ("a 2023 study of 500 patients"), left to right."""
    found = []
    matches = list(_DESIGN.finditer(text))
    for i, m in enumerate(matches):
        det = _DETERMINER.search(text[max(0, m.start() - 80):m.start()])
        if not det:
            continue
        modifiers = det.group(2)
        start = m.start() - len(det.group(0))
        limit = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        tail = text[m.end():min(limit, m.end() + 140)]
        if stop := _END.search(tail):
            tail = tail[:stop.start()]
        used = 0  # how much of the tail the phrase covers
        year = _YEAR.search(modifiers)
        if not year and (year := _YEAR_AFTER.search(tail)):
            used = year.end()
        sizes: dict[str, tuple[str, Quantity]] = {}  # at most one count of studies and one of people
        for s in _SIZE.finditer(tail):
            unit = _SIZE_UNITS.get(s["unit"].lower(), "participants")
            kind = "people" if unit == "participants" else "studies"
            if kind not in sizes:
                size_text = s.group(0).split(None, 1)[1]
                sizes[kind] = (size_text, _count(s["qual"], _number(s["num"]), unit, size_text))
                used = max(used, s.end())
        if s := _SIZE_BEFORE.search(modifiers):
            unit = {"study": "studies", "trial": "trials"}.get(s["unit"].lower(), "participants")
            size_text = f"{s['num']} {unit}"
            sizes.setdefault("people" if unit == "participants" else "studies",
                             (size_text, _count(None, _number(s["num"]), unit, size_text)))
        duration = duration_text = None
        d = _DURATION.search(modifiers)
        if not d and (d := _DURATION_AFTER.search(tail)):
            used = max(used, d.end())
        if d:
            qual = d.groupdict().get("qual")
            plural = "" if _number(d["num"]) == 1 else "s"  # "one year", "12 weeks"
            duration_text = f"{(qual + ' ') if qual else ''}{d['num']} {d['unit'].lower()}{plural}"
            duration = _count(qual, _number(d["num"]), f"{d['unit'].lower()}s", duration_text)
        if det["det"].lower() in _BACK_REFERENCE and not (year or sizes or duration):
            continue
        phrase = text[start:m.end() + used]  # from the determiner to the last word read: no space or comma at either end
        found.append(Attribution(phrase, _design_word(m["design"], modifiers), int(year["year"]) if year else None,
                                 tuple(sizes.values()), duration, duration_text or ""))
    return found


def _a(noun: str) -> str:
    """'a study', 'an RCT', 'an expert opinion'."""
    return f"{'an' if noun[:1].lower() in 'aeio' or noun.startswith('RCT') else 'a'} {noun}"


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"


def _compare(a: Attribution, study: StudyFacts, slug: str, sid: str) -> list[AttributionCheck]:
    out = []

    def add(field: str, article: str, source: str, status: str) -> None:
        out.append(AttributionCheck(slug, sid, a.phrase, field, study.citekey, article, source, status))

    if a.year is not None:
        if study.year is None:
            add("year", str(a.year), "", "unknown")
        else:
            add("year", str(a.year), f"was published in {study.year}",
                "agrees" if study.year == a.year else "disagrees")
    allowed = DESIGN_WORDS[a.design]  # _design_word returns only keys of DESIGN_WORDS
    if study.design:  # validated against the design vocabulary, which DESIGN_LABEL names in full
        add("design", _a(a.design), f"is {_a(DESIGN_LABEL[study.design])}",
            "agrees" if study.design in allowed else "disagrees")
    for size_text, size in a.sizes:
        counted = study.studies_included if size.unit in ("studies", "trials") else study.n
        noun = "included studies" if size.unit in ("studies", "trials") else "participants"
        if size.unit in ("studies", "trials") and study.design not in (*REVIEWS, None):
            counted = None  # a single study is not made of studies
        if counted is None:
            add("size", size_text, "", "unknown")
        else:
            point = Quantity(float(counted), float(counted), size.unit, str(counted))
            add("size", size_text, f"reports {_fmt(counted)} {noun}", "agrees" if size.overlaps(point) else "disagrees")
    if a.duration is not None:
        known = [(f"follow-up {_fmt(study.follow_up_months)} months",
                  Quantity(study.follow_up_months, study.follow_up_months, "months", ""))] \
            if study.follow_up_months is not None else []
        known += [(f"{q.text} ({claim_id})", q) for claim_id, q in study.durations]
        if not known:
            add("duration", a.duration_text, "", "unknown")
        else:
            agrees = any(_close_in_time(a.duration, q) for _, q in known)
            add("duration", a.duration_text, "reports " + "; ".join(t for t, _ in known),
                "agrees" if agrees else "disagrees")
    return out


def _close_in_time(asserted: Quantity, reported: Quantity) -> bool:
    """Durations agree when they overlap in days, allowing 10 % for unit rounding (12 weeks ~ 3 months)."""
    lo, hi = reported.in_base()
    return asserted.overlaps(Quantity(lo * 0.9, hi * 1.1, "days", reported.text))


def check_statement(statement: Statement, studies: Mapping[str, StudyFacts],
                    evidence: Sequence[str] = ()) -> list[AttributionCheck]:
    """Each attribution of the statement against the study it describes.

    That study is the one in ``cites``; a statement that cites nothing is compared with the
    studies of its supporting evidence (``evidence``) instead. Of several candidates, the one
    that fits best (fewest disagreements) is compared. With neither, nothing is checked: the
    statement is already reported for having no evidence.
    """
    keys = statement.cites or tuple(evidence)
    candidates = [studies[k] for k in keys if k in studies]
    results: list[AttributionCheck] = []
    for a in parse_attributions(statement.quote) if candidates else []:
        options = [_compare(a, s, statement.slug, statement.statement_id) for s in candidates]
        results.extend(min(options, key=lambda checks: sum(c.status == "disagrees" for c in checks)))
    return results


def study_facts(bibliography: pd.DataFrame, studies: pd.DataFrame, claims: pd.DataFrame) -> dict[str, StudyFacts]:
    """The facts of every study, from the workspace's tables (DataFrames), in one pass each."""
    years = {str(k): (None if pd.isna(y) else int(y)) for k, y in zip(bibliography["citekey"], bibliography["year"])}
    durations: dict[str, list[tuple[str, Quantity]]] = {}
    if "duration" in claims:
        for claim_id, key, text in zip(claims["claim_id"], claims["citekey"], claims["duration"]):
            if text:
                try:
                    durations.setdefault(str(key), []).append((str(claim_id), parse_quantity(str(text), UNITS)))
                except ValueError:
                    continue  # reported by the read stage
    facts = {}
    for row in studies.astype(object).where(studies.notna(), None).itertuples(index=False):
        key = str(row.citekey)
        facts[key] = StudyFacts(key, years.get(key), row.design, _int(row.n), _int(row.studies_included),
                                float(row.follow_up_months) if row.follow_up_months is not None else None,
                                tuple(durations.get(key, ())))
    for key, year in years.items():  # cited references that are not studies still have a year
        facts.setdefault(key, StudyFacts(key, year, None, None, None, None))
    return facts


def _int(value: object) -> int | None:
    return int(value) if value is not None else None  # type: ignore[arg-type]


def attribution_order(checks: Sequence[AttributionCheck], agreeing: bool = True) -> list[AttributionCheck]:
    """Disagreements first, then fields the library does not record; agreements last, and only if asked."""
    order = {"disagrees": 0, "unknown": 1, "agrees": 2}
    return sorted((c for c in checks if agreeing or c.status != "agrees"), key=lambda c: order[c.status])


def attribution_line(check: AttributionCheck) -> str:
    """The line printed under a statement's verdict: its message without the statement id."""
    return f"attribution: {check.message.split(': ', 1)[1]}"
