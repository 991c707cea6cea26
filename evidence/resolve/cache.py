"""Resolve stage, memory: one readable JSON file per (source, normalised identifier).

Why files and not a database: an editor can open, diff and delete one answer, and a run
killed half-way leaves every file either old or new, never half-written (each write goes
to a temporary file in the same folder, is flushed to disk, then renamed over the old one
with ``os.replace``). No pickle: a cache must be readable by people and safe to load.

Layout: ``<cache>/<source>/<kind>/<value>.json``, e.g.
``.evidence-cache/crossref/doi/10.1371%2Fjournal.pone.0033693.json``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from ..files import file_problem, write_atomic
from .records import Fetched

DEFAULT_DIR = ".evidence-cache"


def cache_dir(settings: object) -> Path:
    """``[resolve] cache`` in evidence.toml (relative to the workspace), else ``.evidence-cache/``."""
    root = Path(getattr(settings, "root"))
    configured = (getattr(settings, "resolve", {}) or {}).get("cache")
    path = Path(configured) if configured else Path(DEFAULT_DIR)
    return path if path.is_absolute() else root / path


def _file_name(value: str) -> str:
    name = quote(value, safe="")
    if len(name) > 180:  # file systems cap names at 255 bytes; keep a readable prefix
        name = name[:120] + "~" + hashlib.sha256(value.encode()).hexdigest()[:16]
    return name + ".json"


class Cache:
    """Read and write :class:`Fetched` answers; never leaves a partial file behind."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, source: str, identifier: str) -> Path:
        kind, _, value = identifier.partition(":")
        return self.root / source / kind / _file_name(value)

    def get(self, source: str, identifier: str) -> Fetched | None:
        """The stored answer, or None when absent or unreadable (an unreadable file is refetched).

        A ``failed`` entry (written by versions that cached failures) is no answer either: it
        reads as never fetched, and the next run fetches it again.
        """
        path = self.path(source, identifier)
        if file_problem(path, None, str(path)) is not None:  # absent, or not a regular file: never block on it
            return None
        try:
            fetched = Fetched.from_dict(json.loads(path.read_text(encoding="utf-8")))
            return None if fetched.status == "failed" else fetched  # an old failure is not an answer
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, fetched: Fetched) -> Path:
        """Write atomically: temp file in the same folder, fsync, ``os.replace``."""
        path = self.path(fetched.source, fetched.identifier)
        write_json(path, fetched.as_dict())
        return path

    def entries(self) -> Iterator[Fetched]:
        """Every readable entry (for the ``metadata`` table); temp files are skipped."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("*/*/*.json")):
            if path.name.startswith(".") or file_problem(path, None, str(path)) is not None:
                continue
            try:
                fetched = Fetched.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if fetched.status != "failed":
                yield fetched


def write_json(path: Path, data: object) -> None:
    """One JSON file, written atomically (``files.write_atomic``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def file_name(value: str) -> str:
    """The cache's file name for an identifier value (shared with the source-text cache)."""
    return _file_name(value)


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
