"""Query files: the comment header (`-- title:`, `-- description:`, `-- params: name (type, default x):
doc`) and how `--param k=v` values are bound (README "Canned queries")."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.errors import QueryError
from evidence.query.runner import Param, Query, discover, parse_query

SQL = """-- title: Évidence per treatment
-- a comment line without a key is allowed in the header
-- params: treatment (text): a treatment id
-- params: min_n (int, default 10): the smallest study
-- param: weight (number, default 0.5): a weight
-- description: For each treatment – studies and designs.
SELECT 1 AS one
-- title: not a header line any more
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_header_is_parsed_whole(tmp_path):
    path = write(tmp_path, "per_treatment.sql", SQL)
    assert parse_query(path) == Query(
        "per_treatment", "Évidence per treatment", "For each treatment – studies and designs.",
        (Param("treatment", "text", None, "a treatment id"), Param("min_n", "int", "10", "the smallest study"),
         Param("weight", "number", "0.5", "a weight")), SQL, path)


def test_params_none_is_no_parameter_and_the_header_goes_on(tmp_path):
    path = write(tmp_path, "q.sql", "-- title: T\n-- params: none\n-- params:\n-- description: D\nSELECT 1\n")
    q = parse_query(path)
    assert (q.params, q.description) == ((), "D")


def test_a_bad_params_line_says_how_to_write_it(tmp_path):
    path = write(tmp_path, "bad.sql", "-- title: T\n-- description: D\n-- params: treatment text\nSELECT 1;\n")
    with pytest.raises(QueryError) as err:
        parse_query(path)
    assert str(err.value) == ("bad.sql:3: bad params line 'treatment text'; write "
                              "'-- params: name (text, default x): what it does'")


@pytest.mark.parametrize("text", ["-- title: Only a title\nSELECT 1;\n", "-- description: D\nSELECT 1;\n",
                                  "SELECT 1;\n-- title: T\n-- description: D\n"])
def test_title_and_description_are_required_in_the_header(tmp_path, text):
    with pytest.raises(QueryError) as err:
        parse_query(write(tmp_path, "q.sql", text))
    assert str(err.value) == "q.sql:1: the header needs '-- title:' and '-- description:' lines"


def test_only_lowercase_names_are_queries(tmp_path):
    write(tmp_path, "good_one.sql", "-- title: T\n-- description: D\nSELECT 1\n")
    write(tmp_path, "Bad-Name.sql", "-- title: T\n-- description: D\nSELECT 1\n")
    found = discover([tmp_path])
    assert list(found) == ["good_one"]
    assert found["good_one"].title == "T" and found["good_one"].path == tmp_path / "good_one.sql"


@pytest.fixture
def query(tmp_path) -> Query:
    return parse_query(write(tmp_path, "per_treatment.sql", SQL))


def test_values_are_bound_with_their_types_and_defaults(query):
    assert query.bind({"treatment": "subcision"}) == {"treatment": "subcision", "min_n": 10, "weight": 0.5}
    bound = query.bind({"treatment": " 'subcision' ", "min_n": '"3"', "weight": "2"})
    assert bound == {"treatment": "subcision", "min_n": 3, "weight": 2.0}
    assert type(bound["min_n"]) is int and type(bound["weight"]) is float and type(bound["treatment"]) is str
    assert query.bind({"treatment": "12"})["treatment"] == "12"  # a text parameter stays text
    assert query.bind({"treatment": "'Xenon laser X'"})["treatment"] == "Xenon laser X"  # only quotes are stripped


def test_binding_errors_name_the_parameter_and_the_fix(query, tmp_path):
    with pytest.raises(QueryError) as err:
        query.bind({"zeta": "1", "alpha": "2", "treatment": "x"})
    assert str(err.value) == "query 'per_treatment' has no parameter alpha, zeta; it takes: treatment, min_n, weight"
    with pytest.raises(QueryError) as err:
        query.bind({})
    assert str(err.value) == "query 'per_treatment' needs --param treatment=... (a treatment id)"
    with pytest.raises(QueryError) as err:
        query.bind({"treatment": "x", "min_n": "ten"})
    assert str(err.value) == "parameter min_n: 'ten' is not a int"
    with pytest.raises(QueryError) as err:
        query.bind({"treatment": "x", "weight": "heavy"})
    assert str(err.value) == "parameter weight: 'heavy' is not a number"
    plain = parse_query(write(tmp_path, "plain.sql", "-- title: T\n-- description: D\nSELECT 1\n"))
    with pytest.raises(QueryError) as err:
        plain.bind({"x": "1"})
    assert str(err.value) == "query 'plain' has no parameter x; it takes: none"
