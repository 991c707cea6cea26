"""Resolve stage, transport: the one HTTP client every metadata source goes through.

Why one client: politeness is a property of the whole run, not of one call. Crossref's
polite pool allows 10 requests/s with 3 in flight (and fewer for searches), NCBI 3/s (10/s
with an API key); a client per source, or per thread, could not keep those promises. So
there is one ``requests.Session`` (connection reuse), one limiter per service shared by all
threads, a timeout on every call, and retries with exponential backoff and jitter on 429,
5xx and connection errors that honour ``Retry-After``.

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
from typing import Callable, Mapping, Sequence
from urllib.parse import urlencode

import requests
from requests.adapters import HTTPAdapter

from .. import __version__

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
class Limit:
    """A service's documented budget: requests per second and requests in flight."""

    rate: float
    concurrency: int


def default_limits(ncbi_api_key: str | None) -> dict[str, Limit]:
    """The services' documented defaults.

    Crossref polite pool: 10/s, 3 concurrent; its list queries (searches, ``filter=``) 3/s and
    they count against the 10/s too (a search takes a slot of both). NCBI E-utilities: 3/s,
    10/s with an API key; the PMC ID converter is NCBI too and shares that budget. Europe PMC
    documents no number; 5/s with 3 in flight is a conservative choice.
    """
    return {
        "crossref": Limit(10.0, 3),
        "crossref-search": Limit(3.0, 3),
        "ncbi": Limit(10.0 if ncbi_api_key else 3.0, 3),
        "europepmc": Limit(5.0, 3),
    }


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
    safety: float = 0.95  # aim just under each rate so network jitter cannot push a server's count over
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
        limits = default_limits(key)
        for name, limit in list(limits.items()):
            stem = name.replace("-", "_")
            rate = float(res.get(f"{stem}_rate", limit.rate))
            conc = int(res.get(f"{stem}_concurrency", limit.concurrency))
            limits[name] = Limit(rate, conc)
        mailto = str(res.get("mailto") or getattr(settings, "mailto", "") or env.get("EVIDENCE_MAILTO", ""))
        config = cls(urls=urls, mailto=mailto, ncbi_api_key=key, limits=limits, offline=offline)
        if "timeout" in res:
            config = replace(config, timeout=(float(res["timeout"]), float(res["timeout"])))
        if "retries" in res:
            config = replace(config, retries=int(res["retries"]))
        if "backoff" in res:
            config = replace(config, backoff_base=float(res["backoff"]))
        if "safety" in res:
            config = replace(config, safety=float(res["safety"]))
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


class Limiter:
    """Per-service budget: a semaphore for requests in flight and evenly spaced start times.

    Start times are spaced ``1 / (rate * safety)`` apart, so in any window of one second at
    most ``rate`` requests start, even with a few tens of milliseconds of network jitter.
    A 429 pushes the next start for everyone, not only for the thread that got it.
    """

    def __init__(self, limit: Limit, safety: float, clock: Callable[[], float], sleep: Callable[[float], None]):
        self.limit = limit
        self._interval = 1.0 / (limit.rate * safety)
        self._sem = threading.BoundedSemaphore(limit.concurrency)
        self._lock = threading.Lock()
        self._next = float("-inf")
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> None:
        self._sem.acquire()
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            self._sleep(slot - now)

    def release(self) -> None:
        self._sem.release()

    def pause_until(self, when: float) -> None:
        with self._lock:
            self._next = max(self._next, when)


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


def _describe(exc: Exception) -> str:
    """A short, user-facing reason: 'connection refused', not a urllib3 traceback."""
    text = str(exc)
    if isinstance(exc, requests.Timeout):
        return "timeout"
    for needle, reason in (("refused", "connection refused"), ("Name or service not known", "unknown host"),
                           ("nodename nor servname", "unknown host"), ("reset by peer", "connection reset"),
                           ("RemoteDisconnected", "connection closed by the server")):
        if needle in text:
            return reason
    return f"connection failed ({type(exc).__name__})"


class HttpClient:
    """GET with limits, timeouts and retries; never raises for network trouble, returns it."""

    def __init__(self, config: HttpConfig, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
                 wall: Callable[[], float] = time.time):
        self.config = config
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self._rng = rng or random.Random()
        self._limiters = {name: Limiter(limit, config.safety, clock, sleep) for name, limit in config.limits.items()}
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
        keys = sorted(set(limits))
        session = self._get_session()
        attempt = 0
        while True:
            attempt += 1
            status: int | None = None
            body = b""
            content_type = ""
            headers: Mapping[str, str] = {}
            error: str | None = None
            for key in keys:
                self._limiters[key].acquire()
            try:
                with self._count_lock:
                    self.requests_sent += 1
                reply = session.get(url, params=params, headers={"Accept": accept}, timeout=self.config.timeout)
                status, body, headers = reply.status_code, reply.content, reply.headers
                content_type = reply.headers.get("Content-Type", "")
                shown = reply.url
            except requests.RequestException as exc:
                error = _describe(exc)
            finally:
                for key in reversed(keys):
                    self._limiters[key].release()
            if error is None and status not in RETRY_STATUS:
                return Response(shown, status, body, content_type, attempt)
            reason = error or f"HTTP {status}"
            if attempt > self.config.retries:
                return Response(shown, status, body, content_type, attempt,
                                error=f"{reason} (gave up after {attempt} attempts)")
            delay = self._backoff(attempt)
            wait = _retry_after(headers.get("Retry-After"), self._wall()) if status in (429, 503) else None
            if wait is not None:
                if wait > self.config.max_retry_after:
                    return Response(shown, status, body, content_type, attempt,
                                    error=f"{reason}: the server asked to wait {wait:.0f} s; try again later")
                delay = wait + self._rng.uniform(0, min(1.0, self.config.backoff_base))
            if status == 429:
                until = self._clock() + delay
                for key in keys:
                    self._limiters[key].pause_until(until)
            self._sleep(delay)
