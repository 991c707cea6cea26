"""Reading a workspace file safely: regular files only, inside the workspace, UTF-8, no NUL bytes.

Why before opening: ``open()`` on a FIFO blocks until a writer appears, and on a device it
may never end; a symlink may publish a file from outside the workspace (``/etc/hostname``
in 78 pages). So the file's kind and real place are checked with ``lstat``/``resolve``
first, and an undecodable file is *one* problem at its byte offset and line, not hundreds
of follow-on errors from a reader that guessed.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Iterable

from .errors import Problem


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def file_problem(path: Path, root: Path | None, shown: str) -> Problem | None:
    """Why ``path`` may not be read as a workspace file (None when it may).

    ``root`` is the folder the file must really lie in (after following symlinks); None for
    the package's own files.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return Problem(shown, None, "missing-file", f"{shown} does not exist", "create it or fix the name")
    except OSError as exc:
        return Problem(shown, None, "unreadable", f"cannot read {shown}: {exc.strerror}", "check its permissions")
    if stat.S_ISLNK(info.st_mode):
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return Problem(shown, None, "broken-symlink", f"{shown} is a symbolic link to nothing",
                           "replace the link with the file itself")
        if root is not None and not _inside(real, root.resolve()):
            return Problem(shown, None, "symlink-outside", f"{shown} links to {real}, outside the workspace",
                           "copy the file into the workspace instead of linking to it")
        info = os.stat(real)
    if stat.S_ISDIR(info.st_mode):
        return Problem(shown, None, "not-a-file", f"{shown} is a folder, not a file",
                       "rename or remove the folder; a file is expected here")
    if not stat.S_ISREG(info.st_mode):
        return Problem(shown, None, "not-a-file", f"{shown} is not a regular file (a pipe, socket or device)",
                       "replace it with an ordinary file")
    return None


def decode(data: bytes, shown: str, encoding: str = "utf-8") -> tuple[str | None, list[Problem]]:
    """Text of ``data``, or one problem naming the first bad byte's offset and line."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(shown, line, "bad-encoding",
                              f"byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line}) is not UTF-8",
                              "save the file as UTF-8 (in a spreadsheet: 'CSV UTF-8')")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # universal newlines, as Path.read_text() gives
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        return None, [Problem(shown, line, "nul-byte", f"NUL byte at character {nul} (line {line})",
                              "remove the NUL characters; the file looks binary or corrupted")]
    return text, []


def read_text(path: Path, root: Path | None, shown: str, encoding: str = "utf-8") -> tuple[str | None, list[Problem]]:
    """The file's text, or (None, [one problem]): never raises for bad input."""
    problem = file_problem(path, root, shown)
    if problem:
        return None, [problem]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown, None, "unreadable", f"cannot read {shown}: {exc.strerror}",
                              "check its permissions")]
    return decode(data, shown, encoding)


def new_file_mode() -> int:
    """The mode ``open()`` would give a new file (0666 less the umask): ``mkstemp`` makes 0600 files,
    which would leave an editor's new CSV unreadable to the rest of the team."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _temp_beside(path: Path, data: bytes) -> str:
    """``data`` in a temp file beside ``path``, flushed to disk; the caller renames or links it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(path.stat().st_mode) if path.exists() else new_file_mode())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file beside ``path``, fsync, ``os.replace``: readers (and a crash) see the old file or the new
    one, never half of either. The old file's permissions are kept; a new file gets the umask's."""
    tmp = _temp_beside(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Like ``write_atomic`` for a file that must not exist yet: a hard link, unlike a rename, refuses to
    replace one that appeared meanwhile (``FileExistsError``)."""
    tmp = _temp_beside(path, data)
    try:
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


def source_digest(tag: str, paths: Iterable[Path], root: Path) -> str:
    """The package version, ``tag`` and the named source files (name and bytes): a cache kept under it is
    never read by code that changed since it was written (parse cache, check memo)."""
    try:
        package = version("evidence-desk")
    except PackageNotFoundError:
        package = "unknown"
    h = hashlib.sha256(f"{tag}:{package}".encode())
    for path in paths:
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
