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

import bisect
import collections
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
from .netfail import describe as _describe, unreachable

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


def default_limits(ncbi_api_key: str | None, mailto: str = "x") -> dict[str, Limit]:
    """The services' documented defaults.

    Crossref polite pool (requests carrying a mailto): 10/s, 3 concurrent; without a mailto
    the public pool's 5/s, 1 concurrent (what its ``X-Rate-Limit-*`` headers announce). List
    queries (searches, ``filter=``) 3/s, and they count against the per-host budget too (a
    search takes a slot of both). NCBI E-utilities: 3/s, 10/s with an API key; the PMC ID
    converter is NCBI too and shares that budget. Europe PMC documents no number; 5/s with
    3 in flight is a conservative choice.
    """
    return {
        "crossref": Limit(10.0, 3) if mailto else Limit(5.0, 1),
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
    """Per-service budget: a semaphore for requests in flight and spaced start times.

    Planned starts are at least ``1 / (rate * safety)`` apart. Start times are reserved, not
    queued: a request that needs two budgets (a Crossref search counts against searches and
    the host) gets one time free in both, and later requests may still use the gaps before
    it. Just before sending, the real start times are checked too (at most ``rate`` in any
    ``1 s + margin``), so a thread that woke up late cannot bunch the next starts together.
    A 429 pauses every thread, not only the one that got it. The caller holds the schedule
    lock of :class:`HttpClient` while it reserves or checks.
    """

    def __init__(self, limit: Limit, safety: float):
        self.limit = limit
        self._interval = 1.0 / (limit.rate * safety)
        self._safety = safety
        self._sem = threading.BoundedSemaphore(limit.concurrency)
        self._slots: list[float] = []  # reserved start times, sorted
        self._blocked_until = float("-inf")
        self._sent: collections.deque[float] = collections.deque()  # actual start times, last window
        self._per_window = max(1, int(limit.rate))

    def enter(self) -> None:
        self._sem.acquire()

    def leave(self) -> None:
        self._sem.release()

    def free_at(self, t: float) -> float:
        """The earliest time >= t that keeps one interval from every reserved start."""
        t = max(t, self._blocked_until)
        for slot in self._slots:
            if slot <= t - self._interval:
                continue
            if slot >= t + self._interval:
                break
            t = slot + self._interval
        return t

    def admit_at(self, now: float, window: float) -> float:
        """When a start *now* keeps at most ``rate`` actual starts in any ``window``.

        Planned slots keep the pace; this check uses the real start times, so a thread that
        woke up late cannot make the next ten starts fall inside one second at the server.
        """
        while self._sent and self._sent[0] <= now - window:
            self._sent.popleft()
        if len(self._sent) < self._per_window:
            return now
        return self._sent[-self._per_window] + window

    def started(self, now: float) -> None:
        self._sent.append(now)

    def reserve(self, t: float, now: float) -> None:
        self._slots = [s for s in self._slots if s > now - self._interval]
        bisect.insort(self._slots, t)

    def adopt(self, rate: float) -> None:
        """Slow down (never speed up) to a rate the server announces, e.g. X-Rate-Limit-Limit."""
        if rate > 0:
            self._interval = max(self._interval, 1.0 / (rate * self._safety))

    def pause_until(self, when: float) -> None:
        self._blocked_until = max(self._blocked_until, when)


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
        keys = sorted(set(limits))  # one order for every thread: no deadlock between semaphores
        session = self._get_session()
        attempt = 0
        while True:
            attempt += 1
            status: int | None = None
            body = b""
            content_type = ""
            headers: Mapping[str, str] = {}
            error: str | None = None
            final = False  # an unreachable host: no retry
            self._wait_for_slot(keys)
            try:
                with self._count_lock:
                    self.requests_sent += 1
                reply = session.get(url, params=params, headers={"Accept": accept}, timeout=self.config.timeout)
                status, body, headers = reply.status_code, reply.content, reply.headers
                content_type = reply.headers.get("Content-Type", "")
                shown = reply.url
            except requests.RequestException as exc:
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
                with self._schedule_lock:
                    until = self._clock() + delay
                    for key in keys:
                        self._limiters[key].pause_until(until)
            self._sleep(delay)
