"""Shared helpers of the resolver tests (no tests here).

A real local HTTP server (pytest-httpserver, threaded) replays the real recorded responses
of ``../shared/external/`` in place (never copied), plus the hand-written ones of
``tests/fixtures/synthetic/`` where no recording exists. Clients are pointed at it through
the workspace settings, exactly as a mirror or proxy would be; nothing is patched.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import threading
import time
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs

import pytest
import yaml
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from evidence.resolve.http import HttpClient, HttpConfig
from evidence.workspace import Settings

HERE = Path(__file__).resolve().parent
SYNTHETIC = HERE / "fixtures" / "synthetic"
EXTERNAL = Path(os.environ.get("EVIDENCE_EXTERNAL_FIXTURES", HERE.parents[1] / "shared" / "external"))

PONE = "10.1371/journal.pone.0033693"  # real Crossref record with updated-by correction
RETRACTED_DOI = "10.5555/retracted.example"  # synthetic (no real recording exists)
EPMC_NOTICE_DOI = "10.1186/s12935-025-03850-7"  # real Europe PMC retraction notice


def external(rel: str) -> Path:
    """A real recording under shared/external, or skip the test saying why."""
    path = EXTERNAL / rel
    if not path.exists():
        pytest.skip(f"real recording '{rel}' not available: {EXTERNAL} is absent "
                    "(the tests replay ../shared/external/ in place; see its README)")
    return path


def synthetic(name: str) -> Path:
    return SYNTHETIC / name


def cassette_body(rel: str, index: int = 0) -> bytes:
    """The decoded response body of a VCR cassette (base64 + gzip in YAML)."""
    data = yaml.safe_load(external(rel).read_text(encoding="utf-8"))
    body = data["interactions"][index]["response"]["body"]["string"]
    body = body.encode() if isinstance(body, str) else body
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


class FakeClock:
    """Injected clock: ``sleep`` returns at once and moves time on, so backoff costs no wall time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += max(0.0, seconds)

    def wall(self) -> float:
        return 1_700_000_000.0 + self.now


def settings_for(root: Path, server: HTTPServer | None, **resolve: str) -> Settings:
    """Workspace settings whose [resolve] table points every service at the local server."""
    table = {"mailto": "editor@example.org", "timeout": "2", "retries": "2", "backoff": "0.01",
             "crossref_rate": "1000", "crossref_search_rate": "1000", "ncbi_rate": "1000", "europepmc_rate": "1000"}
    if server is not None:
        table.update(crossref_url=server.url_for("/crossref"), ncbi_url=server.url_for("/ncbi"),
                     europepmc_url=server.url_for("/epmc"))
    else:  # a closed port: anything that tries the network fails loudly
        table.update(crossref_url="http://127.0.0.1:9/crossref", ncbi_url="http://127.0.0.1:9/ncbi",
                     europepmc_url="http://127.0.0.1:9/epmc")
    table.update(resolve)
    return Settings(root=root, mailto="editor@example.org", resolve=table)


def client_for(settings: Settings, clock: FakeClock | None = None, offline: bool = False) -> HttpClient:
    config = HttpConfig.from_settings(settings, environ={}, offline=offline)
    if clock is None:
        return HttpClient(config, rng=random.Random(1))
    return HttpClient(config, clock=clock.clock, sleep=clock.sleep, rng=random.Random(1), wall=clock.wall)


