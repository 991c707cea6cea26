"""Read stage: a study's design from what PubMed says about it, with the reason shown.

PubMed indexes every record with publication types (MeSH "Publication Type" terms:
"Meta-Analysis", "Randomized Controlled Trial", "Case Reports", ...). They map onto the
``design`` vocabulary of ``studies.csv`` (:data:`evidence.read.tables.DESIGNS`); the most
specific wins (a record typed "Meta-Analysis; Systematic Review; Review" is a
meta-analysis). Where PubMed types say nothing about design ("Journal Article" alone), an
explicit design word in the title ("a randomized controlled trial", "split-face", "case
series") is used; otherwise the design is left unknown, never guessed. Every answer says
where it came from, for the ``notes`` column of an unverified row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

# Publication type (lower case) -> design, most specific first.
PUB_TYPE_DESIGNS: tuple[tuple[str, str], ...] = (
    ("meta-analysis", "meta_analysis"),
    ("network meta-analysis", "meta_analysis"),
    ("systematic review", "systematic_review"),
    ("randomized controlled trial", "rct"),
    ("randomized controlled trial, veterinary", "rct"),
    ("controlled clinical trial", "non_randomised_trial"),
    ("clinical trial", "non_randomised_trial"),
    ("clinical trial, phase i", "non_randomised_trial"),
    ("clinical trial, phase ii", "non_randomised_trial"),
    ("clinical trial, phase iii", "non_randomised_trial"),
    ("clinical trial, phase iv", "non_randomised_trial"),
    ("observational study", "cohort"),
    ("case reports", "case_report"),
    ("practice guideline", "guideline"),
    ("guideline", "guideline"),
    ("consensus development conference", "guideline"),
    ("review", "narrative_review"),
    ("editorial", "expert_opinion"),
)
RANK = {design: rank for rank, design in enumerate(
    ("meta_analysis", "systematic_review", "split_face_rct", "rct", "non_randomised_trial", "cohort", "case_control",
     "cross_sectional", "case_series", "case_report", "guideline", "narrative_review", "expert_opinion"))}
# Explicit design words in a title, most specific first (used when the types say nothing).
TITLE_DESIGNS: tuple[tuple[str, str], ...] = (
    (r"meta-?analys[ie]s", "meta_analysis"),
    (r"systematic review", "systematic_review"),
    (r"randomi[sz]ed\b[^.:;]{0,60}?\btrial", "rct"),
    (r"case-control", "case_control"),
    (r"cross-sectional", "cross_sectional"),
    (r"cohort study", "cohort"),
    (r"case series", "case_series"),
    (r"case report", "case_report"),
)
_OBSERVATIONAL = ((r"case-control", "case_control"), (r"cross-sectional", "cross_sectional"))


@dataclass(frozen=True)
class Design:
    """A design and why: ``source`` is 'PubMed publication type' or 'title'; ``evidence`` what was read."""

    design: str
    source: str
    evidence: str

    def note(self) -> str:
        return f"design {self.design} inferred from the {self.source}: {self.evidence}"


def infer_design(pub_types: Iterable[str], title: str | None = None) -> Design | None:
    """The design a record's publication types (then its title) state, or None when they do not."""
    lowered = {p.strip().lower(): p.strip() for p in pub_types if p and p.strip()}
    title_text = (title or "").lower()
    found = [(design, lowered[pt]) for pt, design in PUB_TYPE_DESIGNS if pt in lowered]
    if found:
        design, shown = min(found, key=lambda f: RANK[f[0]])
        if design == "rct" and re.search(r"split-?face", title_text):
            return Design("split_face_rct", "PubMed publication type", f"'{shown}' and 'split-face' in the title")
        if design == "cohort":  # "Observational Study" covers three designs: the title may name one
            for pattern, named in _OBSERVATIONAL:
                if re.search(pattern, title_text):
                    return Design(named, "PubMed publication type", f"'{shown}' and '{pattern}' in the title")
        return Design(design, "PubMed publication type", f"'{shown}'")
    for pattern, design in TITLE_DESIGNS:
        match = re.search(pattern, title_text)
        if match:
            if design == "rct" and re.search(r"split-?face", title_text):
                design = "split_face_rct"
            return Design(design, "title", f"'{match.group(0)}'")
    return None
