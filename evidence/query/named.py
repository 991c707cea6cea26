"""Query stage: a canned query found by name, including the names of the first workspace format.

Queries were renamed when the model became general (per intervention, per condition); a script
that still runs an old name gets the new query, with its old parameter and column names, so
nothing an editor scripted breaks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd

from ..old_names import OLD_QUERIES
from ..workspace import QueryLimits
from .runner import Query, run_query


def find_query(queries: Mapping[str, Query], name: str) -> Query | None:
    """The query called ``name``; an old name gives the query that replaced it (a workspace's own
    query of that name wins, as any workspace query does)."""
    if name in queries:
        return queries[name]
    old = OLD_QUERIES.get(name)
    return queries.get(old.new) if old else None


def run_named(db_path: Path, queries: Mapping[str, Query], name: str, params: Mapping[str, str] | None = None,
              limits: QueryLimits | None = None, max_rows: int | None = None) -> pd.DataFrame:
    """Run the query ``name`` (which :func:`find_query` found); under an old name, the old parameter
    names are accepted and the result's columns carry their old names."""
    query = find_query(queries, name)
    assert query is not None, name  # callers look it up first, to say which names exist
    params = dict(params or {})
    old = OLD_QUERIES.get(name) if name not in queries else None
    if old is None:
        return run_query(db_path, query, params, limits, max_rows)
    params = {old.params.get(k, k): v for k, v in params.items()}
    df = run_query(db_path, query, params, limits, max_rows)
    attrs = dict(df.attrs)
    df = df.rename(columns=old.columns)
    df.attrs.update(attrs)
    return df
