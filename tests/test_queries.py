"""The query stage: canned queries are documented and run (the sandbox: tests/test_sandbox.py)."""

from __future__ import annotations

import pytest

from evidence.errors import QueryError
from evidence.query.named import find_query, run_named
from evidence.query.runner import discover, parse_query, run_query

from .conftest import REPO


@pytest.fixture(scope="module")
def queries():
    return discover([REPO / "queries"])


def test_every_shipped_query_is_documented_and_runs(shipped, queries):
    assert {"intervention_evidence", "condition_evidence", "intervention_condition_matrix", "statements_by_verdict",
            "statements_attention", "reference_defects"} <= set(queries)
    for name, q in queries.items():
        assert q.title and q.description, name
        assert "ORDER BY" in q.sql.upper(), f"{name}: results must have a stable order"
        df = run_query(shipped.db_path, q)
        assert len(df.columns) > 1, name


def test_intervention_parameter_filters(shipped, queries):
    q = queries["intervention_evidence"]
    everything = run_query(shipped.db_path, q)
    one = run_query(shipped.db_path, q, {"intervention": "subcision"})
    assert len(everything) > 3
    assert list(one["intervention"]) == ["subcision"]
    assert one["studies"].iloc[0] >= 2
    # comparators (placebo, no treatment, baseline) are never rows of the per-intervention summaries
    assert not {"placebo", "no_treatment", "baseline"} & set(everything["intervention"])
    matrix = run_query(shipped.db_path, queries["intervention_condition_matrix"])
    assert "no_treatment" not in set(matrix["intervention"]) and len(matrix) > 10


def test_old_query_names_still_answer_with_their_old_parameter_and_column_names(shipped, queries):
    """A script written for the first format (`evidence query treatment_evidence --param treatment=x`)
    keeps working: the old name runs the new query, with the old parameter and column names."""
    old = run_named(shipped.db_path, queries, "treatment_evidence", {"treatment": "subcision"})
    new = run_named(shipped.db_path, queries, "intervention_evidence", {"intervention": "subcision"})
    assert list(old["treatment"]) == ["subcision"] and "scar_types" in old.columns and "intervention" not in old
    assert old.fillna(-1).to_numpy().tolist() == new.fillna(-1).to_numpy().tolist()
    matrix = run_named(shipped.db_path, queries, "treatment_scar_matrix")
    assert list(matrix.columns[:2]) == ["treatment", "scar_type"]
    assert len(matrix) == len(run_named(shipped.db_path, queries, "intervention_condition_matrix"))
    per_condition = run_named(shipped.db_path, queries, "scar_type_evidence")
    assert {"scar_type", "treatments"} <= set(per_condition.columns)
    assert find_query(queries, "no_such_query") is None


def test_unknown_and_bad_parameters_are_refused(shipped, queries):
    with pytest.raises(QueryError, match="query 'intervention_evidence' has no parameter nope; it takes: intervention"):
        run_query(shipped.db_path, queries["intervention_evidence"], {"nope": "1"})


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
    assert "intervention_evidence" in found


def test_bad_params_line_names_its_line(tmp_path):
    path = tmp_path / "bad.sql"
    path.write_text("-- title: T\n-- description: D\n-- params: treatment text\nSELECT 1;\n")
    with pytest.raises(QueryError, match=r"bad\.sql:3: bad params line"):
        parse_query(path)
