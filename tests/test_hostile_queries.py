"""Queries that would hang, eat memory, smuggle a second statement or print without end: limited, and said so."""

from __future__ import annotations

import time

import pytest

from evidence.errors import QueryError
from evidence.query.runner import run_sql
from evidence.workspace import QueryLimits

from .conftest import write
from .hostile import replace_in, snapshot

ENDLESS = "SELECT count(*) FROM range(1000000000000)"


@pytest.fixture
def built(ws, cli):
    assert cli(ws, "build").exit_code == 0
    return ws


def _limits(ws, text: str) -> None:
    with (ws.root / "evidence.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[query]\n" + text)


def test_an_endless_ad_hoc_query_is_stopped_at_the_time_limit(built, cli):
    _limits(built, "timeout = 1\n")
    start = time.monotonic()
    result = cli(built, "query", "--sql", ENDLESS)
    assert result.exit_code == 2 and "time limit of 1 s" in result.output
    assert time.monotonic() - start < 20  # generous: the limit is 1 s, the machine is shared


def test_an_endless_workspace_query_does_not_hang_the_site(built, cli):
    _limits(built, "timeout = 1\n")
    write(built, "queries/endless.sql", f"-- title: Endless\n-- description: never ends\n{ENDLESS}\n")
    start = time.monotonic()
    result = cli(built, "site")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - start < 60
    page = (built.root / "site" / "queries" / "endless.html").read_text(encoding="utf-8")
    assert "time limit" in page


def test_the_memory_limit_is_in_force_and_locked(built):
    limits = QueryLimits(memory_limit="100MB")
    df = run_sql(built.db_path, "SELECT current_setting('memory_limit') AS m", limits=limits)
    assert df["m"][0].endswith("MiB") and float(df["m"][0].split()[0]) < 100
    with pytest.raises(QueryError, match="refused or failed"):
        run_sql(built.db_path, "SET memory_limit = '10GB'", limits=limits)
    with pytest.raises(QueryError, match="Out of Memory"):
        run_sql(built.db_path, "SELECT length(list(i)) FROM range(100000000) t(i)",
                limits=QueryLimits(memory_limit="50MB", timeout=60))
    locked = run_sql(built.db_path, "SELECT current_setting('lock_configuration') AS l, "
                     "current_setting('enable_external_access') AS e", limits=limits)
    assert (bool(locked["l"][0]), bool(locked["e"][0])) == (True, False)


@pytest.mark.parametrize("sql", ["SELECT 1; SELECT 2", "SELECT 1; COPY claims TO '/tmp/x.csv'", "SELEC 1"])
def test_exactly_one_statement(built, cli, sql):
    result = cli(built, "query", "--sql", sql)
    assert result.exit_code == 2 and "--sql" in result.output


def test_printed_output_is_cut_and_says_so(built, cli):
    result = cli(built, "query", "--sql", "SELECT range AS i FROM range(5000)", "--format", "csv")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "i" and lines[1:1001] == [str(i) for i in range(1000)]
    assert "output cut at 1000 rows" in result.output and "[query] max_rows" in result.output
    result = cli(built, "query", "--sql", "SELECT range AS i FROM range(5000)", "--format", "csv", "--max-rows", "10")
    assert "output cut at 10 rows" in result.output and "\n10\n" not in result.output


def test_printed_bytes_are_cut_at_a_line_end_and_say_so(built, cli):
    _limits(built, "max_bytes = 200\n")
    result = cli(built, "query", "--sql", "SELECT repeat('x', 30) AS t FROM range(100)", "--format", "csv")
    assert result.exit_code == 0 and "output cut at" in result.output and "bytes" in result.output
    body = [line for line in result.output.splitlines() if line in ("t", "x" * 30)]
    assert 1 < len(body) <= 7


@pytest.mark.parametrize("setting, value", [("timeout", "0"), ("timeout", "-1"), ("timeout", "inf"),
                                            ("max_rows", "0"), ("max_rows", "1.5"), ("memory_limit", '"lots"'),
                                            ("threads", '"two"')])
def test_bad_limits_are_refused_with_their_line(built, cli, setting, value):
    _limits(built, f"{setting} = {value}\n")
    lines = (built.root / "evidence.toml").read_text(encoding="utf-8").splitlines()
    before = snapshot(built.root)
    result = cli(built, "build")
    assert result.exit_code == 2 and f"evidence.toml:{len(lines)}" in result.output
    assert snapshot(built.root) == before


def test_limits_are_read_from_settings(built):
    from evidence.workspace import load_settings

    replace_in(built.root / "evidence.toml", "[resolve]", '[query]\ntimeout = "2.5"\nmax_rows = 7\n\n[resolve]')
    limits = load_settings(built.root).limits
    assert (limits.timeout, limits.max_rows, limits.memory_limit) == (2.5, 7, "1GB")
