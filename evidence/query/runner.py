"""Query stage: named, documented SQL files, run read-only in a sandbox.

A query file's name is its identity (dbt-style); its header comment gives a title, a
one-line description and typed parameters bound as ``$name``. The workspace's
``queries/`` overrides the packaged ones by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import duckdb
import pandas as pd

from ..errors import QueryError
from ..files import read_text
from ..load.database import fetch_df, read_only
from ..workspace import QueryLimits

NAME_RE = re.compile(r"^[a-z0-9_]+$")
_PARAM = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)\s*\((?P<type>text|int|number)(?:,\s*default\s+(?P<default>[^)]*))?\)\s*:\s*(?P<doc>.*)$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None
    doc: str


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    sql: str
    path: Path

    def bind(self, given: Mapping[str, str]) -> dict[str, object]:
        known = {p.name: p for p in self.params}
        unknown = set(given) - set(known)
        if unknown:
            raise QueryError(f"query '{self.name}' has no parameter {', '.join(sorted(unknown))}; "
                             f"it takes: {', '.join(known) or 'none'}")
        bound: dict[str, object] = {}
        for p in self.params:
            raw = given.get(p.name, p.default)
            if raw is None:
                raise QueryError(f"query '{self.name}' needs --param {p.name}=... ({p.doc})")
            raw = raw.strip().strip("'\"")
            try:
                bound[p.name] = int(raw) if p.type == "int" else float(raw) if p.type == "number" else raw
            except ValueError:
                raise QueryError(f"parameter {p.name}: '{raw}' is not a {p.type}") from None
        return bound


def parse_query(path: Path, root: Path | None = None) -> Query:
    """A query file's header and SQL; ``root`` is the folder a workspace query must really lie in."""
    shown = path.relative_to(root).as_posix() if root and root in path.parents else path.name
    text, problems = read_text(path, root or path.parent, shown)
    if text is None:
        p = problems[0]
        raise QueryError(f"{shown}:{p.line or 1}: {p.message}; {p.hint}")
    meta: dict[str, str] = {}
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("--"):
            break
        m = re.match(r"^--\s*(title|description|params?):\s*(.*)$", line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key.startswith("param"):
            if value.lower() in ("", "none"):
                continue
            pm = _PARAM.match(value)
            if not pm:
                raise QueryError(f"{shown}:{number}: bad params line '{value}'; write "
                                 "'-- params: name (text, default x): what it does'")
            params.append(Param(pm["name"], pm["type"], pm["default"], pm["doc"]))
        else:
            meta[key] = value
    name = path.stem
    if not meta.get("title") or not meta.get("description"):
        raise QueryError(f"{shown}:1: the header needs '-- title:' and '-- description:' lines")
    one_statement(text, shown)
    return Query(name, meta["title"], meta["description"], tuple(params), text, path)


def one_statement(sql: str, shown: str = "the query") -> None:
    """Refuse SQL that is not exactly one statement (a second one could run after a harmless first)."""
    try:
        count = len(duckdb.extract_statements(sql))
    except duckdb.Error as exc:
        raise QueryError(f"{shown}: SQL does not parse: {str(exc).splitlines()[0]}") from None
    if count != 1:
        raise QueryError(f"{shown}: {count} SQL statements; a query is exactly one statement")


def discover(dirs: list[Path]) -> dict[str, Query]:
    """Queries by name; earlier folders (the workspace) override later ones (the package)."""
    found: dict[str, Query] = {}
    for folder in reversed(dirs):
        for path in sorted(folder.glob("*.sql")):
            if NAME_RE.match(path.stem):
                found[path.stem] = parse_query(path, folder.parent)
    return dict(sorted(found.items()))


def shadowed(dirs: list[Path]) -> dict[str, Query]:
    """The packaged queries that a workspace query overrides by name (their columns are a contract)."""
    if len(dirs) < 2:
        return {}
    own = {p.stem for p in dirs[0].glob("*.sql")}
    return {name: q for name, q in discover(dirs[1:]).items() if name in own}


def run_query(db_path: Path, query: Query, params: Mapping[str, str] | None = None,
              limits: QueryLimits | None = None, max_rows: int | None = None) -> pd.DataFrame:
    return run_sql(db_path, query.sql, query.bind(params or {}), limits, max_rows)


def run_sql(db_path: Path, sql: str, params: Mapping[str, object] | None = None,
            limits: QueryLimits | None = None, max_rows: int | None = None) -> pd.DataFrame:
    """Run one SQL statement on a sandboxed read-only connection, within the time and memory limits.

    Refusals, errors and a passed time limit become :class:`QueryError`. With ``max_rows``
    the result is cut there and ``df.attrs["truncated"]`` says so.
    """
    one_statement(sql, "--sql")
    with read_only(db_path, limits) as con:
        return fetch_df(con, sql, params, max_rows)
