"""Validate stage: rules across files (keys, vocabulary, numbers) -> problems with file, line and hint."""

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:  # the names' homes, for readers and type checkers; imported on first use (see ..lazy)
    from .rules import EVIDENCE_LEVEL, REVIEW_DESIGNS, validate

__getattr__ = exports(__name__, {
    "EVIDENCE_LEVEL": ".rules", "REVIEW_DESIGNS": ".rules", "validate": ".rules"
})

__all__ = ["EVIDENCE_LEVEL", "REVIEW_DESIGNS", "validate"]
