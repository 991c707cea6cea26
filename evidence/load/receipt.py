"""Load stage, the build's receipt: what the last build read and the database file it wrote.

An unchanged workspace should rebuild in the time it takes to hash its inputs. After every
successful build a receipt is kept in ``.evidence-cache/build/receipt.json``: one digest of
everything the build reads (the bytes of every file in ``references/`` and ``articles/``,
``evidence.toml``, the settings as read, the fetched-metadata cache's file names, sizes and
times, the toolkit's own code and the DuckDB version), the database file it wrote (device,
inode, size, modification time and the SHA-256 of its bytes), and what the build reported
(warnings, counts, each article's verdict counts) so the same report can be printed again.

The next build with the same input digest keeps the database as it is, but only when the file
at the database path is provably that one: the same inode, size and time *and* the same
bytes. A file replaced, touched or edited by anything else is rebuilt, never trusted. Anything
unusual (a symlink or a FIFO among the inputs, an unreadable file, a broken receipt) means a
full build. A build that fails leaves the receipt as it is (a failed build writes nothing): it
names the database file by its bytes, so it can never vouch for a file another run wrote.
JSON, never pickle: the receipt is data, and may be deleted at any time.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..resolve.cache import cache_dir
from ..workspace import CONFIG_NAME, Settings

FORMAT = "1"
_PACKAGE = Path(__file__).resolve().parent.parent  # evidence/
_CHUNK = 1 << 20


def receipt_path(settings: Settings) -> Path:
    return settings.root / ".evidence-cache" / "build" / "receipt.json"


@lru_cache(maxsize=1)
def toolkit_digest() -> str:
    """The code that turns inputs into a database: every module and SQL file of the package, the
    package, DuckDB and Python versions. A changed toolkit never reuses an old database."""
    h = hashlib.sha256(f"{FORMAT}\n{sys.version}\n".encode())
    for name in ("evidence-desk", "duckdb", "pandas", "bibtexparser", "statsmodels", "scipy", "numpy"):
        try:
            h.update(f"{name}={version(name)}\n".encode())
        except PackageNotFoundError:
            h.update(f"{name}=?\n".encode())
    for path in sorted(p for p in _PACKAGE.rglob("*") if p.suffix in (".py", ".sql", ".toml", ".csv", ".json")
                       and "__pycache__" not in p.parts):
        h.update(f"{path.relative_to(_PACKAGE)}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _hash_file(h: Any, path: str) -> None:
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            h.update(chunk)


def _folder(h: Any, folder: Path, shown: str) -> bool:
    """Hash every regular file directly in ``folder`` (names and bytes); False for anything the reader
    would refuse or could be blocked by (symlink, FIFO, device): those take the full build."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        h.update(f"{shown}: absent\n".encode())
        return True
    except OSError:
        return False
    h.update(f"{shown}/\n".encode())
    for entry in entries:
        if entry.is_symlink():
            return False
        if entry.is_dir(follow_symlinks=False):
            h.update(f"{entry.name}/ (folder)\n".encode())  # the readers glob one level only
            continue
        if not entry.is_file(follow_symlinks=False):
            return False
        h.update(f"{entry.name}\0".encode())
        _hash_file(h, entry.path)
        h.update(b"\0")
    return True


def _fetched_cache(h: Any, root: Path) -> None:
    """The resolver's cache, by name, size and time of each file (written atomically: a new answer is a new
    inode and time). The build's own folders in it (parsed tables, check memo, this receipt, the site's)
    are derived and left out."""
    if not root.is_dir():  # the same as a cache of derived folders only: the first build creates those
        return
    derived = {"parsed", "check", "build", "site", "synthesis"}
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == root:
            dirnames[:] = [d for d in dirnames if d not in derived and not d.startswith(".")]
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            h.update(f"{os.path.relpath(path, root)}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())


def input_digest(settings: Settings) -> str | None:
    """One digest of everything a build reads; None when the inputs hold something only a full build may judge."""
    h = hashlib.sha256(f"{toolkit_digest()}\n{settings!r}\n".encode())
    config = settings.root / CONFIG_NAME
    try:
        if config.is_symlink() or not config.is_file():
            return None
        h.update(b"evidence.toml\0")
        _hash_file(h, str(config))
    except OSError:
        return None
    for name in ("references", "articles"):
        if not _folder(h, settings.root / name, name):
            return None
    _fetched_cache(h, cache_dir(settings))
    return h.hexdigest()


def file_identity(path: Path) -> dict[str, object] | None:
    """What proves a database file is the one a build wrote: where it lives on disk, its size, its time and
    the SHA-256 of its bytes."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            return None
        h = hashlib.sha256()
        _hash_file(h, str(path))
        again = os.lstat(path)
    except OSError:
        return None
    if (again.st_size, again.st_mtime_ns, again.st_ino) != (st.st_size, st.st_mtime_ns, st.st_ino):
        return None  # changed while it was read
    return {"path": str(path), "device": st.st_dev, "inode": st.st_ino, "size": st.st_size,
            "mtime_ns": st.st_mtime_ns, "sha256": h.hexdigest()}


def _same_stat(path: Path, known: dict[str, object]) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (stat.S_ISREG(st.st_mode) and str(path) == known.get("path") and st.st_dev == known.get("device")
            and st.st_ino == known.get("inode") and st.st_size == known.get("size")
            and st.st_mtime_ns == known.get("mtime_ns"))


def unchanged_build(settings: Settings, digest: str | None) -> dict[str, Any] | None:
    """The receipt of the last build when ``digest`` is what it read and the database is still the file it
    wrote, byte for byte; else None (build in full)."""
    if digest is None:
        return None
    try:
        receipt = json.loads(receipt_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(receipt, dict) or receipt.get("inputs") != digest or not isinstance(receipt.get("database"), dict):
        return None
    known = receipt["database"]
    if not _same_stat(settings.db_path, known):  # cheap refusal first
        return None
    found = file_identity(settings.db_path)
    if found is None or found != known:
        return None
    return receipt


def write_receipt(settings: Settings, digest: str | None, report: dict[str, Any]) -> None:
    """Record what this build read and the database file it leaves (atomically; a failure only costs speed)."""
    if digest is None:
        return
    identity = file_identity(settings.db_path)
    if identity is None:
        return
    path = receipt_path(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"inputs": digest, "database": identity, **report}, ensure_ascii=False),
                       encoding="utf-8")
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):
        pass
