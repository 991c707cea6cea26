"""Project rules kept true by tests: the module layering, the README's commands, CI's command."""

from __future__ import annotations

import ast
import re

from .conftest import REPO

PKG = REPO / "evidence"
# third-party imports that only one module (or package) may make
OWNERS = {"duckdb": ("db",), "click": ("cli", "cli_resolve", "cli_site"), "jinja2": ("site",), "requests": ("resolve",)}


def imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def test_only_the_owning_stage_imports_each_library():
    offenders = []
    for path in PKG.rglob("*.py"):
        module = path.relative_to(PKG).with_suffix("").parts[0]
        for name in imports(path):
            if name in OWNERS and module not in OWNERS[name]:
                offenders.append(f"{path.relative_to(REPO)} imports {name}")
    assert offenders == []


def test_lower_layers_never_import_the_cli_or_the_site():
    for path in PKG.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.stem not in ("cli", "cli_resolve", "cli_site", "pipeline", "site", "preview"):
            assert "from .cli" not in text and "from ..cli" not in text, path
            assert "from .site" not in text and "import site" not in text, path


def test_readme_commands_are_real_and_ci_runs_the_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert blocks[:2] == ["pip install -e . && evidence publish", "pip install -e '.[test]' && python -m pytest"]
    ci = (REPO / ".ci/run").read_text(encoding="utf-8")
    assert blocks[1] in ci
    from click.testing import CliRunner

    from evidence.cli import main

    for command in re.findall(r"`evidence (\w+)", readme):
        assert CliRunner().invoke(main, [command, "--help"]).exit_code == 0, command


def test_no_module_grows_past_a_screenful_of_screens():
    big = [p.name for p in PKG.rglob("*.py") if len(p.read_text(encoding="utf-8").splitlines()) > 420]
    assert big == []
