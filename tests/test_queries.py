"""The query stage: canned queries are documented and run (the sandbox: tests/test_sandbox.py)."""

from __future__ import annotations

import pytest

from evidence.errors import QueryError
from evidence.query.runner import discover, parse_query, run_query

from .conftest import REPO


@pytest.fixture(scope="module")
def queries():
    return discover([REPO / "queries"])


def test_every_shipped_query_is_documented_and_runs(shipped, queries):
    assert {"treatment_evidence", "scar_type_evidence", "treatment_scar_matrix", "statements_by_verdict",
            "statements_attention", "reference_defects"} <= set(queries)
    for name, q in queries.items():
        assert q.title and q.description, name
        assert "ORDER BY" in q.sql.upper(), f"{name}: results must have a stable order"
        df = run_query(shipped.db_path, q)
        assert len(df.columns) > 1, name


def test_treatment_parameter_filters(shipped, queries):
    q = queries["treatment_evidence"]
    everything = run_query(shipped.db_path, q)
    one = run_query(shipped.db_path, q, {"treatment": "subcision"})
    assert len(everything) > 3
    assert list(one["treatment"]) == ["subcision"]
    assert one["studies"].iloc[0] >= 2


def test_unknown_and_bad_parameters_are_refused(shipped, queries):
    with pytest.raises(QueryError, match="query 'treatment_evidence' has no parameter nope; it takes: treatment"):
        run_query(shipped.db_path, queries["treatment_evidence"], {"nope": "1"})


def test_header_without_description_is_an_error(tmp_path):
    path = tmp_path / "bad.sql"
    path.write_text("-- title: Only a title\nSELECT 1;\n")
    with pytest.raises(QueryError, match="description"):
        parse_query(path)


def test_workspace_queries_override_packaged_ones_by_name(tmp_path):
    own = tmp_path / "queries"
    own.mkdir()
    (own / "reference_defects.sql").write_text("-- title: Mine\n-- description: overridden\nSELECT 1 AS one;\n")
    found = discover([own, REPO / "queries"])
    assert found["reference_defects"].title == "Mine"
    assert "treatment_evidence" in found


def test_bad_params_line_names_its_line(tmp_path):
    path = tmp_path / "bad.sql"
    path.write_text("-- title: T\n-- description: D\n-- params: treatment text\nSELECT 1;\n")
    with pytest.raises(QueryError, match=r"bad\.sql:3: bad params line"):
        parse_query(path)
