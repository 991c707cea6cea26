"""The query sandbox, setting by setting (README: "on a read-only connection with external access
disabled"; STYLE: contributed SQL runs with read_only, enable_external_access = false and
lock_configuration = true).

Each refusal is asserted by its reason: without the sandbox most of these statements fail anyway
(no network, no such file), so "some DuckDB error" proves nothing.
"""

from __future__ import annotations

import pytest

from evidence.errors import EvidenceError, QueryError
from evidence.load.database import read_only
from evidence.query.runner import parse_query, run_query, run_sql

FILES_OFF = "file system operations are disabled by configuration"
LOCKED = "the configuration has been locked"
READ_ONLY = "which is attached in read-only mode"


@pytest.fixture(scope="module")
def db(shipped):
    return shipped.db_path


@pytest.mark.parametrize("setting,value", [
    ("enable_external_access", False),
    ("autoload_known_extensions", False),
    ("autoinstall_known_extensions", False),
    ("lock_configuration", True),
    ("access_mode", "read_only"),
])
def test_sandbox_settings_read_back(db, setting, value):
    df = run_sql(db, f"SELECT current_setting('{setting}') AS value")
    assert df["value"].iloc[0] == value


@pytest.mark.parametrize("sql,reason", [
    ("SELECT * FROM read_csv('/etc/passwd')", FILES_OFF),
    ("SELECT * FROM read_text('/etc/hostname')", FILES_OFF),
    ("SELECT * FROM glob('/etc/*')", FILES_OFF),
    ("SELECT * FROM 'https://example.org/claims.csv'", FILES_OFF),
    ("COPY claims TO '/tmp/evidence-leak.csv'", FILES_OFF),
    ("ATTACH '/tmp/other.duckdb' AS other", FILES_OFF),
    ("INSTALL httpfs", FILES_OFF),
    ("LOAD httpfs", "Loading external extensions is disabled through configuration"),
    ("SET enable_external_access = true", LOCKED),
    ("SET autoload_known_extensions = true", LOCKED),
    ("SET autoinstall_known_extensions = true", LOCKED),
    ("SET lock_configuration = false", LOCKED),
    ("RESET lock_configuration", LOCKED),
    ("CREATE TABLE x (a INT)", READ_ONLY),
    ("DELETE FROM claims", READ_ONLY),
])
def test_sandbox_refuses_with_its_reason(db, sql, reason):
    with pytest.raises(QueryError) as err:
        run_sql(db, sql)
    message = str(err.value)
    assert message.startswith("query refused or failed: ") and reason in message
    assert "\n" not in message  # one line: DuckDB's hints and context are cut


def test_each_connection_starts_sandboxed_again(db):
    """A refused SET changes nothing, and a new connection has the same settings."""
    with pytest.raises(QueryError, match=LOCKED):
        run_sql(db, "SET autoload_known_extensions = true")
    assert run_sql(db, "SELECT current_setting('autoload_known_extensions') AS v")["v"].tolist() == [False]


def test_a_contributors_query_file_is_refused_for_the_same_reason(db, tmp_path):
    path = tmp_path / "sneaky.sql"
    path.write_text("-- title: Sneaky\n-- description: reads a file\nSELECT * FROM read_csv('/etc/passwd');\n")
    with pytest.raises(QueryError, match=FILES_OFF):
        run_query(db, parse_query(path))


def test_parameters_are_bound_not_pasted(db):
    df = run_sql(db, "SELECT $a AS a, $b AS b", {"a": "x'); DROP TABLE claims; --", "b": 2})
    assert (df["a"].iloc[0], df["b"].iloc[0]) == ("x'); DROP TABLE claims; --", 2)
    assert run_sql(db, "SELECT count(*) AS n FROM claims")["n"].iloc[0] > 0


def test_no_database_is_a_clear_error(tmp_path):
    with pytest.raises(EvidenceError, match=r"nothing\.duckdb does not exist; run `evidence build` first"):
        with read_only(tmp_path / "nothing.duckdb"):
            pass


def test_a_query_files_parameters_reach_the_database(db, tmp_path):
    path = tmp_path / "doubled.sql"
    path.write_text("-- title: Doubled\n-- description: twice a number\n-- params: x (int, default 2): a number\n"
                    "SELECT $x * 2 AS y;\n")
    assert run_query(db, parse_query(path)).to_dict("records") == [{"y": 4}]
    assert run_query(db, parse_query(path), {"x": "5"}).to_dict("records") == [{"y": 10}]
