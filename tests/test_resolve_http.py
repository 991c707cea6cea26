"""The HTTP layer and the Crossref client against a real local server: found, 404, faults,
retries, offline, and the rate and concurrency limits measured at the server."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from werkzeug import Request, Response

from evidence.resolve.crossref import CrossrefWorks
from evidence.resolve.http import HttpClient, HttpConfig, Limit
from evidence.resolve.ids import parse
from .test_resolve_support import (PONE, FakeClock, client_for, external, local_server, replay, served_once,  # noqa: F401
                                  settings_for, slow, srv, synthetic)

NOW = "2026-01-02T03:04:05Z"
WORK = "crossref/habanero/derived/works_10.1371_journal.pone.0033693.200.json"


def fetch(client: HttpClient, doi: str = PONE):
    return CrossrefWorks().fetch(client, [parse(doi)], NOW)[0]


def test_found_record_is_parsed_and_sent_politely(tmp_path, replay):
    replay.crossref_file(PONE, WORK)
    clock = FakeClock()
    result = fetch(client_for(settings_for(tmp_path, replay.server), clock))
    assert result.status == "found"
    assert result.work.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert result.work.authors[0] == "Sadasivan, Shankar" and len(result.work.authors) == 6
    assert (result.work.year, result.work.volume, result.work.issue, result.work.pages) == (2012, "7", "3", "e33693")
    assert len(result.sha256) == 64 and result.raw["message"]["DOI"] == PONE
    request, _ = replay.server.log[-1]
    assert "mailto:editor@example.org" in request.headers["User-Agent"]
    assert request.args["mailto"] == "editor@example.org"
    assert clock.sleeps == []


def test_404_doi_is_not_found_not_failed(tmp_path, replay):
    replay.crossref_404("10.1371/notarealdoi")
    result = fetch(client_for(settings_for(tmp_path, replay.server), FakeClock()), "10.1371/notarealdoi")
    assert result.status == "not_found"
    assert result.http_status == 404 and "no record" in result.error
    assert replay.hits["crossref"] == 1  # a 404 is an answer: no retry


def test_timeout_is_retried_then_reported(tmp_path, replay):
    replay.fault["crossref"] = slow(0.6)
    clock = FakeClock()
    client = client_for(settings_for(tmp_path, replay.server, timeout="0.15", retries="1"), clock)
    result = fetch(client)
    assert result.status == "failed"
    assert result.error.startswith("timeout") and "2 attempts" in result.error
    assert replay.hits["crossref"] == 2 and len(clock.sleeps) == 1


def test_connection_refused_fails_at_once_and_is_reported(tmp_path):
    """A refused port will not answer after a backoff either: one attempt, no sleep (issue 12.5)."""
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = settings_for(tmp_path, None, crossref_url=f"http://127.0.0.1:{port}", retries="4")
    clock = FakeClock()
    client = client_for(settings, clock)
    result = fetch(client)
    assert result.status == "failed"
    assert result.error == "connection refused (not retried)"
    assert client.requests_sent == 1 and clock.sleeps == []


def test_an_unknown_host_fails_at_once(tmp_path):
    """'.invalid' never resolves (RFC 2606): a name-resolution failure is not retried."""
    settings = settings_for(tmp_path, None, crossref_url="http://no-such-host.invalid", retries="4")
    clock = FakeClock()
    client = client_for(settings, clock)
    response = client.get(client.url("crossref", "works/x"), limits=("crossref",))
    assert response.error == "unknown host (not retried)" and response.attempts == 1
    assert client.requests_sent == 1 and clock.sleeps == []


def test_429_honours_retry_after_then_succeeds(tmp_path, replay):
    replay.crossref_file(PONE, WORK)
    replay.fault["crossref"] = served_once(Response("slow down", status=429, headers={"Retry-After": "2"}))
    clock = FakeClock()
    result = fetch(client_for(settings_for(tmp_path, replay.server), clock))
    assert result.status == "found"
    assert replay.hits["crossref"] == 2
    assert clock.sleeps and clock.sleeps[0] >= 2.0  # waited at least what the server asked


def test_retry_after_beyond_the_cap_fails_fast(tmp_path, replay):
    replay.fault["crossref"] = served_once(Response("later", status=429, headers={"Retry-After": "3600"}))
    clock = FakeClock()
    result = fetch(client_for(settings_for(tmp_path, replay.server), clock))
    assert result.status == "failed" and "asked to wait 3600 s" in result.error
    assert clock.sleeps == []


def test_500_then_success(tmp_path, replay):
    replay.crossref_file(PONE, WORK)
    replay.fault["crossref"] = served_once(Response("oops", status=500), Response("oops", status=503))
    clock = FakeClock()
    result = fetch(client_for(settings_for(tmp_path, replay.server), clock))
    assert result.status == "found" and replay.hits["crossref"] == 3
    assert len(clock.sleeps) == 2


def test_malformed_json_is_a_failure_with_a_reason(tmp_path, replay):
    body = external(WORK).read_bytes()[:700]  # the real answer, cut short
    replay.fault["crossref"] = lambda request: Response(body, content_type="application/json")
    result = fetch(client_for(settings_for(tmp_path, replay.server), FakeClock()))
    assert result.status == "failed" and result.error.startswith("malformed JSON")
    assert replay.hits["crossref"] == 1


def test_html_error_page_with_status_200_is_a_failure(tmp_path, replay):
    page = synthetic("html_error_page.synthetic.html").read_bytes()
    replay.fault["crossref"] = lambda request: Response(page, content_type="text/html")
    result = fetch(client_for(settings_for(tmp_path, replay.server), FakeClock()))
    assert result.status == "failed"
    assert "got an HTML page ('Service Temporarily Unavailable')" in result.error


def test_offline_client_never_opens_a_socket(tmp_path, replay):
    client = client_for(settings_for(tmp_path, replay.server), FakeClock(), offline=True)
    result = fetch(client)
    assert result.status == "failed" and "offline" in result.error
    assert replay.server.log == [] and client.requests_sent == 0


def test_base_urls_come_from_environment_first(tmp_path):
    settings = settings_for(tmp_path, None)
    config = HttpConfig.from_settings(settings, environ={"EVIDENCE_CROSSREF_URL": "http://mirror.test/cr/",
                                                         "EVIDENCE_NCBI_URL": "http://mirror.test/ncbi",
                                                         "EVIDENCE_EUROPEPMC_URL": "http://mirror.test/epmc",
                                                         "NCBI_API_KEY": "k"})
    assert config.urls["crossref"] == "http://mirror.test/cr"
    assert config.urls["idconv"] == "http://mirror.test/ncbi/idconv/"
    assert config.urls["europepmc"] == "http://mirror.test/epmc"
    default = HttpConfig.from_settings(type("S", (), {"resolve": {}, "mailto": "a@b.c"})(), environ={"NCBI_API_KEY": "k"})
    assert default.urls["crossref"] == "https://api.crossref.org"
    assert (default.limits["crossref"], default.limits["crossref-search"].rate) == (Limit(10.0, 3), 3.0)
    assert default.limits["ncbi"].rate == 10.0  # with an API key
    public = HttpConfig.from_settings(type("S", (), {"resolve": {}, "mailto": ""})(), environ={})
    assert public.limits["crossref"] == Limit(5.0, 1) and public.limits["ncbi"].rate == 3.0


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_rate_and_concurrency_are_never_exceeded_at_the_server(tmp_path, srv):
    """N requests from 8 threads; the server records arrival times and requests in flight."""
    rate, concurrency, n = 20.0, 2, 40
    arrivals: list[float] = []
    in_flight = [0, 0]  # now, max
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        with lock:
            arrivals.append(time.monotonic())
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
        time.sleep(0.06)  # long enough that more than 2 would overlap without the semaphore
        with lock:
            in_flight[0] -= 1
        return Response(b"{}", content_type="application/json")

    srv.expect_request("/crossref/works").respond_with_handler(handler)
    settings = settings_for(tmp_path, srv, crossref_rate=str(rate), crossref_concurrency=str(concurrency))
    client = client_for(settings)  # the real clock: this test measures time
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: client.get(client.url("crossref", "works"), limits=("crossref",)), range(n)))
    elapsed = time.monotonic() - started
    assert all(r.ok for r in replies) and len(arrivals) == n
    assert in_flight[1] <= concurrency
    assert _max_in_window(arrivals) <= rate
    assert elapsed >= (n - 1) / rate  # evenly spaced, not bursty
    assert elapsed < (n - 1) / (rate * 0.95) + 1.0  # and not needlessly slow (>= 0.9 of the rate)


def test_a_429_slows_every_thread_not_only_the_one_that_got_it(tmp_path, srv):
    calls: list[float] = []
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        with lock:
            calls.append(time.monotonic())
            first = len(calls) == 1
        if first:
            return Response("", status=429, headers={"Retry-After": "0.4"})
        return Response(b"{}", content_type="application/json")

    srv.expect_request("/crossref/works").respond_with_handler(handler)
    client = client_for(settings_for(tmp_path, srv, crossref_concurrency="3"))
    start = time.monotonic()
    with ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(client.get, client.url("crossref", "works"), None, ("crossref",)) for _ in range(3)]
        time.sleep(0.05)
        futures += [pool.submit(client.get, client.url("crossref", "works"), None, ("crossref",)) for _ in range(3)]
    assert all(f.result().ok for f in futures)
    later = [t - start for t in calls[4:]]
    assert later and min(later) >= 0.35  # requests after the 429 waited for Retry-After


def test_the_rate_crossref_announces_slows_the_client(tmp_path, replay):
    """The real recorded headers (public pool: X-Rate-Limit-Limit 5 per 1s) lower our rate."""
    import yaml

    cassette = yaml.safe_load(external("crossref/habanero/test_works_with_one_id.yaml").read_text(encoding="utf-8"))
    recorded = cassette["interactions"][0]["response"]["headers"]
    headers = {name: recorded[name][0] for name in ("x-rate-limit-limit", "x-rate-limit-interval")}
    body = external(WORK).read_bytes()
    replay.fault["crossref"] = lambda request: Response(body, headers=headers, content_type="application/json")
    clock = FakeClock()
    client = client_for(settings_for(tmp_path, replay.server), clock)  # configured at 1000/s
    for _ in range(3):
        assert fetch(client).status == "found"
    assert len(clock.sleeps) == 2 and all(s >= 1 / 5 for s in clock.sleeps)
