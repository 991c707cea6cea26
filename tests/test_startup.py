"""Start-up stays cheap: the CLI imports a heavy library only in the commands that use it.

Every ``evidence`` command is a fresh process, so what ``import evidence.cli`` pulls in is paid by
every command an editor types (``python -m bench.startup`` measures it). These tests are not timed:
they run the CLI in a fresh interpreter and read ``sys.modules`` afterwards.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys

import pytest

from .conftest import REPO

# Libraries that cost a noticeable part of a second to import, and the commands that need them.
HEAVY = ("pandas", "numpy", "duckdb", "statsmodels", "scipy", "jinja2", "citeproc", "docx", "requests",
         "rapidfuzz", "trafilatura", "syntok", "bibtexparser", "lxml")
STAGES = ("check", "load", "query", "read", "render", "resolve", "synthesis", "validate", "workflow")

_PROBE = """
import json, sys
HEAVY = set(json.loads(sys.argv[1]))
runs = json.loads(sys.argv[2])
from click.testing import CliRunner
from evidence.cli import main
loaded = lambda: sorted(m for m in sys.modules if m.split(".")[0] in HEAVY and "." not in m)
seen = {"import evidence.cli": loaded()}
for args in runs:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    seen[" ".join(args)] = loaded() + ([] if result.exit_code in (0, 1) else [f"exit {result.exit_code}"])
print(json.dumps(seen))
"""


def loaded_after(runs: list[list[str]], cwd=REPO) -> dict[str, list[str]]:
    """The heavy libraries in ``sys.modules`` of a fresh interpreter after importing the CLI and then
    after each run of ``runs`` in turn (cumulative: each list includes what the runs before it loaded)."""
    proc = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(HEAVY), json.dumps(runs)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def every_help() -> list[list[str]]:
    """``--help`` of the group, of every command, and of every command of a sub-group."""
    from evidence.cli import main

    runs = [["--help"]]
    for name, command in sorted(main.commands.items()):
        runs.append([name, "--help"])
        for sub in sorted(getattr(command, "commands", {})):
            runs.append([name, sub, "--help"])
    return runs


def test_importing_the_cli_and_every_help_loads_no_heavy_library():
    runs = every_help()
    assert ["find", "--help"] in runs and ["claims", "suggest", "--help"] in runs  # the list is the real one
    seen = loaded_after(runs)
    assert seen == {key: [] for key in seen}, {k: v for k, v in seen.items() if v}
    assert len(seen) == len(runs) + 1


def test_the_probe_sees_a_heavy_import():
    """The rule above must be able to fail: a command that does load the library shows it."""
    seen = loaded_after([["query", "--sql", "select 1"]])
    assert seen["import evidence.cli"] == []
    assert "duckdb" in seen["query --sql select 1"] and "pandas" in seen["query --sql select 1"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A copy of the shipped workspace (the checkout stays clean)."""
    target = tmp_path_factory.mktemp("startup")
    for name in ("evidence.toml", "references", "articles"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, target / name)
    return target


@pytest.mark.parametrize("command", ["check", "todo"])
def test_check_and_todo_load_no_database_renderer_or_network_client(workspace, command):
    """They read, validate and check (pandas, statsmodels for effects) from the cache only: no database written,
    no page rendered, no network client."""
    seen = loaded_after([[command]], cwd=workspace)[command]
    assert "pandas" in seen and "bibtexparser" in seen  # it did read the workspace
    assert not {"duckdb", "jinja2", "citeproc", "docx", "trafilatura", "syntok", "requests"} & set(seen), seen


def test_export_loads_no_renderer_database_or_statistics(workspace):
    seen = loaded_after([["export", "--format", "bibtex"]], cwd=workspace)["export --format bibtex"]
    assert "bibtexparser" in seen
    assert not {"duckdb", "jinja2", "citeproc", "docx", "statsmodels", "scipy"} & set(seen), seen


@pytest.mark.parametrize("stage", STAGES)
def test_every_public_name_of_a_stage_still_resolves(stage):
    """Stage packages export lazily (:mod:`evidence.lazy`); each name of ``__all__`` must be found where it is said
    to live, and a submodule is reachable as an attribute as it was with eager imports."""
    package = importlib.import_module(f"evidence.{stage}")
    for name in getattr(package, "__all__", ()):
        value = getattr(package, name)
        assert getattr(value, "__name__", name) == name or not callable(value), (stage, name)
    with pytest.raises(AttributeError):
        getattr(package, "no_such_name")


def test_a_submodule_is_an_attribute_of_its_lazy_package():
    import evidence.read

    assert evidence.read.bibtex.read_bibtex is evidence.read.read_bibtex
    from evidence.synthesis import pool
    from evidence.synthesis.pooling import pool as direct

    assert pool is direct


def test_the_startup_bench_measures_the_floor_and_each_command():
    from bench.startup import measure, report

    results = measure(1, commands=(("--help",),))
    assert set(results) == {"floor (python -c pass)", "evidence --help"}
    assert all(r["wall"] > 0 and r["cpu"] >= 0 for r in results.values())
    assert results["evidence --help"]["cpu"] > results["floor (python -c pass)"]["cpu"]  # importing click at least
    assert "evidence --help" in report(results).splitlines()[2]


def test_a_public_name_keeps_naming_the_function_when_its_submodule_shares_the_name():
    """``evidence.workflow.accept`` is the function, as with eager imports, even after ``workflow/accept.py`` was
    imported on its own (the import system then binds the submodule on its package)."""
    code = ("import inspect, sys\n"
            "import evidence.workflow.accept\n"
            "from evidence.workflow import accept\n"
            "print(inspect.isfunction(accept), inspect.ismodule(sys.modules['evidence.workflow.accept']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True"]
