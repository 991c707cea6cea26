"""Read stage: one reader per input format. Readers collect problems; they never raise on bad input."""

from .articles import read_article
from .bibtex import read_bibtex
from .reader import read_workspace
from .statements import read_links, read_statements

__all__ = ["read_article", "read_bibtex", "read_links", "read_statements", "read_workspace"]
