"""Start-up cost: what one ``evidence`` command costs before and around its work, per fresh process.

Every command an editor types is a new Python process, so interpreter start-up and the imports the
command makes are paid each time. This runs each command several times in a copy of the shipped
workspace (the repository's own articles, references and curation; nothing is written to the
checkout) and prints, for each, the best wall-clock and CPU seconds (user + system of the child)
and the CPU seconds above the floor: ``python -c pass`` measured in the same run, with the same
interpreter. CPU time is the steadier figure on a shared machine; wall time is what the editor waits.

    python -m bench.startup [--repeat N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKSPACE = ("evidence.toml", "articles", "references", "curation", "queries", "site_templates")
COMMANDS = (("--help",), ("todo",), ("check",), ("find", "--help"), ("query", "--help"), ("claims", "--help"))


def copy_workspace(target: Path) -> Path:
    """The shipped workspace, copied so that a command's outputs never land in the checkout."""
    for name in WORKSPACE:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, target / name)
        elif src.exists():
            shutil.copy2(src, target / name)
    return target


def timed(argv: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(argv: list[str], cwd: Path, repeat: int) -> dict[str, float]:
    """The lowest wall and the lowest CPU of ``repeat`` runs: noise on a shared machine only adds."""
    runs = [timed(argv, cwd) for _ in range(repeat)]
    return {"wall": min(w for w, _ in runs), "cpu": min(c for _, c in runs)}


def evidence_argv(args: tuple[str, ...]) -> list[str]:
    """The installed ``evidence`` script beside this interpreter; without one, the same entry point
    (``evidence.cli:main``) in a fresh interpreter."""
    script = Path(sys.executable).parent / "evidence"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "import sys; from evidence.cli import main; sys.argv[0] = 'evidence'; main()", *args]


def measure(repeat: int, commands=COMMANDS) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix="evidence-startup-") as tmp:
        root = copy_workspace(Path(tmp))
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):  # as on the development machine: an editable install
            print("note: PYTHONDONTWRITEBYTECODE is set, so every run compiles evidence's own modules",
                  file=sys.stderr)
        best([sys.executable, "-c", "import evidence.cli"], root, 1)  # warm the file system cache
        results = {"floor (python -c pass)": best([sys.executable, "-c", "pass"], root, repeat)}
        for args in commands:
            results["evidence " + " ".join(args)] = best(evidence_argv(args), root, repeat)
        return results


def report(results: dict[str, dict[str, float]]) -> str:
    floor = results["floor (python -c pass)"]["cpu"]
    width = max(len(name) for name in results)
    lines = [f"{'command':<{width}}  {'wall s':>7}  {'cpu s':>7}  {'cpu over floor':>14}"]
    for name, r in results.items():
        lines.append(f"{name:<{width}}  {r['wall']:7.2f}  {r['cpu']:7.2f}  {r['cpu'] - floor:14.2f}")
    load = os.getloadavg()[0]
    lines.append(f"(best of the runs; load average {load:.1f} on {os.cpu_count()} cores while measuring)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per command; the best is kept (default 3)")
    parser.add_argument("--json", type=Path, help="also write the figures (command -> wall, cpu seconds) here")
    args = parser.parse_args(argv)
    results = measure(max(1, args.repeat))
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
