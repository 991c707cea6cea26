"""Workspace stage: find the workspace, read ``evidence.toml``, resolve paths.

A workspace's own ``queries/`` and ``site_templates/`` override the packaged defaults
by file name, so an editor can change one template without copying all of them.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Problem, WorkspaceNotFound
from .files import read_text
from .identifiers import is_safe_url

CONFIG_NAME = "evidence.toml"
PACKAGE_DIR = Path(__file__).resolve().parent

_KNOWN = {
    "site": {"title", "base_url", "output", "description"},
    "database": {"path"},
    "resolve": {"mailto", "crossref_url", "ncbi_url", "europepmc_url", "idconv_url", "cache", "ncbi_api_key",
                "timeout", "retries", "backoff", "safety", "deadline", "max_redirects", "max_bytes"}
    | {f"{svc}_{knob}" for svc in ("crossref", "crossref_search", "ncbi", "europepmc") for knob in ("rate", "concurrency")},
    "query": {"timeout", "memory_limit", "max_rows", "max_bytes", "threads"},
    "labels": {"intervention", "interventions", "condition", "conditions"},
}


@dataclass(frozen=True)
class Labels:
    """What the workspace calls its two vocabularies (``[labels]`` in evidence.toml).

    The package knows interventions and the conditions they are studied in; a workspace names them in
    its own words in evidence.toml, so no page speaks of one topic's vocabulary unless the workspace
    does.
    """

    intervention: str = "Intervention"
    interventions: str = "Interventions"
    condition: str = "Condition"
    conditions: str = "Conditions"


@dataclass(frozen=True)
class QueryLimits:
    """Limits on every query (``[query]`` in evidence.toml): a laptop must stay responsive.

    ``timeout`` seconds per statement, DuckDB's ``memory_limit`` and ``threads``, and the
    rows and bytes that ``evidence query`` prints before it says it cut the output.
    """

    timeout: float = 30.0
    memory_limit: str = "1GB"
    threads: int = 2
    max_rows: int = 1000
    max_bytes: int = 1_000_000


def _packaged(name: str) -> Path:
    """Packaged defaults: installed as evidence/default_<kind>, or the repository root in a checkout."""
    inside = PACKAGE_DIR / {"queries": "default_queries", "site_templates": "default_templates"}[name]
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about where things are."""

    root: Path
    site_title: str = "Evidence"
    site_description: str = ""
    base_url: str = "/"
    site_dir: Path = Path("site")
    db_path: Path = Path("evidence.duckdb")
    mailto: str = ""
    resolve: dict[str, str] = field(default_factory=dict)
    limits: QueryLimits = field(default_factory=QueryLimits)
    labels: Labels = field(default_factory=Labels)

    @property
    def references_dir(self) -> Path:
        return self.root / "references"

    @property
    def articles_dir(self) -> Path:
        return self.root / "articles"

    @property
    def query_dirs(self) -> list[Path]:
        return [p for p in (self.root / "queries", _packaged("queries")) if p.is_dir()]

    @property
    def template_dirs(self) -> list[Path]:
        return [p for p in (self.root / "site_templates", _packaged("site_templates")) if p.is_dir()]

    def is_input(self, path: Path) -> bool:
        """True for a file an editor writes (settings, references, articles, queries, templates): never an output."""
        target = path.resolve()
        if target == (self.root / CONFIG_NAME).resolve():
            return True
        folders = ("references", "articles", "queries", "site_templates")
        return any(target.is_relative_to((self.root / f).resolve()) for f in folders)

    def rel(self, path: Path) -> str:
        """A path as shown in messages: relative to the workspace when inside it (links not followed)."""
        try:
            return str(Path(os.path.abspath(path)).relative_to(self.root))
        except ValueError:
            pass
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def _line_of(text: str, pattern: str) -> int | None:
    """The line a TOML key or table stands on, so that a settings error points at it."""
    match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` holding ``evidence.toml``."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_NAME).is_file():
            return candidate
    raise WorkspaceNotFound(
        f"no {CONFIG_NAME} in {here} or any parent folder; run `evidence init DIR` to create a workspace"
    )


def load_settings(root: Path | None = None) -> Settings:
    """Read and validate ``evidence.toml``; unknown keys, wrong types and unsafe paths are errors."""
    root = find_root(root)
    path = root / CONFIG_NAME
    text, problems = read_text(path, root, CONFIG_NAME)
    if text is None:
        raise InputError(problems)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError([Problem(CONFIG_NAME, line, "bad-toml", str(exc), "fix the TOML syntax")]) from None
    for section, values in data.items():
        if section not in _KNOWN or not isinstance(values, dict):
            problems.append(Problem(CONFIG_NAME, _line_of(text, rf"^[ \t]*\[[ \t]*{re.escape(section)}[ \t]*\]"),
                                    "unknown-setting", f"unknown section [{section}]",
                                    f"known sections: {', '.join(sorted(_KNOWN))}"))
            continue
        for key, value in values.items():
            line = _line_of(text, rf"^[ \t]*{re.escape(key)}[ \t]*=")
            if key not in _KNOWN[section]:
                close = difflib.get_close_matches(key, sorted(_KNOWN[section]), n=1)
                problems.append(Problem(CONFIG_NAME, line, "unknown-setting",
                                        f"unknown key {section}.{key}",
                                        f"did you mean '{close[0]}'?" if close else
                                        f"known keys: {', '.join(sorted(_KNOWN[section]))}"))
                continue
            why = _type_problem(section, key, value)
            if why:
                problems.append(Problem(CONFIG_NAME, line, "bad-setting", f"{section}.{key} = {value!r}: {why}",
                                        _HINTS.get(_kind(section, key), "see 'Safety' in README.md"),
                                        field=f"{section}.{key}"))
    if problems:
        raise InputError(problems)
    site = data.get("site", {})
    db = data.get("database", {})
    res = data.get("resolve", {})
    query = data.get("query", {})
    labels = data.get("labels", {})
    base_url = str(site.get("base_url", "/"))
    if not base_url.endswith("/"):
        base_url += "/"
    settings = Settings(
        root=root,
        site_title=str(site.get("title", "Evidence")),
        site_description=str(site.get("description", "")),
        base_url=base_url,
        site_dir=root / str(site.get("output", "site")),
        db_path=root / str(db.get("path", "evidence.duckdb")),
        mailto=str(res.get("mailto", os.environ.get("EVIDENCE_MAILTO", ""))),
        resolve={k: str(v) for k, v in res.items()},
        limits=QueryLimits(**{k: (str(v) if k == "memory_limit" else float(v) if k == "timeout" else int(v))
                              for k, v in query.items()}),  # a quoted number ("10") is accepted, so convert
        labels=Labels(**{k: str(v).strip() for k, v in labels.items()}),
    )
    from .outputs import placement_problems  # beside this module; it needs Settings

    problems = placement_problems(settings, text, site.get("output"), db.get("path"))
    if problems:
        raise InputError(problems)
    return settings


# -- types of settings -------------------------------------------------------------------------

def _kind(section: str, key: str) -> str:
    if section == "query":
        return {"timeout": "seconds", "memory_limit": "memory", "max_rows": "count", "max_bytes": "count",
                "threads": "count"}[key]
    if section == "resolve":
        if key in ("timeout", "backoff", "deadline") or key.endswith("_rate"):
            return "seconds"
        if key == "safety":
            return "fraction"
        if key in ("retries", "max_redirects", "max_bytes") or key.endswith("_concurrency"):
            return "count" if key != "retries" else "count0"
        if key.endswith("_url"):
            return "url"
    if (section, key) == ("site", "base_url"):
        return "base_url"
    return "text"


_HINTS = {
    "seconds": "write a positive number of seconds, e.g. 10",
    "fraction": "write a number above 0 and at most 1, e.g. 0.95",
    "count": "write a positive whole number, e.g. 1000",
    "count0": "write a whole number, 0 or more",
    "memory": "write a size such as \"1GB\" or \"500MB\"",
    "url": "write a full http:// or https:// address",
    "base_url": "write the site's address (https://example.org/evidence/) or a path starting with /",
    "text": "write the value in double quotes",
}


def _type_problem(section: str, key: str, value: object) -> str | None:
    """Why ``value`` does not suit ``section.key`` (None when it does): TOML types are checked, not str()-ed."""
    kind = _kind(section, key)
    if kind in ("seconds", "fraction", "count", "count0") and isinstance(value, str):
        try:  # a quoted number ("1000") has always been accepted
            value = float(value) if kind in ("seconds", "fraction") else int(value.strip())
        except ValueError:
            return "not a number"
    if kind in ("seconds", "fraction"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "not a number"
        if not math.isfinite(value) or value <= 0 or (kind == "fraction" and value > 1):
            return "out of range"
        return None
    if kind in ("count", "count0"):
        if isinstance(value, bool) or not isinstance(value, int):
            return "not a whole number"
        return "out of range" if value < (0 if kind == "count0" else 1) or value > 2**40 else None
    if not isinstance(value, str):
        return "not a text value"
    if "\0" in value:
        return "contains a NUL character"
    if section == "labels" and not (0 < len(value.strip()) <= 60):
        return "a label must be 1 to 60 characters"
    if kind == "memory" and not re.fullmatch(r"\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", value, re.I):
        return "not a size"
    if kind == "url" and not is_safe_url(value):
        return "not an http(s) address"
    if kind == "base_url" and not (is_safe_url(value) or (value.startswith("/") and not value.startswith("//")
                                                         and not re.search(r"[\s\\\"'<>]", value))):
        return "not an http(s) address or a path starting with /"
    return None
