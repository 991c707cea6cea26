"""Helpers of the hostile-input tests: a snapshot of every file, and small edits of workspace files.

A snapshot records every entry under a folder without following links or opening special
files (a FIFO must not block the snapshot itself): regular files by their bytes' hash,
links by their target, anything else by its kind. Equal snapshots mean nothing was
written, moved or deleted, temporaries included.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import stat
from pathlib import Path

# Derived caches a run may refresh (compiled templates, formatted citations, parsed inputs): not inputs, not outputs.
IGNORED = (".evidence-cache/site", ".evidence-cache/parsed")


def snapshot(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if rel.startswith(IGNORED):
                continue
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                out[rel] = "link:" + os.readlink(path)
            elif stat.S_ISDIR(info.st_mode):
                out[rel] = "dir"
            elif stat.S_ISREG(info.st_mode):
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[rel] = f"special:{stat.S_IFMT(info.st_mode)}"
    return out


def set_cell(path: Path, row: int, column: str, value: str) -> int:
    """Set one cell of a CSV file (row 1 = first data row); returns the file line of that row."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[row][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return row + 1


def replace_in(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in a text file; returns the line it stood on."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text.count("\n", 0, at) + 1


def published_copy(template: Path, target: Path):
    """A copy of a published workspace (database and site included): publishing once per session is
    much faster than once per test, and a copy keeps every byte."""
    import shutil

    from evidence.workspace import load_settings

    shutil.copytree(template, target, symlinks=True)
    return load_settings(target)
