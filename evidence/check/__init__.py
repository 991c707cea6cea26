"""Check stage: verdicts with reasons, numeric and attribution checks, reference lists, uncovered text."""

from .attribution import AttributionCheck, check_statement, parse_attributions, study_facts
from .reflist import LibraryIndex, ReferenceCheck, check_reference_list, parse_printed
from .report import ArticleReport, check_workspace, notices_by_citekey, uncovered_sentences
from .verdicts import Verdict, verdict_for

__all__ = ["ArticleReport", "AttributionCheck", "LibraryIndex", "ReferenceCheck", "Verdict", "check_reference_list",
           "check_statement", "check_workspace", "notices_by_citekey", "parse_attributions", "parse_printed",
           "study_facts", "uncovered_sentences", "verdict_for"]
