"""Workflow, article add: what kind of statement a sentence is, and what it asserts.

Deterministic rules, not a model: an editor must be able to predict and correct them. A
sentence is registered when it asserts something that evidence can confirm or refute
(a number, a superlative, "studies show", an attribution to a study, a definition, a
causal or effect claim); advice and opinion are registered as such (kinds that are not
checked); narrative and questions are left out. The kinds are those of
:data:`evidence.read.tables.KINDS`, and a quantity is only written in a unit the workspace
knows (:data:`evidence.read.tables.UNITS`), in the ``asserts`` syntax of
:mod:`evidence.read.quantities`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..read.quantities import parse_quantity
from ..read.tables import UNITS

_NUM = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
                 "fifty": 50, "sixty": 60, "hundred": 100, "a": 1, "an": 1}
_NUMBER = rf"(?:{_NUM}|{'|'.join(k for k in _WORD_NUMBERS if k not in ('a', 'an'))})"
_OPS = {"more than": ">", "over": ">", "above": ">", "greater than": ">", "at least": ">=", "up to": "<=",
        "no more than": "<=", "within": "<=", "as many as": "<=", "less than": "<", "fewer than": "<", "under": "<", "below": "<",
        "about": "~", "around": "~", "roughly": "~", "approximately": "~", "nearly": "~", "almost": "~",
        "some": "~", "an estimated": "~", "about a": "~"}
_OP = r"(?P<op>" + "|".join(sorted((re.escape(k) for k in _OPS), key=len, reverse=True)) + r")?\s*"
_UNIT_WORDS = {
    "percent": r"%|percent\b|per cent\b",
    "days": r"-?days?\b", "weeks": r"-?weeks?\b", "months": r"-?months?\b", "years": r"-?years?\b(?!\s+old)",
    "sessions": r"(?:sessions?|treatments?)\b",
    "participants": r"(?:people|participants|patients|adults|women|men|subjects|volunteers|individuals|children)\b",
    "studies": r"studies\b", "trials": r"trials\b",
}
_QUANTITY = re.compile(
    rf"(?<![\w.]){_OP}(?P<low>{_NUMBER}|a|an)(?:\s*(?:-|–|to)\s*(?P<high>{_NUMBER}))?\s*(?P<unit>"
    + "|".join(f"(?P<{u}>{rx})" for u, rx in _UNIT_WORDS.items()) + ")",
    re.I,
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_STUDY_NOUN = r"(?:stud(?:y|ies)|trials?|reviews?|meta-analys[ie]s|analys[ie]s|surveys?|papers?|reports?|experiments?)"
_ATTRIBUTION = re.compile(
    rf"\b(?:a|an|one|this|that|the|recent|new)\s+(?:(?:19|20)\d{{2}}\s+|[\w-]+\s+){{0,4}}?{_STUDY_NOUN}\b"
    rf"(?:\s+(?:of|in|with|involving|including)\s+(?:over\s+|more than\s+|nearly\s+|about\s+|almost\s+)?"
    rf"(?:{_NUM}|{_NUMBER})\s+[\w-]+)?"
    rf"|\b(?:studies|research|trials|evidence|data|experts|scientists|researchers|dermatologists|doctors)\s+"
    rf"(?:have\s+|has\s+)?(?:show|shows|shown|suggest|suggests|suggested|found|find|finds|indicate|indicates|"
    rf"demonstrate|demonstrates|demonstrated|confirm|confirms|confirmed|agree|say|says|support|supports)\b"
    rf"|\baccording to\b|\bpublished in\b|\b(?:clinically|scientifically)\s+(?:proven|shown)\b",
    re.I,
)
_OPINION = re.compile(
    r"\b(?:I|we)\s+(?:think|believe|feel|love|like|prefer|adore|swear by)\b|\bin my (?:opinion|experience|view)\b"
    r"|\bpersonally\b|\bmy (?:favou?rite|go-to)\b|\bworth (?:it|the|a try)\b|\bour (?:favou?rite|pick)"
    r"|\bDr\.? [A-Z]\w+ (?:also )?(?:recommends|prefers|likes|loves)\b",
    re.I,
)
_IMPERATIVE = (
    "use", "apply", "avoid", "try", "talk", "ask", "see", "consult", "start", "stop", "wear", "choose", "look", "keep",
    "make", "be", "don't", "do", "never", "consider", "check", "speak", "book", "limit", "protect", "wash",
    "moisturize", "moisturise", "skip", "opt", "give", "get", "take", "drink", "eat", "follow", "remember",
    "introduce", "patch", "pick", "add", "reapply", "store", "discuss", "seek", "call", "go", "note", "swap", "layer",
)
_ADVICE = re.compile(
    r"\byou(?:'ll| will)? (?:should(?:n't)?|must|need to|want to|may want to|might want to|can try)\b"
    r"|\bwe recommend\b|\bit(?:'s| is) (?:best|a good idea|important|wise) to\b|\bmake sure\b|\bbe sure to\b"
    r"|\b(?:recommends?|suggests?|advises?) (?:using|applying|avoiding|starting|that you)\b",
    re.I,
)
_SUPERLATIVE = re.compile(
    r"\b(?:the\s+most|most\s+(?=\w+(?:ive|ful|ent|ant|able|ible|ous|al|ly|ing)\b|common|popular|severe)|best|least|worst|"
    r"fastest|safest|strongest|greatest|highest|lowest|biggest|largest|smallest|easiest|deepest|gentlest|"
    r"newest|only|gold standard|number one|#1|first-line"
    r"|(?:one of )?the\s+(?!(?:inter|hon|mod|harv|for|sugg|requ|prot|cont)est)\w{2,}est)\b",
    re.I,
)
_MOST_OF = re.compile(r"\b(?:most|the majority of)\s+(?!the most)(?:of\s+)?(?:us|people|patients|adults|women|men|"
                      r"cases|participants|users|\w+s)\b", re.I)
_DEFINITION = re.compile(
    r"\b(?:is|are)\s+(?:(?:a|an|the)\s+)?(?:\w+\s+){0,3}?(?:type|form|kind|class|group|family|condition|term|"
    r"derivative|compound|ingredient|molecule|protein|hormone|vitamin)s?\s+(?:of|that|which|used)\b"
    r"|\brefers? to\b|\b(?:is|are) defined as\b|\b(?:is|are) (?:also )?(?:known|called)\b|\bstands for\b",
    re.I,
)
_CLAIM = re.compile(
    r"\b(?:caus(?:e|es|ed|ing)|lead(?:s)? to|reduc(?:e|es|ed|ing)|increas(?:e|es|ed|ing)|improv(?:e|es|ed|ing)|"
    r"boost(?:s|ed)?|prevent(?:s|ed)?|treat(?:s|ed)?|help(?:s|ed)?|works?|effective(?:ly)?|efficacy|safe(?:ly)?|"
    r"risks?|linked|associated|lowers?|raises?|protects?|damag(?:e|es|ed|ing)|stimulat\w+|triggers?|speeds? up|"
    r"slows?|irritat\w+|heals?|fades?|clears?|shrinks?|thins?|thickens?|repairs?|results? in|side effects?|"
    r"can|may|could|will|always|never|guarantee\w*|proven|permanent\w*|significant\w*|common|rare|affects?|"
    r"occurs?|appears?|go(?:es)? away|leaves? behind|lasts?|requires?|involves?|creat(?:e|es|ed)|categori[sz]ed|"
    r"classified|consists? of|caused|typically|usually|often|generally|likely|probably|technically|option)\b",
    re.I,
)


@dataclass(frozen=True)
class Assessment:
    """What a sentence or clause is (``kind`` None: nothing to check) and what it asserts."""

    kind: str | None
    asserts: str | None = None
    details: tuple[str, ...] = ()  # human-readable: "attribution: 'a 2023 study of 500 people' (year 2023, ...)"

    @property
    def registered(self) -> bool:
        return self.kind is not None


@dataclass(frozen=True)
class Found:
    """A quantity found in the text, as the ``asserts`` syntax and where it stands."""

    asserts: str
    start: int
    end: int
    text: str


def quantities(text: str, units: tuple[str, ...] = UNITS) -> list[Found]:
    """Every number with a unit the workspace knows, e.g. 'more than 80 percent' -> '>80 percent'."""
    found = []
    for m in _QUANTITY.finditer(text):
        unit = next(u for u in _UNIT_WORDS if m.group(u))
        if unit not in units:
            continue
        low, high = _number(m["low"]), _number(m["high"]) if m["high"] else None
        if low is None or (m["low"].lower() in ("a", "an") and (not m["op"] or unit in ("percent", "participants"))):
            continue  # "twice a week" is a frequency; "up to a year" is a quantity
        if unit == "percent" and "." in m["low"] and low < 5 and not m["op"]:
            continue  # "0.025% tretinoin" is a concentration, not a finding
        op = _OPS.get((m["op"] or "").lower(), "")
        asserts = f"{_fmt(low)}-{_fmt(high)} {unit}" if high is not None and high > low else f"{op}{_fmt(low)} {unit}"
        try:
            parse_quantity(asserts, units)
        except ValueError:
            continue
        found.append(Found(asserts, m.start(), m.end(), m.group(0).strip()))
    return found


def assess(text: str, units: tuple[str, ...] = UNITS) -> Assessment:
    """Kind and asserted quantity of one sentence or clause (see the module docstring)."""
    stripped = text.strip().strip("“”\"'")
    if not stripped or stripped.endswith("?") or len(re.findall(r"\w+", stripped)) < 3:
        return Assessment(None)
    details: list[str] = []
    attribution = _ATTRIBUTION.search(text)
    found = quantities(text, units)
    asserted = [q for q in found if not (attribution and attribution.start() <= q.start < attribution.end())]
    if attribution:
        details.append(_attribution_detail(attribution.group(0), [q for q in found if q not in asserted]))
    superlative = _SUPERLATIVE.search(text)
    if superlative:
        details.append(f"superlative: '{superlative.group(0)}'")
    most_of = _MOST_OF.search(text) if not superlative or superlative.group(0).lower() != "the most" else None
    if most_of and not asserted and "percent" in units:
        asserted.append(Found(">50 percent", most_of.start(), most_of.end(), most_of.group(0)))
    asserts = _pick(asserted)
    if asserts:
        details.append("numbers: " + "; ".join(f"'{q.text}' = {q.asserts}" for q in asserted))
    if attribution:
        kind = "attribution"
    elif _OPINION.search(text):
        kind = "opinion"
    elif _is_advice(stripped):
        kind = "advice"
    elif superlative:
        kind = "superlative"
    elif asserts:
        kind = "number"
    elif _DEFINITION.search(text):
        kind = "definition"
    elif _CLAIM.search(text):
        kind = "claim"
    else:
        return Assessment(None)
    return Assessment(kind, asserts if kind not in ("opinion", "advice") else None, tuple(details))


def _is_advice(text: str) -> bool:
    first = re.match(r"[\w']+", text.replace("’", "'"))
    return bool(first and first.group(0).lower() in _IMPERATIVE) or bool(_ADVICE.search(text))


def _pick(found: list[Found]) -> str | None:
    """The finding's number: a percentage first, then a duration, then anything else."""
    order = {"percent": 0, "days": 1, "weeks": 1, "months": 1, "years": 1}
    if not found:
        return None
    return min(found, key=lambda q: (order.get(q.asserts.split()[-1], 2), q.start)).asserts


def _attribution_detail(phrase: str, sizes: list[Found]) -> str:
    parts = []
    if year := _YEAR.search(phrase):
        parts.append(f"year {year.group(0)}")
    parts.extend(q.asserts for q in sizes)
    return f"attribution: '{phrase}'" + (f" ({', '.join(parts)})" if parts else "")


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    word = text.lower()
    if word in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[word])
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
