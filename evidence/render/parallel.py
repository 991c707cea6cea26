"""Render stage, pages in parallel: templates rendered in worker processes, one per core.

Pages are independent once their contexts are built, and Jinja2 renders ~2.5k small pages a
second on one core, so a first render of 100k study pages wants every core. The contexts are
already serialised to decide whether a page changed (``incremental.value_digest``); the same
bytes travel to a worker, which loads them (pickle as an in-memory message between processes
of this run, never a file), renders, and sends back the page's bytes for the writer. Workers
are spawned, not forked (as for citations), so no lock held by another thread is inherited.

Memory stays bounded: pages are handed over in batches, and only one batch's contexts and
pages are held at a time. A render with few pages to make stays in this process.
"""

from __future__ import annotations

import os
import pickle
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Callable

from .workers import worker_pool

PARALLEL_MIN = 1000  # pages to render in one batch below which worker start-up costs more than it saves
BATCH = 4000  # pages held in memory at once
CHUNK = 100  # pages per message to a worker

_ENV: Any = None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _start(settings: Any, cache: Any) -> None:
    """In a worker: the same template environment as the parent's."""
    global _ENV
    from .site import environment  # late: site imports this module

    _ENV = environment(settings, cache)


def _render_chunk(jobs: list[tuple[str, str, bytes]]) -> list[tuple[str, bytes]]:
    return [(rel, _ENV.get_template(template).render(**pickle.loads(payload)).encode("utf-8"))
            for rel, template, payload in jobs]


class PageRenderer:
    """Queue pages to render; ``done(rel, bytes)`` is called for each, in this process, as they come back."""

    def __init__(self, env: Any, settings: Any, cache: Any, done: Callable[[str, bytes], None],
                 workers: int | None = None):
        self.env, self.settings, self.cache, self.done = env, settings, cache, done
        self.workers = workers if workers is not None else cores()
        self.jobs: list[tuple[str, str, bytes, dict[str, object]]] = []
        self.pool: ProcessPoolExecutor | None = None
        self.in_flight: deque[list[Future]] = deque()  # batches the workers are rendering, oldest first

    def add(self, rel: str, template: str, payload: bytes, context: dict[str, object]) -> None:
        self.jobs.append((rel, template, payload, context))
        if len(self.jobs) >= BATCH:
            self.flush()

    def flush(self) -> None:
        jobs, self.jobs = self.jobs, []
        if self.workers < 2 or (len(jobs) < PARALLEL_MIN and self.pool is None):
            for rel, template, _, context in jobs:
                self.done(rel, self.env.get_template(template).render(**context).encode("utf-8"))
            return
        if self.pool is None:
            self.pool = worker_pool(self.workers, _start, (self.settings, self.cache))
        chunks = [[(rel, template, payload) for rel, template, payload, _ in jobs[i:i + CHUNK]]
                  for i in range(0, len(jobs), CHUNK)]
        del jobs
        # hand the batch over and go on building the next one; keep at most two batches in flight
        self.in_flight.append([self.pool.submit(_render_chunk, chunk) for chunk in chunks])
        while len(self.in_flight) > 1:
            self._collect()

    def _collect(self) -> None:
        """Write the oldest batch's pages as they come back (in order, so the writer sees a fixed order)."""
        for future in self.in_flight.popleft():
            for rel, data in future.result():
                self.done(rel, data)

    def close(self) -> None:
        """Render what is queued, then stop the workers."""
        try:
            self.flush()
            while self.in_flight:
                self._collect()
        finally:
            if self.pool is not None:
                self.pool.shutdown()
                self.pool = None

    def abort(self) -> None:
        self.jobs = []
        self.in_flight.clear()
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
