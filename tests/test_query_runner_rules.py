"""How the query runner names what it refuses and passes its limits on (README "Canned queries" and "Safety";
issue 14: these survived the query tests as mutants). The query files and the small database are written by the
tests (not real recordings)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from evidence.errors import QueryError
from evidence.query.runner import discover, one_statement, parse_query, run_query, run_sql, shadowed
from evidence.workspace import QueryLimits

HEADER = "-- title: T\n-- description: D\n"


def query_file(folder: Path, name: str, sql: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(HEADER + sql, encoding="utf-8")
    return path


def first_line_of_duckdbs_error(sql: str) -> str:
    with pytest.raises(duckdb.Error) as exc:
        duckdb.extract_statements(sql)
    lines = str(exc.value).splitlines()
    assert len(lines) > 1  # the error has more lines than the one shown
    return lines[0]


def test_sql_that_does_not_parse_is_named_by_its_workspace_path_with_the_errors_first_line(tmp_path):
    path = query_file(tmp_path / "queries", "bad.sql", "SELEC 1\n")
    first = first_line_of_duckdbs_error(HEADER + "SELEC 1\n")
    with pytest.raises(QueryError) as exc:
        parse_query(path, tmp_path)
    assert str(exc.value) == f"queries/bad.sql: SQL does not parse: {first}"
    with pytest.raises(QueryError) as outside:  # no workspace root: the file's name
        parse_query(path)
    assert str(outside.value) == f"bad.sql: SQL does not parse: {first}"
    with pytest.raises(QueryError) as elsewhere:  # a root the file is not in: the file's name too
        parse_query(path, tmp_path / "other")
    assert str(elsewhere.value).startswith("bad.sql: ")


def test_two_statements_are_refused_wherever_they_come_from(tmp_path):
    path = query_file(tmp_path / "queries", "two.sql", "SELECT 1; SELECT 2\n")
    with pytest.raises(QueryError) as exc:
        parse_query(path, tmp_path)
    assert str(exc.value) == "queries/two.sql: 2 SQL statements; a query is exactly one statement"
    with pytest.raises(QueryError) as sql:
        run_sql(tmp_path / "absent.duckdb", "SELECT 1; SELECT 2")  # refused before any database is opened
    assert str(sql.value) == "--sql: 2 SQL statements; a query is exactly one statement"
    with pytest.raises(QueryError) as bare:
        one_statement("SELECT 1; SELECT 2")
    assert str(bare.value) == "the query: 2 SQL statements; a query is exactly one statement"
    with pytest.raises(QueryError) as unparsed:
        run_sql(tmp_path / "absent.duckdb", "SELEC 1")
    assert str(unparsed.value) == f"--sql: SQL does not parse: {first_line_of_duckdbs_error('SELEC 1')}"


def test_discovered_workspace_queries_are_named_by_their_workspace_path(tmp_path):
    query_file(tmp_path / "queries", "bad.sql", "SELEC 1\n")
    with pytest.raises(QueryError, match=r"^queries/bad\.sql: SQL does not parse: "):
        discover([tmp_path / "queries"])


def test_an_unreadable_query_file_is_one_problem_at_its_line(tmp_path):
    folder = tmp_path / "queries"
    path = query_file(folder, "latin.sql", "")
    path.write_bytes(HEADER.encode() + b"SELECT 'caf\xe9'\n")  # Latin-1, on line 3
    with pytest.raises(QueryError) as exc:
        parse_query(path, tmp_path)
    assert str(exc.value).startswith("queries/latin.sql:3: ")


def test_a_query_file_linking_outside_its_folder_is_refused_at_line_1(tmp_path):
    """A symbolic link must lead inside the workspace (README "Safety"); the problem has no line of its own and
    is shown at line 1. Without a workspace root, the query's own folder is the limit."""
    target = query_file(tmp_path / "elsewhere", "real.sql", "SELECT 1\n")
    folder = tmp_path / "ws" / "queries"
    folder.mkdir(parents=True)
    (folder / "link.sql").symlink_to(target)
    with pytest.raises(QueryError) as exc:
        parse_query(folder / "link.sql", tmp_path / "ws")
    assert str(exc.value).startswith("queries/link.sql:1: ")
    with pytest.raises(QueryError) as bare:
        parse_query(folder / "link.sql")
    assert str(bare.value).startswith("link.sql:1: ")


@pytest.fixture
def small_db(tmp_path):
    path = tmp_path / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT range AS i FROM range(5)")
    con.close()
    return path


def test_a_query_runs_within_the_limits_and_row_cap_it_is_given(small_db, tmp_path):
    query = parse_query(query_file(tmp_path / "queries", "threads.sql",
                                   "SELECT i, current_setting('threads') AS threads FROM t ORDER BY i\n"), tmp_path)
    limits = QueryLimits(threads=3)
    df = run_query(small_db, query, limits=limits, max_rows=2)
    assert (list(df["i"]), set(df["threads"]), df.attrs["truncated"]) == ([0, 1], {3}, True)
    df = run_sql(small_db, query.sql, limits=QueryLimits(threads=2), max_rows=10)
    assert (len(df), set(df["threads"]), df.attrs["truncated"]) == (5, {2}, False)
    exactly = run_sql(small_db, query.sql, max_rows=5)  # as many rows as the cap: nothing was cut
    assert (len(exactly), exactly.attrs["truncated"]) == (5, False)
    assert run_sql(small_db, query.sql, max_rows=4).attrs["truncated"] is True


def test_a_capped_query_is_stopped_at_the_time_limit(small_db):
    with pytest.raises(QueryError, match=r"^query stopped after the time limit of 0\.5 s"):
        run_sql(small_db, "SELECT count(*) FROM range(1000000000000) a, t", limits=QueryLimits(timeout=0.5), max_rows=3)


def test_shadowed_lists_the_packaged_queries_a_workspace_query_overrides(tmp_path):
    own, packaged = tmp_path / "ws" / "queries", tmp_path / "pkg" / "queries"
    query_file(own, "per_treatment.sql", "SELECT 2\n")
    query_file(packaged, "per_treatment.sql", "SELECT 1\n")
    query_file(packaged, "designs.sql", "SELECT 3\n")
    found = shadowed([own, packaged])
    assert list(found) == ["per_treatment"] and found["per_treatment"].path == packaged / "per_treatment.sql"
    assert shadowed([packaged]) == {}
    assert list(shadowed([own, packaged, tmp_path / "none"])) == ["per_treatment"]


def test_a_folder_where_a_query_file_is_expected_is_named_in_the_problem(tmp_path):
    (tmp_path / "queries" / "dir.sql").mkdir(parents=True)
    with pytest.raises(QueryError) as exc:
        parse_query(tmp_path / "queries" / "dir.sql", tmp_path)
    assert str(exc.value) == ("queries/dir.sql:1: queries/dir.sql is a folder, not a file; rename or remove the folder; "
                              "a file is expected here")
