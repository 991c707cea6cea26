"""Outputs under attack: read-only folders, crash leftovers, kills mid-run, --output over inputs, CSV formulas."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from evidence.outputs import clean_leftovers
from evidence.render.site import site_digest

from .hostile import published_copy, set_cell, snapshot

from .conftest import minimal_workspace


@pytest.fixture(scope="module")
def published_template(tmp_path_factory):
    from evidence import pipeline

    settings = minimal_workspace(tmp_path_factory.mktemp("published") / "ws")
    pipeline.publish(settings)
    return settings.root


@pytest.fixture
def published(published_template, tmp_path):
    return published_copy(published_template, tmp_path / "ws")


@contextmanager
def immutable(path: Path):
    """``chattr +i``: not even root may write (the tests run as root, so chmod would not do)."""
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_read_only_workspace_folder_is_a_problem_not_a_traceback(published, cli):
    before = snapshot(published.root)
    with immutable(published.root):
        result = cli(published, "build")
    assert result.exit_code == 2 and "cannot-write" in result.output, result.output
    assert str(published.root) in result.output
    assert snapshot(published.root) == before


def test_read_only_site_folder_keeps_the_previous_site(published, cli):
    before = snapshot(published.root)
    with immutable(published.root / "site"):
        result = cli(published, "site")
    assert result.exit_code == 2 and "cannot-write" in result.output, result.output
    assert snapshot(published.root) == before


def test_read_only_workspace_refuses_the_render_cleanly(published, cli):
    before = snapshot(published.root)
    with immutable(published.root):
        result = cli(published, "site")
    assert result.exit_code == 2 and "cannot-write" in result.output, result.output
    assert snapshot(published.root) == before


def test_leftovers_of_dead_processes_are_removed_and_live_ones_kept(published, cli):
    root = published.root
    dead = _dead_pid()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = [root / f".evidence.duckdb.{dead}.tmp", root / f".evidence.duckdb.{dead}.tmp.wal"]
        for path in stale:
            path.write_bytes(b"half a database")
        (root / f".site.staging-{dead}" / "articles").mkdir(parents=True)
        live = root / f".evidence.duckdb.{alive.pid}.tmp"
        live.write_bytes(b"a build still running")
        before = site_digest(root / "site")
        assert cli(published, "query", "--list").exit_code == 0
        assert not any(p.exists() for p in stale) and not (root / f".site.staging-{dead}").exists()
        assert live.exists()  # another run is still writing it
        assert site_digest(root / "site") == before
    finally:
        alive.kill()
        alive.wait()


def test_a_render_killed_between_its_renames_is_repaired_by_the_next_command(published, cli):
    root = published.root
    before = site_digest(root / "site")
    dead = _dead_pid()
    (root / "site").rename(root / f".site.old-{dead}")  # first rename done, then killed
    (root / f".site.staging-{dead}").mkdir()
    (root / f".site.staging-{dead}" / "index.html").write_text("half")
    assert not (root / "site").exists()
    assert cli(published, "check").exit_code in (0, 1)  # any command
    assert site_digest(root / "site") == before
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def test_clean_leftovers_ignores_names_that_only_look_alike(tmp_path):
    (tmp_path / ".evidence.duckdb.notapid.tmp").write_text("x")
    (tmp_path / ".site.staging-").mkdir()
    assert clean_leftovers(tmp_path / "evidence.duckdb", tmp_path / "site") == []
    assert (tmp_path / ".evidence.duckdb.notapid.tmp").exists()


@pytest.mark.parametrize("target", ["references", "articles", "."])
def test_explicit_output_over_an_input_is_refused(published, cli, target):
    before = snapshot(published.root)
    result = cli(published, "site", "--output", str(published.root / target))
    assert result.exit_code == 2 and "--output" in result.output and "output-over-input" in result.output
    assert snapshot(published.root) == before


def test_explicit_output_with_foreign_files_is_refused(published, cli, tmp_path):
    other = tmp_path / "docs"
    other.mkdir()
    (other / "index.md").write_text("mine")
    result = cli(published, "site", "--output", str(other))
    assert result.exit_code == 2 and "output-not-a-site" in result.output
    assert sorted(p.name for p in other.iterdir()) == ["index.md"]


def test_a_site_folder_left_by_a_render_is_rendered_again(published, cli):
    """The marker file makes a folder recognisably ours; an editor's own file in it is kept."""
    (published.root / "site" / "CNAME").write_text("evidence.example.org\n")
    assert (published.root / "site" / ".evidence-site").is_file()
    assert cli(published, "site").exit_code == 0
    assert (published.root / "site" / "CNAME").read_text() == "evidence.example.org\n"


