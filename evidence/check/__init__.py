"""Check stage: verdicts with reasons, numeric and attribution checks, reference lists, uncovered text."""

from .attribution import AttributionCheck, check_statement, parse_attributions, study_facts
from .reflist import LibraryIndex, ReferenceCheck, check_reference_list, parse_printed
from .report import ArticleReport, check_workspace, notices_by_citekey, uncovered_sentences
from .verdicts import Verdict, verdict_for

__all__ = ["ArticleReport", "AttributionCheck", "check_statement", "parse_attributions", "study_facts", "LibraryIndex", "ReferenceCheck", "Verdict", "check_reference_list", "check_workspace",
           "notices_by_citekey", "parse_printed", "uncovered_sentences", "verdict_for"]
