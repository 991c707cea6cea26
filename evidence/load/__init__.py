"""Load stage: the DuckDB schema (``schema.sql``) and the atomic build from DataFrames in bulk.

With :mod:`evidence.query`, the only stage that imports duckdb.
"""

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:  # the names' homes, for readers and type checkers; imported on first use (see ..lazy)
    from .database import build_database, export_tables, fetch_df, fetch_records, read_only, schema_sql
    from .frames import database_frames

__getattr__ = exports(__name__, {
    "build_database": ".database", "export_tables": ".database", "fetch_df": ".database", "fetch_records":
    ".database", "read_only": ".database", "schema_sql": ".database", "database_frames": ".frames"
})

__all__ = ["build_database", "database_frames", "export_tables", "fetch_df", "fetch_records", "read_only",
           "schema_sql"]
