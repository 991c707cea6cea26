"""Load stage: the DuckDB file, built atomically from DataFrames in bulk.

A build writes a temporary file beside the database and renames it into place only when
every table is loaded, so a failed or killed build leaves the previous database intact.
Queries from contributors run on read-only connections with external access disabled.
"""

from __future__ import annotations

import hashlib
import os
import threading
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator, Mapping

import duckdb
import pandas as pd

from ..errors import EvidenceError, InputError, Problem, QueryError
from ..workspace import QueryLimits

SANDBOX = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}


def schema_sql() -> str:
    return resources.files("evidence.load").joinpath("schema.sql").read_text(encoding="utf-8")


DIGEST_PREFIX = "content digest: "  # a build records its content digest as the comment of build_info


def summaries_sql() -> str:
    """Pre-aggregated tables, built from the loaded tables (the canned per-treatment queries read them)."""
    return resources.files("evidence.load").joinpath("summaries.sql").read_text(encoding="utf-8")


def content_digest(con: duckdb.DuckDBPyConnection) -> str:
    """A hash of every table's rows in order, the schema and the DuckDB version (not of the file's bytes).

    DuckDB stamps a random identifier into every new file, so two builds of the same data differ
    byte for byte; this digest does not, and lets a build keep the previous file instead.
    """
    h = hashlib.sha256(f"{duckdb.__version__}\n{schema_sql()}\n{summaries_sql()}".encode())
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' "
        "AND table_name <> 'build_info' ORDER BY table_name").fetchall()]
    for name in names:
        count, digest = con.execute(
            f'SELECT count(*), md5(string_agg(CAST(hash(t) AS VARCHAR), \',\' ORDER BY rowid)) FROM "{name}" t').fetchone()
        h.update(f"{name}:{count}:{digest}\n".encode())
    return h.hexdigest()


def stored_digest(path: Path) -> str | None:
    """The content digest recorded in an existing database, if any (a database from before digests has none)."""
    if not path.is_file():
        return None
    try:
        con = duckdb.connect(str(path), read_only=True)
        try:
            row = con.execute("SELECT comment FROM duckdb_tables() WHERE database_name = current_database() "
                              "AND schema_name = 'main' AND table_name = 'build_info'").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return None
    comment = str(row[0]) if row and row[0] else ""
    return comment.removeprefix(DIGEST_PREFIX) if comment.startswith(DIGEST_PREFIX) else None


def build_database(path: Path, tables: Mapping[str, pd.DataFrame], before_rename=None) -> bool:
    """Write every table into a fresh file, then atomically replace ``path``; True if it was replaced.

    When the new tables hold exactly what the current file holds (same content digest), the
    current file is kept, so an unchanged workspace gives a byte-identical database and download.
    A folder that cannot be written (read-only, full disk) is an input problem naming the
    folder, not a traceback; the previous database is untouched either way.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        return _write_database(path, tmp, tables, before_rename)
    except (OSError, duckdb.IOException, duckdb.PermissionException) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise InputError([Problem(str(path.parent), None, "cannot-write",
                                  f"cannot write the database {path.name} in {path.parent}: {reason}",
                                  "make the folder writable or set [database] path elsewhere in the workspace")]) from None


def _write_database(path: Path, tmp: Path, tables: Mapping[str, pd.DataFrame], before_rename) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
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
            con.execute(summaries_sql())
            digest = content_digest(con)
            # in the catalog, not in a table, so that the digest is not itself a download that changes
            con.execute(f"COMMENT ON TABLE build_info IS '{DIGEST_PREFIX}{digest}'")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        if before_rename:
            before_rename(tmp)
        if stored_digest(path) == digest:
            return False  # same content: keep the file (and its bytes) as they are
        os.replace(tmp, path)
        return True
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)


_TIMEOUTS: dict[int, float] = {}  # time limit per open sandboxed connection (DuckDB connections take no attributes)


@contextmanager
def read_only(path: Path, limits: QueryLimits | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A sandboxed connection: no writes, no files, no network, no extensions, settings locked.

    The memory limit and thread count are part of the configuration given at connect time,
    so they are in force before ``lock_configuration`` freezes everything.
    """
    if not path.is_file():
        raise EvidenceError(f"{path.name} does not exist; run `evidence build` first")
    limits = limits or QueryLimits()
    config = {"memory_limit": limits.memory_limit, "threads": limits.threads, **SANDBOX}
    del config["lock_configuration"]  # locked below, once the session settings are made
    try:
        con = duckdb.connect(str(path), read_only=True, config=config)
        con.execute("SET enable_progress_bar = false")  # a long query must not draw on the terminal
        con.execute("SET lock_configuration = true")
    except duckdb.Error as exc:
        raise EvidenceError(f"cannot open {path.name}: {str(exc).splitlines()[0]}; run `evidence build` again") from None
    _TIMEOUTS[id(con)] = limits.timeout  # read by fetch_df: DuckDB has no statement timeout of its own
    try:
        yield con
    finally:
        _TIMEOUTS.pop(id(con), None)
        con.close()


def _timed(con: duckdb.DuckDBPyConnection, run):
    """Run ``run()``; interrupt the connection when the time limit passes (DuckDB has no statement timeout)."""
    timeout = _TIMEOUTS.get(id(con))
    if not timeout:
        return run()
    expired = threading.Event()

    def stop() -> None:
        expired.set()
        con.interrupt()

    timer = threading.Timer(timeout, stop)
    timer.daemon = True
    timer.start()
    try:
        return run()
    except duckdb.Error:
        if expired.is_set():
            raise QueryError(f"query stopped after the time limit of {timeout:g} s "
                             "([query] timeout in evidence.toml)") from None
        raise
    finally:
        timer.cancel()