def write_workspace(root: Path, bib: str) -> Path:
    (root / "references").mkdir(parents=True, exist_ok=True)
    (root / "evidence.toml").write_text('[resolve]\nmailto = "editor@example.org"\n', encoding="utf-8")
    path = root / "references" / "library.bib"
    path.write_text(bib, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: to show that a failed run changed nothing."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _articles(xml: bytes) -> list[bytes]:
    return re.findall(rb"<PubmedArticle>.*?</PubmedArticle>", xml, re.S)


class Replay:
    """Routes the three services to recordings. ``fault`` (per service) answers instead when set."""

    EMPTY_UPDATES = "crossref_updates_empty.synthetic.json"

    def __init__(self, server: HTTPServer):
        self.server = server
        self.works: dict[str, tuple[int, bytes, str]] = {}
        self.updates: dict[str, bytes] = {}
        self.pubmed: dict[str, bytes] = {}  # pmid -> file bytes (a PubmedArticleSet)
        self.epmc: dict[str, bytes] = {}  # doi or pmid -> a search answer holding it
        self.idconv: bytes | None = None
        self.fulltext: dict[str, bytes] = {}  # PMCID -> JATS XML; any other PMCID answers 404 as Europe PMC does
        self.fault: dict[str, Callable[[Request], Response]] = {}
        self.hits: dict[str, int] = {"crossref": 0, "crossref-updates": 0, "pubmed": 0, "europepmc": 0, "idconv": 0,
                                     "fulltext": 0}
        server.expect_request(re.compile(r"^/crossref/works/.+")).respond_with_handler(self._work)
        server.expect_request("/crossref/works").respond_with_handler(self._updates)
        server.expect_request("/ncbi/efetch.fcgi").respond_with_handler(self._efetch)
        server.expect_request(re.compile(r"^/ncbi/idconv/?$")).respond_with_handler(self._idconv)
        server.expect_request("/epmc/search").respond_with_handler(self._epmc)
        server.expect_request(re.compile(r"^/epmc/PMC\d+/fullTextXML$")).respond_with_handler(self._fulltext)

    # -- registration helpers
    def crossref_file(self, doi: str, rel: str) -> None:
        self.works[doi] = (200, external(rel).read_bytes(), "application/json")

    def crossref_404(self, doi: str) -> None:
        self.works[doi] = (404, external("crossref/habanero/derived/works_10.1371_notarealdoi.404.txt").read_bytes(),
                           "text/plain")

    # -- handlers
    def _faulted(self, service: str, request: Request) -> Response | None:
        self.hits[service] += 1
        fault = self.fault.get(service)
        return fault(request) if fault else None

    def _work(self, request: Request) -> Response:
        if (r := self._faulted("crossref", request)) is not None:
            return r
        doi = request.path.split("/crossref/works/", 1)[1].lower()
        status, body, ctype = self.works.get(doi) or (404, b"Resource not found.", "text/plain")
        return Response(body, status=status, content_type=ctype)

    def _updates(self, request: Request) -> Response:
        if (r := self._faulted("crossref-updates", request)) is not None:
            return r
        wanted = [f.split(":", 1)[1] for f in request.args.get("filter", "").split(",") if f.startswith("updates:")]
        for doi in wanted:
            if doi in self.updates:
                return Response(self.updates[doi], content_type="application/json")
        return Response(synthetic(self.EMPTY_UPDATES).read_bytes(), content_type="application/json")

    def _efetch(self, request: Request) -> Response:
        if (r := self._faulted("pubmed", request)) is not None:
            return r
        ids = request.args.get("id", "").split(",")
        files = [self.pubmed[i] for i in ids if i in self.pubmed]
        if not files:
            return Response(external("pubmed/metapub/37909814.xml").read_bytes(), content_type="text/xml")
        head = files[0].split(b"<PubmedArticleSet>")[0]
        body = head + b"<PubmedArticleSet>\n" + b"\n".join(a for f in files for a in _articles(f)) + b"\n</PubmedArticleSet>"
        return Response(body, content_type="text/xml; charset=UTF-8")

    def _fulltext(self, request: Request) -> Response:
        if (r := self._faulted("fulltext", request)) is not None:
            return r
        pmcid = request.path.split("/")[-2]
        if pmcid in self.fulltext:
            return Response(self.fulltext[pmcid], content_type="application/xml")
        return Response(b"", status=404)  # what Europe PMC answers for a PMCID without open-access full text

    def _idconv(self, request: Request) -> Response:
        if (r := self._faulted("idconv", request)) is not None:
            return r
        return Response(self.idconv or synthetic("idconv.synthetic.json").read_bytes(), content_type="application/json")

    def _epmc(self, request: Request) -> Response:
        if (r := self._faulted("europepmc", request)) is not None:
            return r
        query = request.args.get("query", "")
        keys = [k.lower() for k in re.findall(r'DOI:"([^"]+)"', query)] + re.findall(r"EXT_ID:(\d+)", query)
        results = []
        for key in keys:
            if key in self.epmc:
                results += json.loads(self.epmc[key])["resultList"]["result"]
        if not results:
            return Response(external("europepmc/pyeuropepmc/search_no_results.json").read_bytes(),
                            content_type="application/json")
        return Response(json.dumps({"version": "6.9", "hitCount": len(results), "resultList": {"result": results}}),
                        content_type="application/json")


def served_once(*responses: Response) -> Callable[[Request], Response]:
    """A fault that answers with ``responses`` in turn, then lets the recording through (None)."""
    queue = list(responses)
    lock = threading.Lock()

    def handler(request: Request):  # type: ignore[no-untyped-def]
        with lock:
            return queue.pop(0) if queue else None
    return handler


def slow(seconds: float) -> Callable[[Request], Response]:
    def handler(request: Request) -> Response:
        time.sleep(seconds)
        return Response(b"{}", content_type="application/json")
    return handler


@pytest.fixture(scope="module")
def local_server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def srv(local_server):
    local_server.clear()
    yield local_server
    local_server.clear()


@pytest.fixture
def replay(srv) -> Replay:
    return Replay(srv)


def qs(request: Request) -> dict[str, list[str]]:
    return parse_qs(request.query_string.decode())
