"""Project rules kept true by tests: the module layering, the README's commands, CI's command."""

from __future__ import annotations

import ast
import re

from .conftest import REPO

PKG = REPO / "evidence"
# third-party imports that only one stage may make (first part of the module path under evidence/)
OWNERS = {"duckdb": ("load", "query"), "click": ("cli",), "jinja2": ("render",), "requests": ("resolve",),
          "docx": ("render",)}
# The stages, lowest first: a module may import its own stage and any stage below it, never one above.
# Records and rules every stage shares (errors, model, identifiers, workspace) sit at the bottom.
LAYERS = (("errors", "model", "identifiers", "files", "lazy", "old_names"), ("workspace", "outputs"), ("read",), ("resolve",), ("validate",), ("check",),
          ("synthesis",), ("load",), ("query",), ("render",), ("pipeline",), ("workflow",), ("cli",))
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def stage_of(path):
    return path.relative_to(PKG).with_suffix("").parts[0]


def own_imports(path, source=None):
    """The stages of evidence/ that a module imports (relative or absolute)."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    here = list(path.relative_to(PKG).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
            parts = base + (node.module.split(".") if node.module else [])
            if parts:
                yield parts[0]
            else:  # "from .. import x": x itself is the stage
                yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("evidence."):
            yield node.module.split(".")[1]
        elif isinstance(node, ast.Import):
            yield from (a.name.split(".")[1] for a in node.names if a.name.startswith("evidence."))


def test_only_the_owning_stage_imports_each_library():
    offenders = []
    for path in PKG.rglob("*.py"):
        for name in imports(path):
            if name in OWNERS and stage_of(path) not in OWNERS[name]:
                offenders.append(f"{path.relative_to(REPO)} imports {name}")
    assert offenders == []


def test_every_module_belongs_to_a_known_stage():
    stages = {stage_of(p) for p in PKG.rglob("*.py")} - {"__init__"}
    assert stages <= set(RANK), stages - set(RANK)


def test_lower_layers_never_import_higher_ones():
    offenders = []
    for path in PKG.rglob("*.py"):
        stage = stage_of(path)
        if stage == "__init__":
            continue
        for target in own_imports(path):
            if target in RANK and RANK[target] > RANK[stage]:
                offenders.append(f"{path.relative_to(REPO)} ({stage}) imports {target}")
    assert offenders == []


def test_the_layering_rule_sees_an_upward_import():
    """The rule above must be able to fail: a check module importing the renderer is caught."""
    probe = PKG / "check" / "probe.py"  # never written: only its place in the package matters
    assert list(own_imports(probe, "from ..render import site\nfrom . import verdicts\n")) == ["render", "check"]
    assert list(own_imports(probe, "from .. import pipeline\n")) == ["pipeline"]
    assert RANK["render"] > RANK["check"] and RANK["pipeline"] > RANK["check"]


def test_readme_commands_are_real_and_ci_runs_the_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert blocks[:2] == ["pip install -e . && evidence publish", "pip install -e '.[test]' && python -m pytest"]
    ci = (REPO / ".ci/run").read_text(encoding="utf-8")
    assert blocks[1] in ci
    from click.testing import CliRunner

    from evidence.cli import main

    commands = set(re.findall(r"`evidence (\w+)", readme))
    assert {"build", "check", "query", "site", "publish", "init", "serve", "resolve", "verify", "add", "match",
            "import", "export"} <= commands
    for command in sorted(commands):
        assert command in main.commands, command  # a command of the real `evidence` group
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and result.output.startswith(f"Usage: main {command} "), command


def test_no_module_grows_past_a_screenful_of_screens():
    big = [p.name for p in PKG.rglob("*.py") if len(p.read_text(encoding="utf-8").splitlines()) > 420]
    assert big == []


def test_every_package_is_listed_for_the_wheel():
    """setuptools gets an explicit package list: a new stage folder missing from it works in an editable
    install and is absent from a real one, so the list is held to the folders here."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {".".join(p.parent.relative_to(REPO).parts) for p in PKG.rglob("__init__.py")}
    listed = set(config["packages"]) - set(config.get("package-dir", {}))
    assert listed == folders
