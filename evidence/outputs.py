"""Workspace stage, outputs: what a run may write, and the leftovers of runs that were killed.

Outputs can never touch inputs. The database file and the site folder must lie inside the
workspace and must not be, hold or sit inside any input (settings, references, articles,
queries, templates, the fetched-metadata cache): a setting such as ``output = "references"``
would otherwise let a render delete the editor's CSV files as "pages that no longer exist".
An existing database must be a DuckDB file, and an existing site folder must be empty or
carry :data:`SITE_MARKER`, the file every render leaves, so nothing else is ever replaced.

A killed build leaves ``.<db>.<pid>.tmp`` (and its ``.wal``), a killed render
``.<site>.staging-<pid>`` or ``.<site>.old-<pid>``; :func:`clean_leftovers` removes those of
processes that no longer exist, and puts the previous site back when a render died between
its two renames.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .errors import InputError, Problem
from .files import read_text
from .workspace import CONFIG_NAME, Settings

SITE_MARKER = ".evidence-site"
INPUT_FOLDERS = ("references", "articles", "queries", "site_templates")
_DUCKDB_MAGIC = b"DUCK"  # bytes 8..12 of every DuckDB database file


def inputs(settings: Settings) -> list[Path]:
    """Every path whose content the editor owns (files and folders), resolved."""
    root = settings.root.resolve()
    cache = settings.resolve.get("cache") or ".evidence-cache"
    paths = [root / CONFIG_NAME, root / ".git", *(root / name for name in INPUT_FOLDERS), (root / cache)]
    return [p.resolve() for p in paths]


def _within(path: Path, other: Path) -> bool:
    return path == other or other in path.parents


def _line(text: str, key: str) -> int | None:
    match = re.search(rf"^[ \t]*{key}[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _placement(settings: Settings, raw: str, what: str, file: str, line: int | None,
               must_be_inside: bool = True) -> tuple[Path | None, list[Problem]]:
    hint = f"use a name of its own inside the workspace, e.g. {'site' if what == 'site folder' else 'evidence.duckdb'}"
    if not raw.strip() or "\0" in raw:
        return None, [Problem(file, line, "bad-output", f"the {what} path is empty or unusable", hint)]
    root = settings.root.resolve()
    try:
        path = (root / raw).resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        return None, [Problem(file, line, "bad-output", f"the {what} path '{raw}' cannot be used ({exc})", hint)]
    if must_be_inside and (path == root or root not in path.parents):
        return None, [Problem(file, line, "output-outside", f"the {what} '{raw}' is not inside the workspace",
                              hint)]
    if _within(root, path):
        return None, [Problem(file, line, "output-over-input", f"the {what} '{raw}' would hold the workspace itself",
                              hint)]
    for owned in inputs(settings):
        if _within(path, owned) or _within(owned, path):
            shown = settings.rel(owned)
            return None, [Problem(file, line, "output-over-input",
                                  f"the {what} '{raw}' would overwrite or hold the workspace input '{shown}'", hint)]
    return path, []


def placement_problems(settings: Settings, text: str, site_raw: object, db_raw: object) -> list[Problem]:
    """Checks of ``[site] output`` and ``[database] path`` made when the settings are read."""
    site, problems = _placement(settings, str(site_raw if site_raw is not None else "site"), "site folder",
                                CONFIG_NAME, _line(text, "output"))
    db, found = _placement(settings, str(db_raw if db_raw is not None else "evidence.duckdb"), "database",
                           CONFIG_NAME, _line(text, "path"))
    problems += found
    if site and db and (_within(db, site) or _within(site, db)):
        problems.append(Problem(CONFIG_NAME, _line(text, "path"), "output-over-output",
                                "the database would lie inside the site folder (a render replaces that folder)",
                                "keep the database beside the site folder, not in it"))
    return problems


def check_site_folder(settings: Settings, output: Path, explicit: bool = False) -> None:
    """Refuse (InputError, nothing written) a site folder that is an input or holds foreign files.

    ``explicit`` is an ``--output`` given on the command line: it may lie outside the workspace,
    but the same rules about inputs and foreign content hold.
    """
    shown = "--output" if explicit else CONFIG_NAME
    line = None
    if not explicit:
        text, _ = read_text(settings.root / CONFIG_NAME, settings.root, CONFIG_NAME)
        line = _line(text or "", "output")
    path, problems = _placement(settings, str(output), "site folder", shown, line, must_be_inside=not explicit)
    output = Path(settings.rel(output))
    if path is not None:
        if settings.db_path.resolve() == path or path in settings.db_path.resolve().parents:
            problems.append(Problem(shown, line, "output-over-output", f"the site folder {output} holds the database",
                                    "render the site into a folder of its own"))
        elif path.exists() and not path.is_dir():
            problems.append(Problem(shown, line, "output-not-folder", f"{output} exists and is not a folder",
                                    "choose another output or remove that file yourself"))
        elif path.is_dir() and not (path / SITE_MARKER).is_file() and any(path.iterdir()):
            problems.append(Problem(shown, line, "output-not-a-site",
                                    f"{output} is not empty and was not rendered by evidence (no {SITE_MARKER} file)",
                                    "choose an empty or new folder; a site rendered by an earlier version: delete it "
                                    "and render again"))
    if problems:
        raise InputError(problems)


def check_database_file(settings: Settings) -> None:
    """Refuse to replace a file at the database path that is not a DuckDB database."""
    path = settings.db_path
    if not path.exists() and not path.is_symlink():
        return
    ok = path.is_file() and not path.is_symlink()
    if ok:
        with path.open("rb") as handle:
            ok = handle.read(12)[8:12] == _DUCKDB_MAGIC
    if not ok:
        text, _ = read_text(settings.root / CONFIG_NAME, settings.root, CONFIG_NAME)
        raise InputError([Problem(CONFIG_NAME, _line(text or "", "path"), "output-not-a-database",
                                  f"{settings.rel(path)} exists and is not a DuckDB database",
                                  "set [database] path to a new file name; nothing was replaced")])


# -- leftovers of killed runs ----------------------------------------------------------------

def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    except OverflowError:
        return False
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def clean_leftovers(db_path: Path, site_dir: Path) -> list[Path]:
    """Remove temporaries of dead processes; restore a site whose render died between renames.

    Returns what was removed (or restored), for tests and for a quiet log.
    """
    done: list[Path] = []
    db_tmp = re.compile(rf"^\.{re.escape(db_path.name)}\.(\d+)\.tmp(\.wal)?$")
    site_tmp = re.compile(rf"^\.{re.escape(site_dir.name)}\.(staging|old)-(\d+)$")
    folders = {db_path.parent, site_dir.parent}
    olds: list[Path] = []
    for folder in folders:
        try:
            entries = sorted(folder.iterdir()) if folder.is_dir() else []
        except OSError:
            continue
        for entry in entries:
            m = db_tmp.match(entry.name) if folder == db_path.parent else None
            if m and not _alive(int(m.group(1))):
                _remove(entry)
                done.append(entry)
                continue
            m = site_tmp.match(entry.name) if folder == site_dir.parent else None
            if m and not _alive(int(m.group(2))):
                if m.group(1) == "old":
                    olds.append(entry)
                else:
                    _remove(entry)
                    done.append(entry)
    for old in olds:  # the previous site, moved aside by a render that died before the second rename
        if not site_dir.exists():
            os.rename(old, site_dir)
        else:
            _remove(old)
        done.append(old)
    return done
