"""Render stage, writing the site: into a staging folder that replaces the site in one rename.

Files this site writes, in the folders it writes them to: one of these that the new render did
not write is a page of something that no longer exists, and is dropped; any other file in the
site folder (an editor's CNAME, a logo, notes/*.csv) is carried over untouched.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import EvidenceError
from ..outputs import SITE_MARKER

OWNED_SUFFIXES = {".html", ".csv", ".json", ".css", ".svg", ".parquet", ".duckdb"}
REPORT_SUFFIXES = {".docx", ".md"}  # owned in reports/ only: an editor's notes.md at the top is theirs
SITE_FOLDERS = ("articles", "treatments", "conditions", "studies", "queries", "downloads", "static", "reports")
REPORT_FORMATS = ("docx", "markdown")  # each article's report for writers, in reports/ beside the pages


@dataclass
class SiteResult:
    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    removed: int = 0

    @property
    def pages(self) -> int:
        return len(self.written) + self.unchanged


class Writer:
    """Write-if-changed into a staging folder that replaces the site in one rename when complete.

    An unchanged file is hard-linked from the current site (same bytes, same inode, same
    mtime), so it is not rewritten; a failed or interrupted render deletes the staging folder
    and leaves the previous site exactly as it was.
    """

    def __init__(self, root: Path):
        self.root = root.resolve()
        if (self.root / "evidence.toml").exists() or (self.root / ".git").exists():
            raise EvidenceError(f"{root} holds a workspace or repository; render the site into a folder of its own")
        self.stage = self.root.with_name(f".{self.root.name}.staging-{os.getpid()}")
        shutil.rmtree(self.stage, ignore_errors=True)
        self.stage.mkdir(parents=True)
        if (self.root / SITE_MARKER).is_file():  # linked, like an unchanged page: its mtime stays
            _link(self.root / SITE_MARKER, self.stage / SITE_MARKER)
        else:
            (self.stage / SITE_MARKER).write_text("Rendered by `evidence site`; the next render replaces this folder.\n",
                                                  encoding="utf-8")
        self.result = SiteResult()
        self.seen: set[str] = set()
        # plain strings, not Paths: a render of 100k unchanged pages links 100k files
        self._root, self._stage = str(self.root), str(self.stage)
        self._dirs: set[str] = {self._stage}

    def _old(self, rel: str) -> str:
        return os.path.join(self._root, rel)

    def _new(self, rel: str) -> str:
        path = os.path.join(self._stage, rel)
        folder = os.path.dirname(path)
        if folder not in self._dirs:
            os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)
        return path

    def write(self, rel: str, content: str | bytes) -> bool:
        """Stage ``content`` at ``rel``, linking the current file when it holds these bytes; True if new."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.seen.add(rel)
        old = self._old(rel)
        if os.path.isfile(old) and os.stat(old).st_size == len(data) and Path(old).read_bytes() == data:
            _link(old, self._new(rel))
            self.result.unchanged += 1
            return False
        Path(self._new(rel)).write_bytes(data)
        self.result.written.append(self.root / rel)
        return True

    def copy(self, rel: str, source: Path) -> None:
        """Stage a (large) file without reading it into memory."""
        self.seen.add(rel)
        shutil.copyfile(source, self._new(rel))
        self.result.written.append(self.root / rel)

    def keep(self, rel: str) -> None:
        """Carry a file of the current site over unchanged."""
        self.seen.add(rel)
        _link(self._old(rel), self._new(rel))
        self.result.unchanged += 1

    def commit(self) -> None:
        """Carry over files the site does not own, count the pages that are gone, then swap folders."""
        if self.root.is_dir():
            for rel in sorted(r for r in _files(self._root) if r not in self.seen and r != SITE_MARKER):
                folder = rel.split("/")[0] if "/" in rel else ""
                suffix = os.path.splitext(rel)[1]
                if (suffix in OWNED_SUFFIXES and folder in ("", *SITE_FOLDERS)) or \
                        (folder == "reports" and suffix in REPORT_SUFFIXES):
                    self.result.removed += 1  # a page of something that no longer exists
                else:
                    _link(self._old(rel), self._new(rel))  # an editor's own file (a logo, a CNAME): keep it
        old = self.root.with_name(f".{self.root.name}.old-{os.getpid()}")
        if self.root.exists():
            os.rename(self.root, old)
        try:
            os.rename(self.stage, self.root)
        except OSError:
            if old.exists() and not self.root.exists():
                os.rename(old, self.root)  # put the previous site back before reporting
            raise
        shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


def _files(root: str) -> Iterator[str]:
    """Every file under ``root``, as a relative path with '/' separators."""
    for folder, _, names in os.walk(root):
        rel_dir = os.path.relpath(folder, root)
        for name in names:
            if os.path.isfile(os.path.join(folder, name)):
                yield name if rel_dir == "." else f"{rel_dir}/{name}".replace(os.sep, "/")


def _link(src: str | Path, dst: str | Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # no hard links on this file system: a copy keeps the bytes and the mtime
        shutil.copy2(src, dst)
