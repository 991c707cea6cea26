"""Resolve stage, transport: the one HTTP client every metadata source goes through.

Why one client: politeness is a property of the whole run, not of one call. Crossref's
polite pool allows 10 requests/s with 3 in flight (and fewer for searches), NCBI 3/s (10/s
with an API key); a client per source, or per thread, could not keep those promises. So
there is one ``requests.Session`` (connection reuse), one limiter per service shared by all
threads, a timeout on every call, and retries with exponential backoff and jitter on 429,
5xx and connection errors that honour ``Retry-After`` (an unreachable host fails at once).

The clock, ``sleep`` and the random source are passed in, so tests run the real code
against a local server without patching anything. Offline mode never opens a socket.
"""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Callable, Mapping, Sequence
from urllib.parse import urlencode, urljoin, urlsplit

from .. import __version__
from .limiter import Limit, Limiter, default_limits
from .netfail import describe as _describe, unreachable

# requests (and urllib3) are imported where a request is made: `check` reads the cache through this
# stage and should not pay for them at start-up.
if TYPE_CHECKING:
    import requests

__all__ = ["DEFAULT_URLS", "HttpClient", "HttpConfig", "Limit", "Limiter", "Refused", "Response", "default_limits"]

DEFAULT_URLS = {
    "crossref": "https://api.crossref.org",
    "ncbi": "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
    "europepmc": "https://www.ebi.ac.uk/europepmc/webservices/rest",
    "idconv": "https://pmc.ncbi.nlm.nih.gov/tools/idconv/api/v1/articles/",
}
ENV_URLS = {"crossref": "EVIDENCE_CROSSREF_URL", "ncbi": "EVIDENCE_NCBI_URL", "europepmc": "EVIDENCE_EUROPEPMC_URL",
            "idconv": "EVIDENCE_IDCONV_URL"}
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpConfig:
    """Where the services are and how hard we may ask them. Built from settings + environment."""

    urls: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_URLS))
    mailto: str = ""
    ncbi_api_key: str | None = None
    limits: Mapping[str, Limit] = field(default_factory=lambda: default_limits(None))
    timeout: tuple[float, float] = (5.0, 30.0)  # connect, read
    retries: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_retry_after: float = 300.0  # a longer Retry-After fails the call instead of stalling the run
    deadline: float = 60.0  # seconds for one logical GET, all attempts and redirects included
    max_redirects: int = 5  # same host and scheme only
    max_bytes: int = 50_000_000  # a larger body is refused (an NCBI batch of 200 records is a few MB)
    safety: float = 0.95  # aim just under each rate so network jitter cannot push a server's count over
    window_margin: float = 0.05  # count our own starts over 1.05 s, so jitter after the check is absorbed
    offline: bool = False

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"evidence-desk/{__version__} (reference checker for health editors; python-requests{contact})"

    @classmethod
    def from_settings(cls, settings: object, environ: Mapping[str, str] | None = None,
                      offline: bool = False) -> "HttpConfig":
        """Base URLs: environment, then ``[resolve]`` in evidence.toml, then the public services.

        The environment wins so that tests, mirrors and proxies can redirect a run without
        editing the workspace. When NCBI is redirected, the PMC ID converter is expected
        beside it (``{ncbi_url}/idconv``) unless ``EVIDENCE_IDCONV_URL`` says otherwise.
        Optional tuning keys (``timeout``, ``retries``, ``backoff``, ``<service>_rate``,
        ``<service>_concurrency``) are read from the same table when present.
        """
        env = os.environ if environ is None else environ
        res: Mapping[str, str] = getattr(settings, "resolve", {}) or {}
        urls = dict(DEFAULT_URLS)
        for name in ("crossref", "ncbi", "europepmc", "idconv"):
            value = env.get(ENV_URLS[name]) or res.get(f"{name}_url")
            if value:
                urls[name] = value
        if urls["ncbi"] != DEFAULT_URLS["ncbi"] and not (env.get(ENV_URLS["idconv"]) or res.get("idconv_url")):
            urls["idconv"] = urls["ncbi"].rstrip("/") + "/idconv/"
        urls = {k: (v if k == "idconv" else v.rstrip("/")) for k, v in urls.items()}
        key = env.get("NCBI_API_KEY") or res.get("ncbi_api_key") or None
        mailto = str(res.get("mailto") or getattr(settings, "mailto", "") or env.get("EVIDENCE_MAILTO", ""))
        limits = default_limits(key, mailto)
        for name, limit in list(limits.items()):
            stem = name.replace("-", "_")
            rate = float(res.get(f"{stem}_rate", limit.rate))
            conc = int(res.get(f"{stem}_concurrency", limit.concurrency))
            limits[name] = Limit(rate, conc)
        config = cls(urls=urls, mailto=mailto, ncbi_api_key=key, limits=limits, offline=offline)
        if "timeout" in res:
            config = replace(config, timeout=(float(res["timeout"]), float(res["timeout"])))
        if "retries" in res:
            config = replace(config, retries=int(res["retries"]))
        if "backoff" in res:
            config = replace(config, backoff_base=float(res["backoff"]))
        if "safety" in res:
            config = replace(config, safety=float(res["safety"]))
        for key, kind in (("deadline", float), ("max_redirects", int), ("max_bytes", int)):
            if key in res:
                config = replace(config, **{key: kind(res[key])})
        return config


