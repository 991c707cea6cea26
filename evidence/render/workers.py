"""Render stage, worker processes that end with the render that started them.

A render killed by a signal (``kill``, a closed terminal, the out-of-memory killer) runs no
clean-up, and its spawned workers, blocked on a queue whose write end they hold themselves,
never see it close: after a benchmark was stopped, two page workers and their resource tracker
were still alive an hour and a half later, holding memory. On Linux each worker asks the kernel
for SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and leaves at once if the
parent is already gone by then. Elsewhere the pool behaves as before.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any, Callable

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _bind_to_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # no libc prctl: the pool still works, unbound
            pass
    if os.getppid() != parent:  # the parent died before the kernel was asked: nobody will signal
        os._exit(1)


def _start(parent: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    _bind_to_parent(parent)
    if initializer is not None:
        initializer(*initargs)


def worker_pool(max_workers: int, initializer: Callable[..., None] | None = None,
                initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """A pool of spawned workers (not forked: no lock held by another thread is inherited) that die with this process."""
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=get_context("spawn"),
                               initializer=_start, initargs=(os.getpid(), initializer, initargs))
