"""Preview: serve the built site on 127.0.0.1 and rebuild it when a workspace file changes.

Changes are found by polling file modification times (no watcher dependency): the
workspace's ``evidence.toml``, ``references/``, ``articles/``, ``queries/`` and
``site_templates/``. Data changes rebuild the database and the site; a change to templates
or queries only re-renders. A build that fails on bad input reports its problems and keeps
serving the last good site. The server binds to the loopback address only: a preview is
for the editor at this machine, not for the network.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from .. import pipeline
from ..errors import EvidenceError, InputError
from ..workspace import CONFIG_NAME, Settings

HOST = "127.0.0.1"
DATA = ("references", "articles")
RENDER_ONLY = ("queries", "site_templates")

Snapshot = dict[Path, tuple[int, int]]


def snapshot(settings: Settings) -> Snapshot:
    """(mtime, size) of every file the site is built from; hidden files and editor backups skipped."""
    files: Snapshot = {}
    candidates = [settings.root / CONFIG_NAME]
    for name in DATA + RENDER_ONLY:
        folder = settings.root / name
        if folder.is_dir():
            candidates.extend(p for p in folder.rglob("*") if p.is_file())
    for path in candidates:
        if path.name.startswith(".") or path.name.endswith("~"):
            continue
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        files[path] = (st.st_mtime_ns, st.st_size)
    return files


def changed_files(before: Snapshot, after: Snapshot) -> list[Path]:
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


class _Handler(SimpleHTTPRequestHandler):
    """Static files, never cached by the browser (a preview must show the latest build)."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        pass  # one line per request would drown the rebuild messages


class Preview:
    """The site served from ``settings.site_dir``, rebuilt by a polling thread."""

    def __init__(self, settings: Settings, port: int = 8000, interval: float = 1.0,
                 log: Callable[[str], None] = print):
        self.settings = settings
        self.interval = interval
        self.log = log
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._state = snapshot(settings)
        self.builds = 0  # completed rebuilds, for whoever waits on one
        settings.site_dir.mkdir(parents=True, exist_ok=True)
        handler = functools.partial(_Handler, directory=str(settings.site_dir))
        self.server = ThreadingHTTPServer((HOST, port), handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def rebuild(self, changed: list[Path] | None = None) -> bool:
        """Build (unless only templates or queries changed) and render; False when the input has errors."""
        render_only = changed is not None and all(
            p.relative_to(self.settings.root).parts[0] in RENDER_ONLY for p in changed)
        try:
            if not render_only or not self.settings.db_path.is_file():
                pipeline.build(self.settings)
            result = pipeline.render(self.settings)
        except InputError as exc:
            for p in exc.problems:
                self.log(f"{p.severity}: {p}")
            self.log("the build failed; still serving the previous site")
            return False
        except EvidenceError as exc:
            self.log(f"error: {exc}; still serving the previous site")
            return False
        self.builds += 1
        self.log(f"rebuilt: {len(result.written)} file(s) written, {result.unchanged} unchanged")
        return True

    def check(self) -> bool:
        """Rebuild if any source file changed since the last check; True when a rebuild ran."""
        now = snapshot(self.settings)
        changed = changed_files(self._state, now)
        if not changed:
            return False
        self._state = now
        shown = ", ".join(self.settings.rel(p) for p in changed[:3]) + (" ..." if len(changed) > 3 else "")
        self.log(f"changed: {shown}")
        self.rebuild(changed)
        return True

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception as exc:  # the preview must survive any one failed rebuild
                self.log(f"error during rebuild: {exc}")

    def start(self, build_first: bool = True, ready: Callable[[str], None] | None = None) -> str:
        """Build once (so the preview matches the files), then serve and watch in background threads.

        ``ready`` hears the URL before the first request can be answered, so whoever watches the
        output sees the address before the page (a reader that saw the page could otherwise miss it).
        """
        if build_first:
            self.rebuild()
        if not (self.settings.site_dir / "index.html").is_file():
            raise EvidenceError("there is no site to serve yet: fix the input errors above and save again")
        if ready is not None:
            ready(self.url)
        for target in (self.server.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self.url

    def stop(self) -> None:
        self._stop.set()
        if self._threads:  # shutdown() waits for serve_forever, which only runs once started
            self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
