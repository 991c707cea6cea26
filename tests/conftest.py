"""Shared fixtures: a tiny real workspace on disk (made by `evidence init`) and a CLI runner."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence import pipeline
from evidence.cli import main
from evidence.workspace import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# The real recordings (../shared/external, read in place); EVIDENCE_EXTERNAL_FIXTURES points elsewhere,
# e.g. from a git worktree. CI sets EVIDENCE_REQUIRE_RECORDINGS=1: then a missing recording fails.
EXTERNAL = Path(os.environ.get("EVIDENCE_EXTERNAL_FIXTURES") or SHARED / "external")


def missing_recording(reason: str):
    """Skip the test saying why, or fail it when CI requires the recordings. Call it in the test's own
    thread (a skip raised in a server thread only prints a traceback and lets the test pass)."""
    if os.environ.get("EVIDENCE_REQUIRE_RECORDINGS"):
        pytest.fail(f"EVIDENCE_REQUIRE_RECORDINGS is set but {reason}", pytrace=False)
    pytest.skip(reason)


def missing_browser() -> None:
    """Skip a browser test when Debian's chromium is absent, or fail it when CI requires the browser."""
    if not Path("/usr/bin/chromium").exists():
        reason = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("EVIDENCE_REQUIRE_BROWSER"):
            pytest.fail(f"EVIDENCE_REQUIRE_BROWSER is set but {reason}", pytrace=False)
        pytest.skip(reason)


def external_dir() -> Path:
    """The folder of real recordings, or skip (fail in CI) when this machine does not have it."""
    if not EXTERNAL.is_dir():
        missing_recording(f"{EXTERNAL} is absent (the tests read ../shared/external/ in place; see its README)")
    return EXTERNAL


@pytest.fixture(scope="session")
def recordings() -> Path:
    """For fixtures that start servers replaying recordings: skip or fail before any server starts."""
    return external_dir()


MINIMAL = REPO / "tests" / "fixtures" / "minimal-workspace"


def minimal_workspace(target: Path) -> Settings:
    """A copy of the minimal workspace the tests build on: one real study (Connolly et al. 2017, read on
    PMC), one claim and a two-sentence example article (written for the tests, not a real article), in the
    first workspace format (treatments.csv, scar_types.csv, the claims column scar_type), so that every
    test built on it also keeps that format building. `evidence init` writes the neutral starter instead."""
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(target)
    shutil.copytree(MINIMAL, target, dirs_exist_ok=True)
    return load_settings(target)


@pytest.fixture
def ws(tmp_path: Path) -> Settings:
    """A fresh minimal workspace that builds."""
    return minimal_workspace(tmp_path / "ws")


def write(settings: Settings, rel: str, text: str) -> Path:
    path = settings.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def append(settings: Settings, rel: str, text: str) -> Path:
    path = settings.root / rel
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)
    return path


@pytest.fixture
def cli():
    runner = CliRunner()

    def run(settings: Settings | Path, *args: str):
        root = settings.root if isinstance(settings, Settings) else settings
        return runner.invoke(main, ["-w", str(root), *args], catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def shipped(tmp_path_factory) -> Settings:
    """The shipped acne-scar workspace, built into a temporary copy (the repo stays clean)."""
    import shutil

    target = tmp_path_factory.mktemp("shipped")
    for name in ("evidence.toml", "references", "articles"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, target / name)
        else:
            shutil.copy(src, target / name)
    settings = load_settings(target)
    pipeline.build(settings)
    return settings
