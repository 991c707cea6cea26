"""Query stage: canned queries (``queries/*.sql``) and ad-hoc SQL, run read-only in a sandbox."""

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:  # the names' homes, for readers and type checkers; imported on first use (see ..lazy)
    from .runner import Param, Query, discover, parse_query, run_query, run_sql

__getattr__ = exports(__name__, {
    "Param": ".runner", "Query": ".runner", "discover": ".runner", "parse_query": ".runner", "run_query":
    ".runner", "run_sql": ".runner"
})

__all__ = ["Param", "Query", "discover", "parse_query", "run_query", "run_sql"]
