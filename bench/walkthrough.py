"""By the clock: the README's second-article walkthrough, one statement from no evidence to a checked verdict.

Runs the steps of "A second article, start to finish" as an editor types them (each ``evidence``
command a fresh process, so start-up counts) in a new workspace, and prints each step's seconds
and the total. The editor's edits are scripted from the README's own rows (:func:`editor_edit`,
:func:`editor_verifies`), so their time is the tool's only: the time a person spends reading the
abstract and judging is NOT included.

There is no network here: PubMed is a local stand-in replaying the real recordings
(:mod:`bench.ncbi_replay`: the real EFetch record of PMID 38909159, ESummary DocSums derived from
the real EFetch records, a written ESearch answer). On the real E-utilities each of the three
requests adds NCBI's latency (typically a few hundred milliseconds).

    python -m bench.walkthrough [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXTERNAL = Path(os.environ.get("EVIDENCE_EXTERNAL_FIXTURES") or REPO.parent / "shared" / "external")
SECTION = "## A second article, start to finish"
RECORDS = {"38909159": "pubmed/metapub/38909159.xml", "38763967": "pubmed/metapub/38763967.xml"}
QUERY = "juvenile dermatomyositis cardiac MRI"


def readme_section(readme: str | None = None) -> str:
    text = readme if readme is not None else (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    return text[start:text.index("\n## Workspace format", start)]


def blocks(kind: str, section: str | None = None) -> list[str]:
    """The fenced blocks of one kind in the walkthrough, in order."""
    return re.findall(rf"```{kind}\n(.*?)```", section if section is not None else readme_section(), re.S)


def _replace_lines(path: Path, drop: str, add: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(drop)]
    path.write_text("".join(kept) + add, encoding="utf-8")


def editor_edit(root: Path, study_row: str, claim_row: str, link_row: str) -> None:
    """What the walkthrough's editor does after reading the abstract: replaces the drafted study row,
    keeps and corrects the first drafted claim, deletes the other drafts and their links, and chooses
    the relation of the link left."""
    key = study_row.split(",", 1)[0]
    _replace_lines(root / "references/studies.csv", f"{key},", study_row)
    _replace_lines(root / "references/claims.csv", f"{key}-", claim_row)
    statement = link_row.split(",", 1)[0]
    _replace_lines(root / "articles" / "jdm-heart.links.csv", f"{statement},{key}-", link_row)


def editor_verifies(root: Path, key: str) -> None:
    """Step 6: the quote and numbers checked on the study's page, ``status`` set to verified in both rows."""
    for name, prefix in (("studies", f"{key},"), ("claims", f"{key}-")):
        path = root / f"references/{name}.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line.replace(",unverified,", ",verified,") if line.startswith(prefix) else line
                                for line in lines), encoding="utf-8")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(workdir: Path) -> list[tuple[str, float, int, float]]:
    """Every step in order: (what, seconds by the clock, exit code, CPU seconds).

    The CPU seconds do not depend on what else the machine runs; the clock's do."""
    sys.path.insert(0, str(REPO))
    from bench.ncbi_replay import serve

    server, log = serve(EXTERNAL, RECORDS, list(RECORDS))
    url = f"http://127.0.0.1:{server.server_address[1]}"
    env = dict(os.environ, EVIDENCE_NCBI_URL=f"{url}/ncbi", EVIDENCE_EUROPEPMC_URL=f"{url}/epmc",
               EVIDENCE_CROSSREF_URL=f"{url}/crossref", EVIDENCE_IDCONV_URL=f"{url}/idconv/")
    exe = ["evidence"] if _has_script() else [sys.executable, "-c", "from evidence.cli import main; main()"]
    (draft,) = blocks("markdown")
    (workdir / "jdm-heart.md").write_text(draft, encoding="utf-8")
    root = workdir / "jdm"
    steps: list[tuple[str, float, int, float]] = []

    def step(what: str, *args: str) -> None:
        started, cpu = time.perf_counter(), _cpu()
        code = subprocess.run([*exe, *args], cwd=root if root.exists() else workdir, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        steps.append((what, time.perf_counter() - started, code, _cpu() - cpu))

    def scripted(what: str, edit) -> None:  # type: ignore[no-untyped-def]
        started, cpu = time.perf_counter(), time.process_time()
        edit()
        steps.append((what, time.perf_counter() - started, 0, time.process_time() - cpu))

    try:
        step("(start-up alone: evidence --help, for reference; not in the total)", "--help")
        subprocess.run([*exe, "init", str(root)], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*exe, "article", "add", str(workdir / "jdm-heart.md"), "--slug", "jdm-heart", "--outlet",
                        "Example Health Desk", "--published", "2025-03-01"], cwd=root, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        _drafted, study_row, claim_row, link_row = blocks("csv")
        step("find --statement jdm-heart:S01", "find", "--statement", "jdm-heart:S01")
        step(f'find "{QUERY}" --since 2020', "find", QUERY, "--since", "2020")
        step("find ... --add 1", "find", QUERY, "--since", "2020", "--add", "1")
        step("claims suggest akgun2025cardiac --statement jdm-heart:S01 --write", "claims", "suggest",
             "akgun2025cardiac", "--statement", "jdm-heart:S01", "--write")
        scripted("editor's edit (scripted): study row, claim, link", lambda: editor_edit(root, study_row, claim_row,
                                                                                           link_row))
        step("todo jdm-heart", "todo", "jdm-heart")
        scripted("editor verifies (scripted): status = verified", lambda: editor_verifies(root, "akgun2025cardiac"))
        step("check jdm-heart", "check", "jdm-heart")
    finally:
        server.shutdown()
    if "/ncbi/esummary.fcgi" not in log or "/ncbi/efetch.fcgi" not in log:
        raise SystemExit(f"the local PubMed was not asked as expected: {log}")
    return steps


def _has_script() -> bool:
    from shutil import which
    return which("evidence") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the timings here")
    args = parser.parse_args()
    if not (EXTERNAL / RECORDS["38909159"]).is_file():
        raise SystemExit(f"the real recordings are not in {EXTERNAL} (set EVIDENCE_EXTERNAL_FIXTURES)")
    with tempfile.TemporaryDirectory(prefix="walkthrough-") as tmp:
        steps = run(Path(tmp))
    width = max(len(s[0]) for s in steps)
    print(f"{'step':<{width}}  {'clock':>8}  {'cpu':>8}")
    for what, seconds, code, cpu in steps:
        print(f"{what:<{width}}  {seconds:6.2f} s  {cpu:6.2f} s  exit {code}")
    counted = [s for s in steps if not s[0].startswith("(")]
    total, total_cpu = sum(s[1] for s in counted), sum(s[3] for s in counted)
    print(f"{'total (tool time; reading and judging not included)':<{width}}  {total:6.2f} s  {total_cpu:6.2f} s")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print("network: a local replay of the real PubMed recordings (no live E-utilities)")
    final = steps[-1]
    if final[2] != 0:
        raise SystemExit(f"the walkthrough did not end in a checked verdict (check exited {final[2]})")
    if args.json:
        args.json.write_text(json.dumps({"steps": [{"step": w, "seconds": round(s, 3), "cpu_seconds": round(u, 3),
                                                    "exit": c} for w, s, c, u in steps],
                                         "total_seconds": round(total, 3), "total_cpu_seconds": round(total_cpu, 3),
                                         "network": "local replay"}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
