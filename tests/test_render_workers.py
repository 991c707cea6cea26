"""A render's worker processes end with it, even when it is killed with no chance to clean up
(README "Nothing hangs"): a stopped benchmark once left two page workers and their resource
tracker alive for an hour and a half. Real processes, a real SIGKILL; Linux only (prctl)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evidence.render.workers import worker_pool

REPO = Path(__file__).resolve().parent.parent

# a render's parent in miniature: start the real pool, report the workers' pids, then wait to be killed
PARENT = """
import os, sys, time
from evidence.render.workers import worker_pool
if __name__ == "__main__":
    pool = worker_pool(2)
    pids = {pool.submit(os.getpid).result() for _ in range(8)}
    print(" ".join(map(str, sorted(pids))), flush=True)
    time.sleep(120)
"""


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie waiting for a parent that will not reap it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "Z" not in state.split()[1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_when_their_render_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        line = parent.stdout.readline()
        workers = [int(p) for p in line.split()]
        assert workers and parent.pid not in workers and all(_alive(p) for p in workers)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in workers if _alive(p)]
    for pid in left:  # never leave them behind for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"workers outlived their killed parent: {left}"


def test_a_pool_still_runs_its_initializer_and_its_work(tmp_path):
    marker = tmp_path / "started"
    with worker_pool(1, _touch, (str(marker),)) as pool:
        assert pool.submit(os.getpid).result() != os.getpid()
    assert marker.exists()


def _touch(path: str) -> None:
    Path(path).write_text("started", encoding="utf-8")
