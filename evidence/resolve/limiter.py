"""Resolve stage, politeness: each service's documented budget and the limiter that keeps it.

Split from :mod:`evidence.resolve.http` (which re-exports these names): the budget is a noun
of its own, the transport only asks it when a request may start.
"""

from __future__ import annotations

import bisect
import collections
import threading
from dataclasses import dataclass


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
