"""Render stage, incremental rendering: what each page was made from, so an unchanged page is not made again.

Each file of the site records a digest of everything it was rendered from: the template and
every template it extends, includes or imports, the render code itself, and its inputs. For the
pages of studies, interventions, conditions and articles (and their CSVs and reports), the inputs
are the rows they show, hashed in DuckDB before any context is built (``page_inputs.sql``); for
the few other pages, the full context handed to the template (walked value by value). A page whose digest matches the one recorded
for the file still in the site is carried over without rendering; anything else is rendered.
A whole site whose inputs (database content, templates, queries, settings, code) are unchanged
is left exactly as it is, without even staging it: a small ``Stamp`` recognises it.

The manifest lives in the workspace's derived cache (``.evidence-cache/site/``), one per output
folder, and is trusted only for files that are still there with the recorded size. Deleting it
only makes the next render a full one; the output never depends on it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Callable, Iterable

from jinja2 import Environment, meta

from ..load.database import stored_digest

_CODE = Path(__file__).parent


def _code_version() -> str:
    """The render code (contexts, labels, plots, templates' helpers): a change to it re-renders every page."""
    h = hashlib.sha256()
    for path in sorted(_CODE.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


CODE_VERSION = _code_version()


def value_digest(value: object) -> str:
    """A digest of a page context: every dict, list, dataclass and scalar it reaches, in order.

    Contexts share rows and hold cycles (a claim lists its statements, whose evidence lists the
    claim). pickle's C serialiser walks such a graph faithfully (a container met again becomes a
    back-reference) at a fraction of the cost of a Python walk, so its bytes are hashed here: they
    are never stored nor loaded. Equal bytes mean an equal context. The converse need not hold
    (pickle may write one string twice or once), which can only cost a needless render, never
    skip a needed one. A context pickle cannot serialise is walked in Python instead.
    """
    payload = context_payload(value)
    return hashlib.sha256(payload).hexdigest() if payload is not None else _walked_digest(value)


def context_payload(value: object) -> bytes | None:
    """The context serialised by pickle (for its digest, and to hand it to a render worker), or None."""
    try:
        return pickle.dumps(value, protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None


def _walked_digest(value: object) -> str:
    """The same digest by a Python walk: containers met again are back-references to their first position."""
    parts: list[str] = []
    seen: dict[int, int] = {}
    keep: list[object] = []  # hold every walked container so no id() is reused during the walk

    def walk(v: object) -> None:
        t = type(v)
        if v is None or t is bool or t is int or t is float:
            parts.append(f"{t.__name__[0]}{v!r};")
        elif isinstance(v, str):
            parts.append(f"{'s' if t is str else t.__name__}{len(v)}:{v}")
        elif isinstance(v, (dict, list, tuple)) or dataclasses.is_dataclass(v):
            ref = seen.get(id(v))
            if ref is not None:
                parts.append(f"@{ref};")
                return
            seen[id(v)] = len(seen)
            keep.append(v)
            if isinstance(v, dict):
                parts.append(f"{{{len(v)}")
                for k, item in v.items():
                    walk(k)
                    walk(item)
            elif isinstance(v, (list, tuple)):
                parts.append(f"[{len(v)}")
                for item in v:
                    walk(item)
            else:
                parts.append(f"<{t.__name__}")
                for f in dataclasses.fields(v):  # type: ignore[arg-type]
                    walk(f.name)
                    walk(getattr(v, f.name))
        elif isinstance(v, (set, frozenset)):
            parts.append(f"({len(v)}")
            for item in sorted(v, key=repr):
                walk(item)
        else:  # dates, decimals, numpy scalars: their type and repr
            parts.append(f"{t.__name__}:{v!r};")

    walk(value)
    return hashlib.sha256("".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class TemplateDigests:
    """Per template: a digest of its source and of every template it extends, includes or imports."""

    def __init__(self, env: Environment):
        self.env = env
        self.memo: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if name not in self.memo:
            self.memo[name] = ""  # a template that (wrongly) reaches itself ends the recursion here
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            h = hashlib.sha256(f"{name}\n{source}".encode())
            for ref in sorted(r for r in meta.find_referenced_templates(self.env.parse(source)) if r):
                h.update(self(ref).encode())
            self.memo[name] = h.hexdigest()
        return self.memo[name]


def all_templates_digest(dirs: Iterable[Path]) -> str:
    """Every template file's name and bytes, in loader order."""
    h = hashlib.sha256()
    for folder in dirs:
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            h.update(f"{folder}:{path.relative_to(folder).as_posix()}\n".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class Manifest:
    """Per file of the site: the digest of its inputs and its size; plus one digest of the whole site's inputs."""

    def __init__(self, path: Path, output: Path):
        self.path = path
        self.output = output
        self._output = str(output)
        self.old: dict[str, list] = {}
        self.site = ""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("output") == str(output):
                self.old, self.site = data["files"], data["site"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        self.new: dict[str, list] = {}

    def unchanged(self, rel: str, digest: str) -> bool:
        """True when the file was made from these inputs and is still there, with its size."""
        entry = self.old.get(rel)
        if not entry or entry[0] != digest:
            return False
        try:
            return os.stat(os.path.join(self._output, rel)).st_size == entry[1]
        except OSError:
            return False

    def record(self, rel: str, digest: str, size: int) -> None:
        self.new[rel] = [digest, size]

    def intact(self, site_digest: str) -> bool:
        """The whole site was made from these inputs and every file of it is still in place."""
        if not self.old or self.site != site_digest:
            return False
        return all(self.unchanged(rel, entry[0]) for rel, entry in self.old.items())

    def save(self, site_digest: str, files: dict[str, list] | None = None) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"output": str(self.output), "site": site_digest,
                                       "files": files if files is not None else self.new}, separators=(",", ":")),
                           encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only cache only makes the next render a full one


class Stamp:
    """The last render of an output folder in a few bytes: its inputs' digest, a digest of its files and
    their sizes, and the database file it was made from; an unchanged site is recognised from this alone,
    without reading the manifest of every file."""

    def __init__(self, path: Path, output: Path):
        self.path, self.output = path, str(output)
        self.site = self.listing = ""
        self.files = 0
        self.db: list = []
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("output") == self.output:
                self.site, self.listing, self.files, self.db = data["site"], data["listing"], data["files"], data["db"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        self._db_now: list = []

    @staticmethod
    def for_output(cache: Path, output: Path) -> "Stamp":
        output = output.resolve()
        return Stamp(cache / f"stamp-{hashlib.sha256(str(output).encode()).hexdigest()[:16]}.json", output)

    def database(self, db_path: Path) -> str | None:
        """The database's content digest: the recorded one when the file is the one recorded."""
        try:
            st = os.stat(db_path)
        except OSError:
            return None
        now = [st.st_ino, st.st_size, st.st_mtime_ns]
        if self.db and self.db[:3] == now:
            digest = self.db[3]
        else:
            digest = stored_digest(db_path)
        self._db_now = [*now, digest] if digest else []
        return digest

    def save(self, site: str, listing: str, files: int) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"output": self.output, "site": site, "listing": listing, "files": files,
                                       "db": self._db_now}), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass


def manifest_for(cache: Path, output: Path) -> Manifest:
    output = output.resolve()
    name = hashlib.sha256(str(output).encode()).hexdigest()[:16]
    return Manifest(cache / f"pages-{name}.json", output)


def combined(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


Produce = Callable[[], "str | bytes"]
