"""Randomised trials rank second, after systematic reviews and meta-analyses and before the rest (issue 13).

No real PubMed or Europe PMC record typed "Randomized Controlled Trial" is among the recordings in
../shared/external (the EFetch, ESummary and Europe PMC answers there hold none), so this ranking
cannot be shown through the local server on a real RCT record. The real records used instead: the
systematic review and the case report of the EFetch recordings, and a real randomised controlled
trial from a real reference list (medical-reflists/jabref/Chocolate.bib: Di Renzo et al. 2012,
"Potential effects of chocolate on human pregnancy: a randomized controlled trial"), whose design
is read from its title as the ranking does for a record whose publication types state none.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import bibtexparser

from evidence.resolve.entries import Registry
from evidence.resolve.ncbi import parse_pubmed
from evidence.resolve.records import Work
from evidence.resolve.search import Hit
from evidence.workflow.find import rank

from .test_resolve_support import external


def _efetch(rel: str) -> Hit:
    ((work, _),) = parse_pubmed(ET.parse(external(rel)).getroot()).values()
    return Hit(work, None, "pubmed", "2026-01-01")


def _chocolate_rct() -> Hit:
    library = bibtexparser.parse_string(external("medical-reflists/jabref/Chocolate.bib").read_text(encoding="utf-8"))
    (entry,) = [e for e in library.entries if e.fields_dict.get("doi")
                and e.fields_dict["doi"].value == "10.3109/14767058.2012.683085"]
    f = {k: v.value for k, v in entry.fields_dict.items()}
    work = Work(source="bibtex", doi=f["doi"], title=f["title"], year=int(f["date"][:4]),
                journal=f["journaltitle"], authors=tuple(a.strip() for a in f["author"].split(" and ")))
    return Hit(work, None, "bibtex", "2026-01-01")  # not a search answer: a real reference-list entry


def test_a_randomised_trial_ranks_after_the_systematic_review_and_before_a_newer_case_report():
    review = _efetch("pubmed/metapub/38909159.xml")  # Systematic Review, 2025
    case = _efetch("pubmed/metapub/38763967.xml")  # Case Reports, 2024
    trial = _chocolate_rct()  # randomized controlled trial, 2012
    found, hidden = rank([case, trial, review], Registry([]))
    assert hidden == 0
    assert [f.hit for f in found] == [review, trial, case]
    assert [(f.design.design, f.level) for f in found] == [("systematic_review", 1), ("rct", 2), ("case_report", 4)]
    assert found[1].design.source == "title" and "randomized controlled trial" in found[1].design.evidence.lower()
    only_trials, left_out = rank([case, trial, review], Registry([]), designs=("rct",))
    assert [f.hit for f in only_trials] == [trial] and left_out == 2
