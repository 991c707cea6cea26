"""Workflow, findings in prose: sentences of an abstract, which of them report a finding, and
the numbers each states. Pure functions, used by ``evidence claims suggest``.

Numbers are parsed in order of how much they say, and only one kind becomes the claim's
value: a ratio or difference with its 95% CI ("OR=1.15, 95% CI=1.12-1.19"), then a mean
with its SD ("10.4 ± 2.1 days"), then a count of a total ("3 of 11"), then a percentage or
a percentage range ("from 32 to 52%"). P-values are kept apart and never taken for a value.
Every number parsed is written in the sentence it came from, as the sentence writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = ("vs.", "e.g.", "i.e.", "et al.", "fig.", "figs.", "approx.", "no.", "dr.", "ref.", "cf.", "resp.",
                  "min.", "max.", "sp.", "spp.")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``: text[start:end] is the sentence, verbatim."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"[.!?](?=\s+[\"“(\[]?[A-Z0-9])", text):
        head = text[start:m.end()].lower()
        if head.endswith(_ABBREVIATIONS) or re.search(r"\b[A-Z]\.$", text[start:m.end()]):
            continue  # "vs. placebo", "et al. found", an initial
        if m.end() - start > 1:
            spans.append((start, m.end()))
        start = m.end()
        while start < len(text) and text[start].isspace():
            start += 1
    if text[start:].strip():
        end = len(text.rstrip())
        spans.append((start, end))
    return spans


_FINDING = re.compile(
    r"\b(show(?:s|ed|n)?|found|find|demonstrat\w*|reveal\w*|observ\w*|achiev\w*|improv\w*|reduc\w*|increas\w*|"
    r"decreas\w*|associated|correlat\w*|significant(?:ly)?|no difference|did not|was not|were not|effective|"
    r"efficacy|superior|inferior|higher|lower|better|worse|resulted|led to|conclu\w*|suggest\w*|indicat\w*|"
    r"replicated|confirm\w*|reached|odds ratio|risk ratio|hazard ratio|identified|reported|succeeded|attained)\b"
    r"|\d+(?:\.\d+)?\s?%|\b(?:OR|RR|HR|CI)\b|\b[Pp]\s?[<=>≤≥]", re.I)
_NOT_FINDING = re.compile(
    r"^\s*(?:the (?:present |current )?(?:study|aim|objective|purpose)\w* (?:aims?|was|is|were) to|"
    r"(?:this|the present|the current|our) (?:study|review|article|trial) (?:aims?|aimed|investigat\w*|evaluat\w*|"
    r"examin\w*|subdivid\w*|explor\w*|assess\w*)|we (?:aimed|sought|conducted|searched|analy[sz]ed|enrolled|"
    r"recruited|randomi[sz]ed|performed|used|included)|to (?:evaluate|assess|determine|investigate|examine|"
    r"compare|analy[sz]e)\b)"
    r"|\b(?:were|was) (?:randomi[sz]ed|enrolled|recruited|divided|allocated|included|evaluated|assigned|"
    r"performed|conducted)\b|\bis based on\b|\b(?:is|are) (?:proposed|presented|described)\b"
    r"|\b(?:has|have) been (?:shown|reported|located|proposed|described)\b|^\s*(?:recently|previously)\b", re.I)
# A sentence that speaks of this study ("we", "here", "this study"): before the first one, an
# unlabelled abstract is setting the scene (background), whatever verbs it uses.
_OWN_WORK = re.compile(r"\b(?:we|our|here(?:in)?|this (?:study|review|trial|case|report|article|analysis)|"
                       r"the present (?:study|review|case)|in this (?:study|case|report))\b", re.I)


def is_finding(sentence: str) -> bool:
    """A sentence that reports a result, not an aim, a method or background (heuristic, documented)."""
    return bool(_FINDING.search(sentence)) and not _NOT_FINDING.search(sentence)


def finding_sentences(text: str, category: str) -> list[tuple[int, int]]:
    """The spans of ``text`` that report findings, given the section's category.

    Results and conclusions sections: every sentence that reads as a finding. Background,
    objective and methods sections: none. An unlabelled section (an unstructured abstract):
    the same test, but only from the first sentence that speaks of this study on, because
    what comes before it is background even when it says "has been shown".
    """
    if category not in ("results", "conclusions", ""):
        return []
    spans = sentences(text)
    if category == "":
        first = next((i for i, (a, b) in enumerate(spans) if _OWN_WORK.search(text[a:b])), 0)
        spans = spans[first:]
    return [(a, b) for a, b in spans if is_finding(text[a:b])]


@dataclass(frozen=True)
class Numbers:
    """What one sentence states, in the columns of claims.csv (strings as the sentence writes them)."""

    value: str | None = None
    low: str | None = None
    high: str | None = None
    unit: str | None = None
    interval: str | None = None  # ci95 | range
    measure: str | None = None
    n: str | None = None
    events: str | None = None  # "3 of 11": 3
    total: str | None = None  # and 11
    p_values: tuple[str, ...] = ()  # "P < 0.001", kept apart

    def written(self) -> list[str]:
        """Every number parsed, as written (so a test can find each in its quote)."""
        return [v for v in (self.value, self.low, self.high, self.n, self.events, self.total) if v]


_NUM = r"(\d+(?:\.\d+)?|\.\d+)"
_DASH = r"\s*(?:-|–|—|to)\s*"
_RATIO = re.compile(
    r"\b(odds ratio|risk ratio|relative risk|hazard ratio|mean difference|standardi[sz]ed mean difference|OR|RR|HR|MD|SMD)"
    r"(?:\s*\([A-Za-z]+\))?\s*[=:,]?\s*(?:of\s+|was\s+)?" + _NUM +
    r"\s*[,;(\[]\s*(?:95\s?%\s*(?:confidence interval|CI)\s*(?:\(95\s?%\s*CI\))?)\s*[=:,]?\s*" + _NUM + _DASH + _NUM,
    re.I)
_RATIO_UNIT = {"odds ratio": "odds_ratio", "or": "odds_ratio", "risk ratio": "risk_ratio", "relative risk": "risk_ratio",
               "rr": "risk_ratio", "mean difference": "mean_difference", "md": "mean_difference",
               "standardised mean difference": "smd", "standardized mean difference": "smd", "smd": "smd"}
_MEAN_SD = re.compile(_NUM + r"\s*(?:±|\+/-|\+-)\s*" + _NUM + r"(?:\s*(days?|weeks?|months?|years?|%))?", re.I)
_MEAN_SD_PAREN = re.compile(r"\bmean\b[^.;]{0,40}?" + _NUM + r"\s*\(\s*SD\s*[=:]?\s*" + _NUM + r"\s*\)", re.I)
_OF = re.compile(r"\b(\d+)\s+(?:of|out of)\s+(?:the\s+)?(\d+)\b", re.I)
_PCT_RANGE = re.compile(r"\b(?:from\s+)?" + _NUM + r"\s*%?" + _DASH + _NUM + r"\s*%")
_PCT = re.compile(_NUM + r"\s?%")
_UNIT_NUM = re.compile(_NUM + r"\s+(days?|weeks?|months?|years?|sessions?)\b", re.I)
_N = re.compile(r"\(?\b[nN]\s*=\s*(\d+)\b|\b(\d[\d,]*)\s+(?:patients|participants|subjects|people|persons|individuals|"
                r"women|men|children|adults|volunteers|cases|eyes|sides)\b")
_P = re.compile(r"\b[Pp]\s*(?:value\s*)?[<=>≤≥]\s*(?:0)?\.\d+(?:\s*[x×]\s*10\s*-?\d+)?")


def parse_numbers(sentence: str) -> Numbers:
    """The numbers one sentence states (see the module docstring for the order of preference)."""
    p_values = tuple(m.group(0) for m in _P.finditer(sentence))
    text = _P.sub(" ", sentence)  # a p-value is never a value, a bound or an n
    n_match = _N.search(text)
    n = (n_match.group(1) or n_match.group(2)) if n_match else None
    if n and "," in n:
        n = None if not re.fullmatch(r"\d{1,3}(,\d{3})+", n) else n
    ratio = _RATIO.search(text)
    if ratio:
        kind = ratio.group(1).lower()
        return Numbers(ratio.group(2), ratio.group(3), ratio.group(4), _RATIO_UNIT.get(kind), "ci95",
                       f"{ratio.group(1)} (95% CI)", n, p_values=p_values)
    mean = _MEAN_SD.search(text)
    if mean:
        unit = _unit(mean.group(3))
        return Numbers(mean.group(1), unit=unit, measure=f"mean ± SD (SD {mean.group(2)})", n=n, p_values=p_values)
    mean = _MEAN_SD_PAREN.search(text)
    if mean:
        return Numbers(mean.group(1), measure=f"mean (SD {mean.group(2)})", n=n, p_values=p_values)
    of = _OF.search(text)
    if of and int(of.group(1)) <= int(of.group(2)):
        return Numbers(of.group(1), unit="participants", measure=f"{of.group(1)} of {of.group(2)}",
                       n=of.group(2), events=of.group(1), total=of.group(2), p_values=p_values)
    rng = _PCT_RANGE.search(text)
    if rng:
        return Numbers(low=rng.group(1), high=rng.group(2), unit="percent", interval="range", measure="percentage",
                       n=n, p_values=p_values)
    pct = _PCT.search(text)
    if pct:
        return Numbers(pct.group(1), unit="percent", measure="percentage", n=n, p_values=p_values)
    timed = _UNIT_NUM.search(text)
    if timed:
        return Numbers(timed.group(1), unit=_unit(timed.group(2)), n=n, p_values=p_values)
    return Numbers(n=n, p_values=p_values)


def _unit(word: str | None) -> str | None:
    if not word:
        return None
    if word == "%":
        return "percent"
    word = word.lower()
    return word if word.endswith("s") else word + "s"
