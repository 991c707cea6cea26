"""Read stage: how many people a study analysed, and who, where its abstract says so plainly.

Used to draft the ``n`` and ``population`` of an unverified ``studies.csv`` row. Only a
plain statement counts: a number (in digits or words up to ninety-nine) directly before a
word for people ("40 patients", "Twenty-four participants", "A total of 1,020 women"),
preferring "a total of"; the population is that phrase with its "with …" clause. Nothing
else is inferred; the phrase read is returned so the row's note can quote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen").split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD_NUMBER = r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|" \
               r"seven|eight|nine))?|" + "|".join(sorted(_UNITS[1:], key=len, reverse=True)) + ")"
_PEOPLE = r"(?:patients|participants|subjects|volunteers|women|men|individuals|adults|children|adolescents|people|cases)"
_PHRASE = re.compile(
    r"(?P<total>a total of\s+)?(?P<n>\d{1,3}(?:,\d{3})+|\d+|" + _WORD_NUMBER + r")\s+"
    r"(?P<who>(?:[A-Za-z-]+\s+){0,3}?" + _PEOPLE + r")(?P<with>\s+(?:with|who had|aged)\s+[^.;:()]{3,120})?",
    re.IGNORECASE)

_VERB = re.compile(r"\s+(?:were|was|are|is|received|underwent|completed|participated|enrolled|included|treated|"
                   r"randomi[sz]ed|and were)\b.*$", re.IGNORECASE)


@dataclass(frozen=True)
class Participants:
    n: int
    population: str | None  # "patients with chronic plantar heel pain", when the abstract says who
    phrase: str  # the words read, verbatim


def _number(text: str) -> int | None:
    text = text.lower().replace(",", "")
    if text.isdigit():
        return int(text)
    parts = re.split(r"[- ]", text)
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_UNITS.index(parts[1]) if len(parts) > 1 and parts[1] in _UNITS else 0)
    return _UNITS.index(parts[0]) if parts[0] in _UNITS else None


def participants(abstract: str | None) -> Participants | None:
    """The participants an abstract states, or None when it states none plainly."""
    if not abstract:
        return None
    text = re.sub(r"<[^>]+>", "", abstract)
    matches = list(_PHRASE.finditer(text))
    if not matches:
        return None
    best = next((m for m in matches if m.group("total")), matches[0])
    n = _number(best.group("n"))
    if not n:
        return None
    who = " ".join(best.group("who").split())
    clause = _VERB.split(" ".join((best.group("with") or "").split()))[0].strip()
    population = f"{who} {clause}" if clause else None
    return Participants(n, population, " ".join(best.group(0).split()))