def fetch_df(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, object] | None = None,
             max_rows: int | None = None) -> pd.DataFrame:
    """Run one statement within the connection's time limit; refusals and errors become :class:`QueryError`.

    With ``max_rows``, at most that many rows are fetched; ``df.attrs["truncated"]`` says
    whether more existed (the printed output says it was cut).
    """
    def run() -> pd.DataFrame:
        cursor = con.execute(sql, dict(params or {}))
        if max_rows is None:
            return cursor.df()
        names = [d[0] for d in cursor.description] if cursor.description else []
        got = cursor.fetchmany(max_rows + 1)
        df = pd.DataFrame.from_records(got[:max_rows], columns=names)
        df.attrs["truncated"] = len(got) > max_rows
        return df

    try:
        return _timed(con, run)
    except duckdb.Error as exc:
        raise QueryError(f"query refused or failed: {str(exc).splitlines()[0]}") from None


# --- Exports for the site's downloads page (added for the render stage; nothing above changed) ---

from dataclasses import dataclass  # noqa: E402  (kept with the code that uses it: this block was appended)


@dataclass(frozen=True)
class ExportedTable:
    """One table written as Parquet and CSV: its name, row count, columns and the two files."""

    name: str
    rows: int
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type)
    parquet: Path
    csv: Path


@dataclass(frozen=True)
class TableFacts:
    """A table of the built database as the downloads page lists it, with a digest of its content."""

    name: str
    rows: int
    columns: tuple[tuple[str, str], ...]
    digest: str  # the columns, the row count and the sum of the rows' hashes: equal digests, equal exports


def table_facts(db_path: Path) -> list[TableFacts]:
    """Every table's name, size, columns and content digest, without exporting it (a render exports only
    the tables whose digest changed)."""
    if not db_path.is_file():
        raise EvidenceError(f"{db_path.name} does not exist; run `evidence build` first")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        out = []
        for name in _table_names(con):
            columns = _columns(con, name)
            rows, total = con.execute(f'SELECT count(*), sum(CAST(hash(t) AS HUGEINT)) FROM "{name}" t').fetchone()
            digest = hashlib.sha256(f"{duckdb.__version__}|{CSV_NEUTRALISE}|{columns!r}|{rows}|{total}".encode()).hexdigest()
            out.append(TableFacts(name, int(rows), columns, digest))
        return out
    finally:
        con.close()


def _table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' ORDER BY table_name").fetchall()]


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> tuple[tuple[str, str], ...]:
    return tuple((c, t) for c, t in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [name]).fetchall())


def export_tables(db_path: Path, out_dir: Path, only: set[str] | None = None) -> list[ExportedTable]:
    """Every table of the built database as ``<table>.parquet`` and ``<table>.csv`` in ``out_dir``.

    DuckDB's COPY does the writing (``only``: just these tables). This is a normal (not sandboxed) read-only connection,
    because COPY must write files; it runs only our own SQL, never a contributor's. Rows are
    sorted on every column and the connection is single-threaded, so the same data gives
    byte-identical files (the site must be deterministic, downloads included).
    """
    if not db_path.is_file():
        raise EvidenceError(f"{db_path.name} does not exist; run `evidence build` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        con.execute("SET threads = 1")
        con.execute("SET preserve_insertion_order = true")
        exported = []
        for name in _table_names(con):
            if only is not None and name not in only:
                continue
            columns = _columns(con, name)
            rows = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            parquet, csv = out_dir / f"{name}.parquet", out_dir / f"{name}.csv"
            select = f'SELECT * FROM "{name}" ORDER BY ALL'
            con.execute(f"COPY ({select}) TO '{_sql_path(parquet)}' (FORMAT parquet, COMPRESSION zstd)")
            safe = ", ".join(CSV_NEUTRALISE.format(c=c.replace('"', '""')) if t == "VARCHAR" else f'"{c}"'
                             for c, t in columns)
            con.execute(f"COPY (SELECT {safe} FROM ({select})) TO '{_sql_path(csv)}' (FORMAT csv, HEADER true)")
            exported.append(ExportedTable(name, int(rows), columns, parquet, csv))
        return exported
    finally:
        con.close()


# OWASP's CSV-injection rule for text columns (see evidence.render.csv_safety): a cell that a
# spreadsheet would run as a formula gets a leading single quote. Numeric columns are not touched.
CSV_NEUTRALISE = ("CASE WHEN regexp_matches(\"{c}\", '^[=+\\-@\\t\\r]') THEN '''' || \"{c}\" "
                  "ELSE \"{c}\" END AS \"{c}\"")


def _sql_path(path: Path) -> str:
    """A file path as a single-quoted SQL literal body."""
    return str(path).replace("'", "''")


def fetch_records(con: duckdb.DuckDBPyConnection, sql: str,
                  params: Mapping[str, object] | None = None) -> list[dict[str, object]]:
    """Run one statement; rows as dicts of plain Python values (None for NULL, lists for LISTs).

    For code that walks every row in Python (the site): building dicts straight from DuckDB's
    tuples is several times faster than going through a DataFrame.
    """
    def run() -> list[dict[str, object]]:
        cursor = con.execute(sql, dict(params or {}))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    try:
        return _timed(con, run)
    except duckdb.Error as exc:
        raise QueryError(f"query refused or failed: {str(exc).splitlines()[0]}") from None
