"""Faulty servers: slow drip, redirect loop, cross-host and cross-scheme redirects, huge bodies,
answers of the wrong shape or with fields missing.

The transport faults come from a tiny threaded ``http.server`` written here (each handler is
a deliberate misbehaviour, not a recording); deadlines are asserted by counting the server's
requests and, generously, with a monotonic clock. The shape faults alter a *real* Crossref
recording (``../shared/external``, read in place) in the test, and show that the cache keeps
the good answer it had and that ``add`` writes nothing.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from evidence.resolve.cache import Cache
from evidence.resolve.http import HttpClient, HttpConfig
from evidence.resolve.runner import resolve

from .test_resolve_support import PONE, client_for, external, local_server, replay, settings_for, srv  # noqa: F401, F811

WORK = "crossref/habanero/derived/works_10.1371_journal.pone.0033693.200.json"


class Faulty(BaseHTTPRequestHandler):
    """One misbehaviour per path; ``server.hits`` counts requests per path."""

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.hits[path] = self.server.hits.get(path, 0) + 1  # type: ignore[attr-defined]
        getattr(self, "_" + path.strip("/").replace("-", "_"), self._ok)()

    def _send(self, status: int, body: bytes = b"{}", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _ok(self) -> None:
        self._send(200, b'{"ok": true}')

    def _drip(self) -> None:
        """Headers at once, then one byte every 0.2 s: each read is quick, the whole never ends."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            for _ in range(100000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            return  # the client gave up: what we want

    def _drip_headers(self) -> None:
        """The status line and headers themselves, one byte every 0.2 s."""
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"p" * 100000 + b"\r\n\r\n{}"
        try:
            for i in range(len(head)):
                self.wfile.write(head[i:i + 1])
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            return

    def _loop(self) -> None:
        self._send(302, b"", {"Location": "/loop"})

    def _same_host(self) -> None:
        self._send(302, b"", {"Location": "/ok"})

    def _other_host(self) -> None:
        port = self.server.server_address[1]
        self._send(302, b"", {"Location": f"http://localhost:{port}/ok"})

    def _other_scheme(self) -> None:
        port = self.server.server_address[1]
        self._send(302, b"", {"Location": f"https://127.0.0.1:{port}/ok"})

    def _huge_declared(self) -> None:
        self._send(200, b"x" * 50_000)

    def _huge_chunked(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for _ in range(100):
                chunk = b"y" * 4096
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            return

    def _gzip_bomb(self) -> None:
        self._send(200, gzip.compress(b"0" * 5_000_000), {"Content-Encoding": "gzip"})


@pytest.fixture
def faulty():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Faulty)
    server.daemon_threads = True
    server.hits = {}  # type: ignore[attr-defined]
    server.lock = threading.Lock()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _client(**kw: object) -> HttpClient:
    config = HttpConfig(timeout=(2.0, 2.0), retries=2, backoff_base=0.01, **kw)  # type: ignore[arg-type]
    return HttpClient(config)


