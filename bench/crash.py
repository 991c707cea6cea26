"""Crash benchmark: kill `evidence build` and `evidence site` at random moments, then check nothing broke.

    python -m bench.crash --builds 30 --renders 30

For each kill: the database is either the previous one or the complete new one (never
missing, never half-written), the site folder is either the previous site or the complete
new one, and after the next run of any command (``evidence query --list``) no temporary
of the killed process survives. Prints how many kills landed, in which state each run
was found, and every failure. Uses a generated workspace (bench.generate, synthetic data)
big enough that a run takes a second or two, so kills land throughout the run.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import duckdb

from evidence.render.site import site_digest

from .generate import generate

EVIDENCE = [sys.executable, "-c", "from evidence.cli import main; main()"]


def _run(root: Path, *args: str, kill_after: float | None = None) -> str:
    """Run a command; with ``kill_after``, SIGKILL it then. Returns 'killed' or 'finished'."""
    proc = subprocess.Popen([*EVIDENCE, "-w", str(root), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kill_after is None:
        if proc.wait() != 0:
            raise RuntimeError(f"evidence {' '.join(args)} failed")
        return "finished"
    try:
        proc.wait(timeout=kill_after)
        return "finished"
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return "killed"


def _marker(root: Path) -> str | None:
    """Which build the database holds: the summary of the claim that each build changes (None: no database)."""
    db = root / "evidence.duckdb"
    if not db.is_file():
        return None
    rows = list(csv.reader(io.StringIO((root / "references" / "claims.csv").read_text(encoding="utf-8"))))
    claim_id = rows[1][rows[0].index("claim_id")]
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT summary FROM claims WHERE claim_id = ?", [claim_id]).fetchone()[0]
    finally:
        con.close()


def _leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".evidence.duckdb.", ".site.")))


def _set_summary(root: Path, text: str) -> None:
    """Change the first claim's summary, so the next build's database differs from the previous one."""
    path = root / "references" / "claims.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[1][rows[0].index("summary")] = text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def crash_builds(root: Path, n: int, rng: random.Random, duration: float) -> tuple[Counter, list[str]]:
    counts: Counter = Counter()
    failures: list[str] = []
    for i in range(n):
        before = _marker(root)
        new = f"Crash test summary {i}"
        _set_summary(root, new)
        state = _run(root, "build", kill_after=rng.uniform(0.05, duration * 1.1))
        counts[state] += 1
        now = _marker(root)
        if now not in (before, new):
            failures.append(f"build {i}: database holds {now!r}, expected {before!r} or {new!r}")
        counts["old database" if now == before else "new database"] += 1
        _run(root, "query", "--list")  # any command cleans the leftovers of dead runs
        if _leftovers(root):
            failures.append(f"build {i}: leftovers after the next run: {_leftovers(root)}")
    return counts, failures


def crash_renders(root: Path, n: int, rng: random.Random, duration: float) -> tuple[Counter, list[str]]:
    counts: Counter = Counter()
    failures: list[str] = []
    site = root / "site"
    for i in range(n):
        _set_summary(root, f"Render crash summary {i}")
        _run(root, "build")
        old = site_digest(site)
        reference = Path(tempfile.mkdtemp(prefix="evidence-crash-ref-")) / "site"
        _run(root, "site", "--output", str(reference))
        new = site_digest(reference)
        shutil.rmtree(reference.parent)
        state = _run(root, "site", kill_after=rng.uniform(0.05, duration * 1.1))
        counts[state] += 1
        _run(root, "query", "--list")  # repairs a render killed between its renames, removes staging folders
        now = site_digest(site) if site.is_dir() else None
        if now not in (old, new):
            failures.append(f"render {i}: site is neither the previous nor the new one")
        counts["old site" if now == old else "new site"] += 1
        if _leftovers(root):
            failures.append(f"render {i}: leftovers after the next run: {_leftovers(root)}")
    return counts, failures


def _duration(root: Path, *args: str) -> float:
    start = time.monotonic()
    _run(root, *args)
    return time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--builds", type=int, default=30)
    ap.add_argument("--renders", type=int, default=30)
    ap.add_argument("--claims", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    root = args.dir or Path(tempfile.mkdtemp(prefix="evidence-crash-")) / "ws"
    generate(root, studies=max(10, args.claims // 20), claims=args.claims, articles=2, statements=20)
    build_time = _duration(root, "build")
    site_time = _duration(root, "site")
    print(f"workspace {root}: build {build_time:.2f} s, site {site_time:.2f} s")
    b_counts, b_fail = crash_builds(root, args.builds, rng, build_time)
    r_counts, r_fail = crash_renders(root, args.renders, rng, site_time)
    print(f"builds: {args.builds} runs, {b_counts['killed']} killed, {b_counts['finished']} finished; "
          f"{b_counts['old database']} left the previous database, {b_counts['new database']} the new one")
    print(f"renders: {args.renders} runs, {r_counts['killed']} killed, {r_counts['finished']} finished; "
          f"{r_counts['old site']} left the previous site, {r_counts['new site']} the new one")
    for failure in b_fail + r_fail:
        print("FAIL", failure)
    print(f"{len(b_fail) + len(r_fail)} failure(s)")
    return 1 if b_fail or r_fail else 0


if __name__ == "__main__":
    sys.exit(main())
