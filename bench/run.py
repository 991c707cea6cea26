"""Benchmark: time build, check, the canned queries and the site, each against its floor.

    python -m bench.run --claims 1000 --studies 100 --articles 5 --statements 40
    python -m bench.run --claims 100000 --studies 10000 --articles 50 --statements 60 --json bench.json

Every step is printed as seconds and as a ratio to its floor, measured in the same run on the
same generated data (``bench/floor.py``), with the run's peak memory so far (resident set
size of this process plus its largest child, from ``getrusage``). ``--json FILE`` writes the
same figures. Performance goals live here, not in tests.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from evidence import pipeline
from evidence.query.runner import discover, run_query

from . import floor as floors
from .generate import generate


@dataclass
class Step:
    name: str
    seconds: float
    floor_key: str = ""
    peak_mb: float = 0.0
    floor_name: str = ""
    floor: float = 0.0

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.floor if self.floor > 0 else None


def peak_mb() -> float:
    """High-water resident memory of this process and of its largest finished child (Linux: kB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def timed(name: str, fn, steps: list[Step], floor_key: str = ""):
    start = time.perf_counter()
    value = fn()
    steps.append(Step(name, time.perf_counter() - start, floor_key, peak_mb()))
    print(f"  {name}: {steps[-1].seconds:.3f} s", file=sys.stderr, flush=True)
    return value


def edit_one_claim(claims: Path) -> None:
    text = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    text[1] = text[1].replace("Synthetic finding.", "Synthetic finding (edited).")
    claims.write_text("".join(text), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--studies", type=int, default=100)
    ap.add_argument("--articles", type=int, default=5)
    ap.add_argument("--statements", type=int, default=40)
    ap.add_argument("--dir", type=Path, default=None, help="where to generate (default: a temporary folder)")
    ap.add_argument("--json", type=Path, default=None, help="also write step -> seconds, ratio, peak memory here")
    args = ap.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="evidence-bench-")) / "ws"
    steps: list[Step] = []
    settings = timed("generate workspace", lambda: generate(root, args.studies, args.claims, args.articles,
                                                             args.statements), steps)
    early = floors.measure(root, 0)  # measured again at the end; the lower of the two is the floor (noisy machine)
    checked = timed("build (read+validate+check+load)", lambda: pipeline.build(settings), steps, "build")
    timed("check (no database)", lambda: pipeline.check(settings), steps, "build")
    queries = discover(settings.query_dirs)
    df = timed("query intervention_evidence", lambda: run_query(settings.db_path, queries["intervention_evidence"]), steps,
               "aggregate")
    slowest = max(((name, _time_query(settings.db_path, q)) for name, q in queries.items()), key=lambda x: x[1])
    steps.append(Step(f"slowest canned query ({slowest[0]})", slowest[1], "aggregate", peak_mb()))
    site = timed("site (first render)", lambda: pipeline.render(settings), steps, "render")
    again = timed("site (re-render, unchanged)", lambda: pipeline.render(settings), steps, "hash")
    timed("build (unchanged workspace)", lambda: pipeline.build(settings), steps, "hash")
    edit_one_claim(settings.references_dir / "claims.csv")
    timed("build after one claim changed", lambda: pipeline.build(settings), steps, "hash")
    one = timed("site after one claim changed", lambda: pipeline.render(settings), steps, "hash")
    steps.append(Step("one claim edited: build + site", steps[-2].seconds + steps[-1].seconds, "hash", peak_mb()))

    print("  measuring the floor ...", file=sys.stderr, flush=True)
    floor = floors.lower(early, floors.measure(root, site.pages))
    which = {"build": ("bibtexparser parse + duckdb read_csv", floor.build),
             "aggregate": ("duckdb aggregate of all claims", floor.aggregate),
             "render": (f"jinja2 render of {site.pages} minimal pages", floor.render),
             "hash": ("sha256 of every input file", floor.hash)}
    for step in steps:
        if step.floor_key:
            step.floor_name, step.floor = which[step.floor_key]

    print(f"\nscale: {args.studies} studies, {args.claims} claims, {args.articles} articles x {args.statements} "
          f"statements; {len(checked.workspace.links)} links; {len(df)} query rows; "
          f"{site.pages} site files; re-render wrote {len(again.written)}; one-claim edit rewrote {len(one.written)} files\n")
    print("floor (same run, same data): "
          f"bibtexparser {floor.parse:.3f} s, duckdb read_csv {floor.read_csv:.3f} s, aggregate {floor.aggregate:.4f} s, "
          f"jinja2 {floor.pages} pages {floor.render:.3f} s ({floor.pages / floor.render:.0f} pages/s), "
          f"input hash {floor.hash:.4f} s\n")
    width = max(len(s.name) for s in steps)
    print(f"{'step':<{width}}  {'seconds':>8}  {'x floor':>8}  {'peak MB':>8}  floor")
    for s in steps:
        ratio = f"{s.ratio:8.1f}" if s.ratio is not None else f"{'—':>8}"
        print(f"{s.name:<{width}}  {s.seconds:8.3f}  {ratio}  {s.peak_mb:8.0f}  {s.floor_name}")
    if args.json:
        args.json.write_text(json.dumps({
            "scale": {"studies": args.studies, "claims": args.claims, "articles": args.articles,
                      "statements": args.statements, "site_files": site.pages},
            "floor": {"parse": floor.parse, "read_csv": floor.read_csv, "aggregate": floor.aggregate,
                      "render": floor.render, "hash": floor.hash},
            "steps": {s.name: {"seconds": round(s.seconds, 4), "ratio": round(s.ratio, 2) if s.ratio else None,
                               "floor": s.floor_name, "peak_memory_mb": round(s.peak_mb, 1)} for s in steps},
            "peak_memory_mb": round(peak_mb(), 1)}, indent=1) + "\n", encoding="utf-8")


def _time_query(db_path: Path, query) -> float:
    run_query(db_path, query)  # warm: the first connection opens the file
    start = time.perf_counter()
    run_query(db_path, query)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
