"""Workspace stage: find the workspace, read ``evidence.toml``, resolve paths.

A workspace's own ``queries/`` and ``site_templates/`` override the packaged defaults
by file name, so an editor can change one template without copying all of them.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Problem, WorkspaceNotFound

CONFIG_NAME = "evidence.toml"
PACKAGE_DIR = Path(__file__).resolve().parent

_KNOWN = {
    "site": {"title", "base_url", "output", "description"},
    "database": {"path"},
    "resolve": {"mailto", "crossref_url", "ncbi_url", "europepmc_url", "idconv_url", "cache", "ncbi_api_key",
                "timeout", "retries", "backoff", "safety"}
    | {f"{svc}_{knob}" for svc in ("crossref", "crossref_search", "ncbi", "europepmc") for knob in ("rate", "concurrency")},
}


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
        """A path as shown in messages: relative to the workspace when inside it."""
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
    """Read and validate ``evidence.toml``; unknown keys are errors, not silent typos."""
    root = find_root(root)
    path = root / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError([Problem(CONFIG_NAME, line, "bad-toml", str(exc), "fix the TOML syntax")]) from exc
    problems = []
    text = path.read_text(encoding="utf-8")
    for section, values in data.items():
        if section not in _KNOWN or not isinstance(values, dict):
            problems.append(Problem(CONFIG_NAME, _line_of(text, rf"^[ \t]*\[[ \t]*{re.escape(section)}[ \t]*\]"),
                                    "unknown-setting", f"unknown section [{section}]",
                                    f"known sections: {', '.join(sorted(_KNOWN))}"))
            continue
        for key in values:
            if key not in _KNOWN[section]:
                close = difflib.get_close_matches(key, sorted(_KNOWN[section]), n=1)
                problems.append(Problem(CONFIG_NAME, _line_of(text, rf"^[ \t]*{re.escape(key)}[ \t]*="), "unknown-setting",
                                        f"unknown key {section}.{key}",
                                        f"did you mean '{close[0]}'?" if close else
                                        f"known keys: {', '.join(sorted(_KNOWN[section]))}"))
    if problems:
        raise InputError(problems)
    site = data.get("site", {})
    db = data.get("database", {})
    res = data.get("resolve", {})
    base_url = str(site.get("base_url", "/"))
    if not base_url.endswith("/"):
        base_url += "/"
    return Settings(
        root=root,
        site_title=str(site.get("title", "Evidence")),
        site_description=str(site.get("description", "")),
        base_url=base_url,
        site_dir=root / str(site.get("output", "site")),
        db_path=root / str(db.get("path", "evidence.duckdb")),
        mailto=str(res.get("mailto", os.environ.get("EVIDENCE_MAILTO", ""))),
        resolve={k: str(v) for k, v in res.items()},
    )
