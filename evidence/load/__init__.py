"""Load stage: the DuckDB schema (``schema.sql``) and the atomic build from DataFrames in bulk.

With :mod:`evidence.query`, the only stage that imports duckdb.
"""

from .database import build_database, export_tables, fetch_df, fetch_records, read_only, schema_sql
from .frames import database_frames

__all__ = ["build_database", "database_frames", "export_tables", "fetch_df", "fetch_records", "read_only",
           "schema_sql"]