@dataclass(frozen=True)
class Response:
    """What came back. ``error`` is set when no usable HTTP answer was received (after retries)."""

    url: str
    status: int | None
    body: bytes = b""
    content_type: str = ""
    attempts: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


def _retry_after(value: str | None, now_wall: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now_wall)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _announced_rate(headers: Mapping[str, str]) -> float | None:
    """Crossref announces its budget: X-Rate-Limit-Limit per X-Rate-Limit-Interval ('1s')."""
    limit, interval = headers.get("X-Rate-Limit-Limit"), headers.get("X-Rate-Limit-Interval")
    if not limit or not interval:
        return None
    try:
        seconds = float(interval.strip().rstrip("s") or 1)
        return float(limit) / seconds if seconds > 0 else None
    except ValueError:
        return None


class Refused(Exception):
    """An answer we will not read: a redirect elsewhere, too many redirects, a body over the cap, the deadline."""


def _same_origin(a: str, b: str) -> bool:
    one, two = urlsplit(a), urlsplit(b)
    return (one.scheme.lower(), one.hostname, one.port) == (two.scheme.lower(), two.hostname, two.port)


class HttpClient:
    """GET with limits, timeouts and retries; never raises for network trouble, returns it.

    Every logical GET has an overall deadline (not only a timeout per read, which a server
    sending one byte every few seconds never trips), follows at most ``max_redirects``
    redirects and only to the same scheme and host, and reads at most ``max_bytes``.
    """

    def __init__(self, config: HttpConfig, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
                 wall: Callable[[], float] = time.time):
        self.config = config
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self._rng = rng or random.Random()
        self._limiters = {name: Limiter(limit, config.safety) for name, limit in config.limits.items()}
        self._schedule_lock = threading.Lock()
        self._session: requests.Session | None = None
        self._session_lock = threading.Lock()
        self.requests_sent = 0  # counted, for summaries and the offline guarantee
        self._count_lock = threading.Lock()

    @property
    def offline(self) -> bool:
        return self.config.offline

    def url(self, service: str, path: str = "") -> str:
        base = self.config.urls[service]
        if not path:
            return base
        return base.rstrip("/") + "/" + path.lstrip("/")

    def _get_session(self) -> requests.Session:
        import requests
        from requests.adapters import HTTPAdapter

        with self._session_lock:
            if self._session is None:
                session = requests.Session()
                pool = max(10, sum(limit.concurrency for limit in self.config.limits.values()))
                adapter = HTTPAdapter(pool_connections=len(self.config.urls) + 2, pool_maxsize=pool, max_retries=0)
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                session.headers["User-Agent"] = self.config.user_agent
                self._session = session
            return self._session

    def close(self) -> None:
        with self._session_lock:
            if self._session is not None:
                self._session.close()
                self._session = None

    def _wait_for_slot(self, keys: Sequence[str]) -> None:
        """A start time free in every budget, then a place in flight in each, then the last check.

        The place in flight is taken only when the start time has come: a search waiting for
        its 3/s slot must not hold one of the host's three places meanwhile.
        """
        limiters = [self._limiters[key] for key in keys]
        if not limiters:
            return
        with self._schedule_lock:
            now = self._clock()
            start = now
            while True:
                later = max(limiter.free_at(start) for limiter in limiters)
                if later == start:
                    break
                start = later
            for limiter in limiters:
                limiter.reserve(start, now)
        if start > now:
            self._sleep(start - now)
        for limiter in limiters:
            limiter.enter()
        window = 1.0 + self.config.window_margin
        while True:  # the last check, against the real start times
            with self._schedule_lock:
                now = self._clock()
                ready = max(limiter.admit_at(now, window) for limiter in limiters)
                if ready <= now:
                    for limiter in limiters:
                        limiter.started(now)
                    return
            self._sleep(ready - now)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with 'equal jitter': half fixed, half random, capped."""
        ceiling = min(self.config.backoff_cap, self.config.backoff_base * (2 ** (attempt - 1)))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def get(self, url: str, params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
            limits: Sequence[str] = (), accept: str = "application/json") -> Response:
        """One logical GET: waits for its limits' slots, retries what is worth retrying."""
        shown = url + ("?" + urlencode(params) if params else "")
        if self.config.offline:
            return Response(shown, None, error="offline: not fetched")
        import requests
        import urllib3

        keys = sorted(set(limits))  # one order for every thread: no deadlock between semaphores
        session = self._get_session()
        attempt = 0
        deadline: float | None = None
        while True:
            attempt += 1
            status: int | None = None
            body = b""
            content_type = ""
            headers: Mapping[str, str] = {}
            error: str | None = None
            final = False  # an unreachable host: no retry
            self._wait_for_slot(keys)
            if deadline is None:  # counted from the first send, not from the wait for a slot
                deadline = time.monotonic() + self.config.deadline
            try:
                status, body, headers, shown = self._send(session, url, params, accept, deadline)
                content_type = headers.get("Content-Type", "")
            except Refused as exc:
                return Response(shown, status, b"", "", attempt, error=str(exc))
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                error = _describe(exc)
                final = unreachable(exc)
            finally:
                for key in reversed(keys):
                    self._limiters[key].leave()
            announced = _announced_rate(headers)
            if announced and limits:
                with self._schedule_lock:
                    self._limiters[limits[0]].adopt(announced)  # the first limit is the host's budget
            if error is None and status not in RETRY_STATUS:
                return Response(shown, status, body, content_type, attempt)
            reason = error or f"HTTP {status}"
            if final:
                return Response(shown, status, body, content_type, attempt, error=f"{reason} (not retried)")
            if attempt > self.config.retries or time.monotonic() >= deadline:
                return Response(shown, status, body, content_type, attempt,
                                error=f"{reason} (gave up after {attempt} attempts)")
            delay = self._backoff(attempt)
            wait = _retry_after(headers.get("Retry-After"), self._wall()) if status in (429, 503) else None
            if wait is not None:
                if wait > self.config.max_retry_after:
                    return Response(shown, status, body, content_type, attempt,
                                    error=f"{reason}: the server asked to wait {wait:.0f} s; try again later")
                delay = wait + self._rng.uniform(0, min(1.0, self.config.backoff_base))
            delay = min(delay, max(0.0, deadline - time.monotonic()))
            if status == 429:
                with self._schedule_lock:
                    until = self._clock() + delay
                    for key in keys:
                        self._limiters[key].pause_until(until)
            self._sleep(delay)

    def _send(self, session: requests.Session, url: str, params, accept: str,
              deadline: float) -> tuple[int, bytes, Mapping[str, str], str]:
        """One attempt, watched: a server that drips its *headers* one byte at a time is out of reach of
        the body loop's deadline checks, so the attempt runs in a worker thread that is abandoned (it
        ends at its next read) when the deadline passes."""
        box: dict[str, object] = {}
        done = threading.Event()

        def work() -> None:
            try:
                box["value"] = self._attempt(session, url, params, accept, deadline)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=work, name="evidence-http", daemon=True).start()
        if not done.wait(max(0.0, deadline - time.monotonic()) + 0.25):
            raise Refused(f"no complete answer within the deadline of {self.config.deadline:g} s")
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box["value"]  # type: ignore[return-value]

    def _attempt(self, session: requests.Session, url: str, params, accept: str,
                 deadline: float) -> tuple[int, bytes, Mapping[str, str], str]:
        """Follow same-origin redirects by hand, read the body in pieces within the deadline."""
        current, query = url, params
        for _ in range(self.config.max_redirects + 1):
            with self._count_lock:
                self.requests_sent += 1
            remaining = self._remaining(deadline)
            connect, read = self.config.timeout
            reply = session.get(current, params=query, headers={"Accept": accept}, stream=True, allow_redirects=False,
                                timeout=(min(connect, remaining), min(read, remaining)))
            try:
                if reply.is_redirect:
                    target = urljoin(reply.url, reply.headers["Location"])
                    if not _same_origin(url, target):
                        raise Refused(f"redirect to another host or scheme refused ({urlsplit(target).scheme}://"
                                      f"{urlsplit(target).netloc})")
                    current, query = target, None
                    continue
                return reply.status_code, self._body(reply, deadline), reply.headers, reply.url
            finally:
                reply.close()
        raise Refused(f"more than {self.config.max_redirects} redirects (a redirect loop?)")

    def _remaining(self, deadline: float) -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Refused(f"no complete answer within the deadline of {self.config.deadline:g} s")
        return remaining

    def _body(self, reply: requests.Response, deadline: float) -> bytes:
        """The body, refused past ``max_bytes`` (decoded size: a gzip bomb counts) or past the deadline."""
        cap = self.config.max_bytes
        declared = reply.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise Refused(f"answer of {int(declared)} bytes is over the limit of {cap} bytes")
        chunks, size = [], 0
        while True:
            self._remaining(deadline)
            chunk = reply.raw.read1(65536, decode_content=True)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > cap:
                raise Refused(f"answer is over the limit of {cap} bytes")
            chunks.append(chunk)
