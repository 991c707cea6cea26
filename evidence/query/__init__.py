"""Query stage: canned queries (``queries/*.sql``) and ad-hoc SQL, run read-only in a sandbox."""

from .runner import Param, Query, discover, parse_query, run_query, run_sql

__all__ = ["Param", "Query", "discover", "parse_query", "run_query", "run_sql"]
