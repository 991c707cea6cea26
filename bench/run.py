"""Benchmark: time build, check, a canned query and the site at a given scale.

    python -m bench.run --claims 1000 --studies 100 --articles 5 --statements 40
    python -m bench.run --claims 100000 --studies 10000 --articles 50 --statements 60

Prints a table of wall-clock seconds per step. Performance goals live here, not in tests.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from evidence import pipeline
from evidence.query.runner import discover, run_query

from .generate import generate


def timed(label: str, fn, results: list[tuple[str, float, str]]):
    start = time.perf_counter()
    value = fn()
    results.append((label, time.perf_counter() - start, ""))
    return value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--studies", type=int, default=100)
    ap.add_argument("--articles", type=int, default=5)
    ap.add_argument("--statements", type=int, default=40)
    ap.add_argument("--dir", type=Path, default=None, help="where to generate (default: a temporary folder)")
    args = ap.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="evidence-bench-")) / "ws"
    results: list[tuple[str, float, str]] = []
    settings = timed("generate workspace", lambda: generate(root, args.studies, args.claims, args.articles,
                                                             args.statements), results)
    checked = timed("build (read+validate+check+load)", lambda: pipeline.build(settings), results)
    timed("check (no database)", lambda: pipeline.check(settings), results)
    queries = discover(settings.query_dirs)
    df = timed("query treatment_evidence", lambda: run_query(settings.db_path, queries["treatment_evidence"]), results)
    site = timed("site (first render)", lambda: pipeline.render(settings), results)
    again = timed("site (re-render, unchanged)", lambda: pipeline.render(settings), results)
    claims = settings.references_dir / "claims.csv"
    text = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    text[1] = text[1].replace("Synthetic finding.", "Synthetic finding (edited).")
    claims.write_text("".join(text), encoding="utf-8")
    timed("rebuild after one claim changed", lambda: pipeline.build(settings), results)
    one = timed("site after one claim changed", lambda: pipeline.render(settings), results)
    print(f"\nscale: {args.studies} studies, {args.claims} claims, {args.articles} articles x {args.statements} "
          f"statements; {len(checked.workspace.links)} links; {len(df)} query rows; "
          f"{site.pages} site files; re-render wrote {len(again.written)}; one-claim edit rewrote {len(one.written)} files\n")
    width = max(len(r[0]) for r in results)
    print(f"{'step':<{width}}  seconds")
    for label, seconds, _ in results:
        print(f"{label:<{width}}  {seconds:8.3f}")


if __name__ == "__main__":
    main()
