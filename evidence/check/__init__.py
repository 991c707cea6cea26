"""Check stage: verdicts with reasons, numeric and attribution checks, reference lists, uncovered text."""

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:  # the names' homes, for readers and type checkers; imported on first use (see ..lazy)
    from .attribution import AttributionCheck, check_statement, parse_attributions, study_facts
    from .reflist import LibraryIndex, ReferenceCheck, check_reference_list, parse_printed
    from .report import ArticleReport, check_workspace, notices_by_citekey, uncovered_sentences
    from .verdicts import Verdict, verdict_for

__getattr__ = exports(__name__, {
    "AttributionCheck": ".attribution", "check_statement": ".attribution", "parse_attributions": ".attribution",
    "study_facts": ".attribution", "LibraryIndex": ".reflist", "ReferenceCheck": ".reflist",
    "check_reference_list": ".reflist", "parse_printed": ".reflist", "ArticleReport": ".report",
    "check_workspace": ".report", "notices_by_citekey": ".report", "uncovered_sentences": ".report", "Verdict":
    ".verdicts", "verdict_for": ".verdicts"
})

__all__ = ["ArticleReport", "AttributionCheck", "LibraryIndex", "ReferenceCheck", "Verdict", "check_reference_list",
           "check_statement", "check_workspace", "notices_by_citekey", "parse_attributions", "parse_printed",
           "study_facts", "uncovered_sentences", "verdict_for"]
