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

import pandas as pd

from ..load.database import fetch_df, read_only
from ..errors import QueryError

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


def parse_query(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
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
                raise QueryError(f"{path.name}:{number}: bad params line '{value}'; write "
                                 "'-- params: name (text, default x): what it does'")
            params.append(Param(pm["name"], pm["type"], pm["default"], pm["doc"]))
        else:
            meta[key] = value
    name = path.stem
    if not meta.get("title") or not meta.get("description"):
        raise QueryError(f"{path.name}:1: the header needs '-- title:' and '-- description:' lines")
    return Query(name, meta["title"], meta["description"], tuple(params), text, path)


def discover(dirs: list[Path]) -> dict[str, Query]:
    """Queries by name; earlier folders (the workspace) override later ones (the package)."""
    found: dict[str, Query] = {}
    for folder in reversed(dirs):
        for path in sorted(folder.glob("*.sql")):
            if NAME_RE.match(path.stem):
                found[path.stem] = parse_query(path)
    return dict(sorted(found.items()))


def run_query(db_path: Path, query: Query, params: Mapping[str, str] | None = None) -> pd.DataFrame:
    return run_sql(db_path, query.sql, query.bind(params or {}))


def run_sql(db_path: Path, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Run SQL on a sandboxed read-only connection; refusals become QueryError."""
    with read_only(db_path) as con:
        return fetch_df(con, sql, params)