def _url(server: ThreadingHTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_slow_drip_stops_at_the_overall_deadline(faulty):
    client = _client(deadline=1.5)
    start = time.monotonic()
    resp = client.get(_url(faulty, "/drip"))
    elapsed = time.monotonic() - start
    assert not resp.ok and "deadline of 1.5 s" in resp.error
    assert faulty.hits["/drip"] == 1  # no retry once the deadline has passed
    assert elapsed < 10  # 1.5 s deadline; generous on a shared machine (the read timeout alone never trips)


def test_slow_drip_of_the_headers_stops_at_the_deadline_too(faulty):
    client = _client(deadline=1.5)
    start = time.monotonic()
    resp = client.get(_url(faulty, "/drip-headers"))
    assert not resp.ok and "deadline of 1.5 s" in resp.error
    assert faulty.hits["/drip-headers"] == 1
    assert time.monotonic() - start < 10


def test_redirect_loop_stops_after_the_redirect_cap(faulty):
    resp = _client(max_redirects=5).get(_url(faulty, "/loop"))
    assert not resp.ok and "more than 5 redirects" in resp.error
    assert faulty.hits["/loop"] == 6  # the request and 5 redirects; the issue measured 775


def test_same_host_redirect_is_followed(faulty):
    resp = _client().get(_url(faulty, "/same-host"))
    assert resp.ok and json.loads(resp.body) == {"ok": True}
    assert faulty.hits == {"/same-host": 1, "/ok": 1}


@pytest.mark.parametrize("path, why", [("/other-host", "another host"), ("/other-scheme", "another host or scheme")])
def test_redirect_to_another_host_or_scheme_is_refused(faulty, path, why):
    resp = _client().get(_url(faulty, path))
    assert not resp.ok and why in resp.error
    assert faulty.hits == {path: 1}  # neither followed nor retried


@pytest.mark.parametrize("path", ["/huge-declared", "/huge-chunked", "/gzip-bomb"])
def test_a_body_over_the_cap_is_refused(faulty, path):
    resp = _client(max_bytes=10_000).get(_url(faulty, path))
    assert not resp.ok and "over the limit of 10000 bytes" in resp.error and resp.body == b""
    assert faulty.hits == {path: 1}


def test_http_limits_are_read_from_settings(tmp_path):
    settings = settings_for(tmp_path, None, deadline="7", max_redirects="2", max_bytes="1234")
    config = HttpConfig.from_settings(settings, environ={})
    assert (config.deadline, config.max_redirects, config.max_bytes) == (7.0, 2, 1234)


# -- answers of the wrong shape, against a real recording altered here ----------------------------

BIB = "@article{sadasivan2012methylphenidate,\n  title = {Methylphenidate Exposure Induces Dopamine Neuron Loss},\n" \
      "  doi = {10.1371/journal.pone.0033693}\n}\n"


def _workspace(tmp_path, server):
    (tmp_path / "references").mkdir()
    (tmp_path / "references" / "library.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "evidence.toml").write_text("", encoding="utf-8")
    return settings_for(tmp_path, server, retries="0")


def _altered(change) -> bytes:
    data = json.loads(external(WORK).read_text(encoding="utf-8"))
    change(data["message"])
    return json.dumps(data).encode()


ALTERATIONS = {
    "author-is-a-string": lambda m: m.__setitem__("author", "Sadasivan S"),
    "updated-by-of-strings": lambda m: m.__setitem__("updated-by", ["10.1371/annotation/x"]),
    "title-is-a-number": lambda m: m.__setitem__("title", 42),
    "fields-missing": lambda m: [m.pop(k) for k in list(m) if k not in ("DOI",)],
}


@pytest.mark.parametrize("fault", sorted(ALTERATIONS))
def test_a_malformed_answer_is_failed_and_the_cache_keeps_the_good_one(tmp_path, replay, fault):
    replay.crossref_file(PONE, WORK)
    settings = _workspace(tmp_path, replay.server)
    first = resolve(settings, client=client_for(settings))
    assert not [f for f in first.failed if f.source == "crossref"]
    cache = Cache(tmp_path / ".evidence-cache")
    good = cache.path("crossref", f"doi:{PONE}").read_bytes()
    replay.works[PONE] = (200, _altered(ALTERATIONS[fault]), "application/json")
    again = resolve(settings, refresh=True, client=client_for(settings))
    (failure,) = [f for f in again.failed if f.source == "crossref"]
    assert failure.kept_previous is not None
    assert "unexpected Crossref record" in failure.error or "no title" in failure.error
    assert cache.path("crossref", f"doi:{PONE}").read_bytes() == good


ADD_ALTERATIONS = {**ALTERATIONS,
                   # well-formed, with a title, but no authors and no year: a record add must not turn into an entry
                   "no-authors-no-year": lambda m: [m.pop(k, None) for k in ("author", "issued", "published-print",
                                                                             "published-online", "published")]}


@pytest.mark.parametrize("fault", sorted(ADD_ALTERATIONS))
def test_add_never_writes_an_entry_from_a_malformed_answer(tmp_path, replay, fault):
    replay.works[PONE] = (200, _altered(ADD_ALTERATIONS[fault]), "application/json")
    settings = _workspace(tmp_path, replay.server)
    (tmp_path / "references" / "library.bib").write_text("", encoding="utf-8")
    from evidence.resolve.add import add
    from evidence.errors import EvidenceError

    with pytest.raises(EvidenceError, match="has no authors, year" if fault == "no-authors-no-year" else "nothing was added"):
        add(settings, PONE, client=client_for(settings))
    assert (tmp_path / "references" / "library.bib").read_text(encoding="utf-8") == ""
