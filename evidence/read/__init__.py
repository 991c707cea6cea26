"""Read stage: one reader per input format. Readers collect problems; they never raise on bad input."""

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:  # the names' homes, for readers and type checkers; imported on first use (see ..lazy)
    from .articles import read_article
    from .bibtex import read_bibtex
    from .reader import read_workspace
    from .statements import read_links, read_statements

__getattr__ = exports(__name__, {
    "read_article": ".articles", "read_bibtex": ".bibtex", "read_workspace": ".reader", "read_links":
    ".statements", "read_statements": ".statements"
})

__all__ = ["read_article", "read_bibtex", "read_links", "read_statements", "read_workspace"]