def test_kills_during_build_and_render_leave_old_or_new_and_no_leftovers(ws, cli):
    """A few random kills (bench/crash.py does 30 of each; see the README for its numbers)."""
    import random

    from bench.crash import crash_builds, crash_renders

    assert cli(ws, "publish").exit_code == 0
    rng = random.Random(5)
    counts, failures = crash_builds(ws.root, 2, rng, duration=3.0)
    assert failures == [] and counts["killed"] + counts["finished"] == 2
    counts, failures = crash_renders(ws.root, 2, rng, duration=4.0)
    assert failures == [] and counts["killed"] + counts["finished"] == 2


FORMULAS = ["=HYPERLINK(\"https://example.org\",\"x\")", "+1+1", "-2+3", "@SUM(1)", "\tx", "\rx"]


def test_csv_downloads_neutralise_formula_cells_and_keep_numbers(published, cli):
    claims = published.root / "references" / "claims.csv"
    set_cell(claims, 1, "summary", FORMULAS[0])
    set_cell(claims, 1, "measure", "@SUM(1)")
    set_cell(claims, 1, "value", "-0.4")
    set_cell(claims, 1, "unit", "mean_difference")
    assert cli(published, "publish").exit_code == 0
    site = published.root / "site"
    rows = list(csv.DictReader(io.StringIO((site / "downloads" / "claims.csv").read_text(encoding="utf-8"))))
    assert rows[0]["summary"] == "'" + FORMULAS[0] and rows[0]["measure"] == "'@SUM(1)"
    assert float(rows[0]["value"]) == -0.4  # a number stays a number
    scar = list(csv.DictReader(io.StringIO((site / "conditions" / "atrophic.csv").read_text(encoding="utf-8"))))
    assert scar[0]["summary"] == "'" + FORMULAS[0] and scar[0]["value"] == "-0.4"
    for path in site.rglob("*.csv"):
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path, cell)
                assert not cell.startswith("-") or _is_number(cell), (path, cell)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_neutralise_is_the_owasp_rule():
    from evidence.render.csv_safety import neutralise

    assert [neutralise(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]
    assert [neutralise(v) for v in ("text", "", -3, 2.5, None)] == ["text", "", -3, 2.5, None]


def test_a_frame_is_made_formula_safe_in_its_text_columns_only_and_left_unchanged():
    """OWASP's rule per cell of every text column (object or string dtype); numeric columns, a negative
    effect size included, stay numbers; the caller's frame is not modified; the CSV has no index and
    '\\n' line ends. (Invented cells.)"""
    import pandas as pd

    from evidence.render.csv_safety import safe_frame, to_csv

    df = pd.DataFrame({"label": pd.array(["=1+1", "ok"], dtype="string"), "note": pd.Series(["@SUM(A1)", None], dtype=object),
                       "effect": [-0.4, 1.5], "n": [-3, 12]})
    out = safe_frame(df)
    assert out["label"].tolist() == ["'=1+1", "ok"] and out["note"][0] == "'@SUM(A1)" and pd.isna(out["note"][1])
    assert out["effect"].tolist() == [-0.4, 1.5] and out["n"].tolist() == [-3, 12]
    assert df["label"].tolist() == ["=1+1", "ok"]  # the input frame is untouched
    assert to_csv(df) == "label,note,effect,n\n'=1+1,'@SUM(A1),-0.4,-3\nok,,1.5,12\n"
