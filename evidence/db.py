"""Load stage: the DuckDB file, built atomically from DataFrames in bulk.

A build writes a temporary file beside the database and renames it into place only when
every table is loaded, so a failed or killed build leaves the previous database intact.
Queries from contributors run on read-only connections with external access disabled.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator, Mapping

import duckdb
import pandas as pd

from .errors import EvidenceError, QueryError

SANDBOX = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}


def schema_sql() -> str:
    return resources.files("evidence").joinpath("sql/schema.sql").read_text(encoding="utf-8")


def build_database(path: Path, tables: Mapping[str, pd.DataFrame], before_rename=None) -> None:
    """Write every table into a fresh file, then atomically replace ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(schema_sql())
            for name, frame in tables.items():
                columns = [r[0] for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                    [name]).fetchall()]
                missing = [c for c in columns if c not in frame.columns]
                if missing:
                    raise EvidenceError(f"internal: table {name} lacks columns {missing}")
                con.register("_frame", frame[columns])
                quoted = ", ".join(f'"{c}"' for c in columns)
                con.execute(f'INSERT INTO "{name}" ({quoted}) SELECT {quoted} FROM _frame')
                con.unregister("_frame")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        if before_rename:
            before_rename(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)


@contextmanager
def read_only(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A sandboxed connection: no writes, no files, no network, no extensions, settings locked."""
    if not path.is_file():
        raise EvidenceError(f"{path.name} does not exist; run `evidence build` first")
    con = duckdb.connect(str(path), read_only=True, config=dict(SANDBOX))
    try:
        yield con
    finally:
        con.close()


def fetch_df(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Run one statement; DuckDB's refusals and errors become :class:`QueryError`."""
    try:
        return con.execute(sql, dict(params or {})).df()
    except duckdb.Error as exc:
        raise QueryError(f"query refused or failed: {str(exc).splitlines()[0]}") from None
