"""The load stage: an atomic build. A failed or interrupted build leaves the old database intact."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from evidence import pipeline
from evidence.errors import InputError

from .conftest import append


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count_claims(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM claims").fetchone()[0]
    finally:
        con.close()


def test_build_writes_every_table(ws):
    pipeline.build(ws)
    con = duckdb.connect(str(ws.db_path), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"bibliography", "studies", "claims", "articles", "article_references", "statements", "links",
            "verdicts", "interventions", "conditions", "metadata", "problems", "uncovered"} <= tables
    assert con.execute("SELECT verdict FROM verdicts WHERE statement_id = 'S01'").fetchone()[0] == "supported"
    assert con.execute("SELECT source_line FROM claims WHERE claim_id = 'connolly2017acne-1'").fetchone()[0] == 2
    con.close()


@pytest.mark.parametrize("exc", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_build_failing_midway_leaves_the_old_database(ws, exc):
    pipeline.build(ws)
    before = digest(ws.db_path)
    append(ws, "references/claims.csv",
           'connolly2017acne-2,connolly2017acne,,,,efficacy,,,,,,,,,,,,,,,"q",Abstract,,verified,s\n')

    def crash(tmp):
        assert tmp.exists() and tmp != ws.db_path  # the new database was being written elsewhere
        raise exc

    with pytest.raises(type(exc)):
        pipeline.build(ws, before_rename=crash)
    assert digest(ws.db_path) == before
    assert count_claims(ws.db_path) == 1
    assert not list(ws.root.glob(".evidence.duckdb.*"))  # no temporary file left behind
    pipeline.build(ws)
    assert count_claims(ws.db_path) == 2


def test_build_with_bad_input_leaves_the_old_database(ws):
    pipeline.build(ws)
    before = digest(ws.db_path)
    append(ws, "references/claims.csv", "broken-1,nobody,,,,efficacy,,,,,,,,,,,,,,,q,Abstract,,verified,s\n")
    with pytest.raises(InputError):
        pipeline.build(ws)
    assert digest(ws.db_path) == before


def test_claims_are_loaded_in_bulk_at_scale(tmp_path):
    """10k claims load, each row with the file line it came from. How fast is the benchmark's job
    (`python -m bench.run`), not a wall-clock bound here that a loaded CI machine could break."""
    from bench.generate import generate

    settings = generate(tmp_path / "big", studies=500, claims=10_000, articles=2, statements=50)
    pipeline.build(settings)
    assert count_claims(settings.db_path) == 10_000
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        lines = con.execute("SELECT min(source_line), max(source_line), count(DISTINCT source_line) FROM claims").fetchone()
    assert lines == (2, 10_001, 10_000)
