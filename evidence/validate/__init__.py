"""Validate stage: rules across files (keys, vocabulary, numbers) -> problems with file, line and hint."""

from .rules import EVIDENCE_LEVEL, REVIEW_DESIGNS, validate

__all__ = ["EVIDENCE_LEVEL", "REVIEW_DESIGNS", "validate"]
