"""Read stage, parse cache: each input file's parsed table, kept by the hash of its bytes.

Parsing 100k BibTeX entries costs seconds, a million CSV rows about as much; an unchanged
file should cost a hash. Each (reader, file) has one slot in ``.evidence-cache/parsed/``:
the parsed DataFrame as Parquet and a JSON note of the content hash, the reader version, the
problems found and the column types to restore. A slot is used only when the file's hash
and the reader version both match, so an edited file or a new toolkit re-parses; a changed
file overwrites its slot, so the cache never grows past one entry per input file.

Parquet and JSON, never pickle: a cache file is data, not code. The folder is derived and
may be deleted at any time; a read-only workspace (or any cache failure) only parses again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

import pandas as pd

from ..errors import Problem
from ..files import source_digest

FORMAT = "1"  # bump when a reader's output changes shape, so every slot is parsed again
SMALL = 32_000  # bytes: below this a file is parsed every time by a cache that writes at once
# A build's cache writes its slots only once the build succeeded (``deferred``): a failed build writes
# nothing into the workspace, so it may cache small files too (pandas' per-column work makes a 50-row
# statements file parse slower than its slot loads; a newsroom has hundreds of them)
SMALL_DEFERRED = 2_000
_READERS = ("bibtex.py", "tables.py", "cache.py", "reparse.py")


def _toolkit_version() -> str:
    """Package version plus the readers' own source: a changed reader never reads a stale slot."""
    here = Path(__file__).parent
    return source_digest(FORMAT, (here / name for name in _READERS), here)


VERSION = _toolkit_version()
Parsed = tuple[pd.DataFrame, list[Problem]]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ParseCache:
    """One slot per (reader, file as shown); ``folder=None`` caches nothing."""

    def __init__(self, folder: Path | None, deferred: bool = False):
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self.reparsed = 0  # misses answered by parsing only the changed rows
        # deferred: new slots are kept in memory (their Parquet bytes, made at once so that a later change to the
        # returned frame cannot leak in) and written by ``flush`` when the caller's run succeeded
        self.pending: list[tuple[Path, bytes, dict, bytes | Path | None]] | None = [] if deferred else None

    def _slot(self, kind: str, shown: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{kind}-{hashlib.sha256(shown.encode()).hexdigest()[:20]}"

    def parsed(self, kind: str, shown: str, data: bytes, parse: Callable[[], Parsed],
               reparse: Callable[[bytes, pd.DataFrame, list[Problem]], Parsed | None] | None = None,
               source: Path | None = None) -> Parsed:
        """The cached result for these bytes, else ``parse()`` (stored for next time).

        With ``reparse``, a slot also keeps a copy of the file ``source`` these bytes came from, and an edited
        file is first offered to ``reparse(old bytes, old frame, old problems)``, which parses only what changed
        (or says None). A deferred cache copies the file when it flushes, rather than holding its bytes until
        then; a file changed in between no longer matches the slot's digest and is never used."""
        if self.folder is None or len(data) < (SMALL if self.pending is None else SMALL_DEFERRED):
            return parse()
        slot = self._slot(kind, shown)
        digest = content_hash(data)
        found = self._load(slot, digest)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        result = None
        if reparse is not None:
            previous = self._previous(slot)
            if previous is not None:
                result = reparse(*previous)
                self.reparsed += result is not None
        frame, problems = result if result is not None else parse()
        self._store(slot, digest, frame, problems, (data if self.pending is None else source)
                    if reparse is not None and source is not None else None)
        return frame, problems

    def _previous(self, slot: Path) -> tuple[bytes, pd.DataFrame, list[Problem]] | None:
        """The last parse kept in this slot, with the very bytes it came from (checked against its digest)."""
        try:
            note = json.loads(slot.with_suffix(".json").read_text(encoding="utf-8"))
            if note.get("version") != VERSION or not note.get("source"):
                return None
            source = slot.with_suffix(".src").read_bytes()
            if content_hash(source) != note.get("content"):
                return None
            frame = pd.read_parquet(slot.with_suffix(".parquet"))
            return source, _restore(frame, note["columns"], note["lists"]), [Problem(**p) for p in note["problems"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _load(self, slot: Path, digest: str) -> Parsed | None:
        try:
            note = json.loads(slot.with_suffix(".json").read_text(encoding="utf-8"))
            if note.get("content") != digest or note.get("version") != VERSION:
                return None
            frame = pd.read_parquet(slot.with_suffix(".parquet"))
        except (OSError, ValueError, KeyError):
            return None
        return _restore(frame, note["columns"], note["lists"]), [Problem(**p) for p in note["problems"]]

    def _store(self, slot: Path, digest: str, frame: pd.DataFrame, problems: list[Problem],
               source: bytes | Path | None = None) -> None:
        lists = [c for c in frame.columns if frame[c].dtype == object and
                 any(isinstance(v, list) for v in frame[c].head(50))]
        note = {"content": digest, "version": VERSION, "columns": {c: str(frame[c].dtype) for c in frame.columns},
                "lists": lists, "problems": [p.as_dict() for p in problems], "source": source is not None}
        try:
            table = frame.to_parquet(None, index=False)
        except (OSError, ValueError, TypeError, ImportError):
            return  # caching is an optimisation
        if self.pending is not None:
            self.pending.append((slot, table, note, source))
        else:
            self._write(slot, table, note, source)

    def flush(self) -> None:
        """Write the slots a deferred cache kept (call it only when the run succeeded)."""
        for slot, table, note, source in self.pending or ():
            self._write(slot, table, note, source)
        if self.pending:
            self.pending.clear()

    @staticmethod
    def _write(slot: Path, table: bytes, note: dict, source: bytes | Path | None = None) -> None:
        try:
            slot.parent.mkdir(parents=True, exist_ok=True)
            tmp = slot.with_name(f".{slot.name}.{os.getpid()}.tmp")
            if source is not None:  # the bytes the parse came from, for the next re-parse of an edit
                tmp.write_bytes(source.read_bytes() if isinstance(source, Path) else source)
                os.replace(tmp, slot.with_suffix(".src"))
            tmp.write_bytes(table)
            os.replace(tmp, slot.with_suffix(".parquet"))
            tmp.write_text(json.dumps(note, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, slot.with_suffix(".json"))  # the note last: a half-written slot never matches
        except (OSError, ValueError, TypeError):
            pass  # caching is an optimisation; a read-only workspace parses every time


def _restore(frame: pd.DataFrame, columns: dict[str, str], lists: list[str]) -> pd.DataFrame:
    """Give each column back the type the reader produced (Parquet brings strings back as ``str``)."""
    for name, dtype in columns.items():
        col = frame[name]
        if name in lists:
            frame[name] = pd.Series([v.tolist() if hasattr(v, "tolist") else v for v in col], index=frame.index,
                                    dtype=object)
        elif dtype == "object":
            values = col.to_numpy(dtype=object, na_value=None)  # one pass; None for every missing cell
            frame[name] = pd.Series(values, index=frame.index, dtype=object)
        elif str(col.dtype) != dtype:
            frame[name] = col.astype(dtype)
    return frame[list(columns)]
