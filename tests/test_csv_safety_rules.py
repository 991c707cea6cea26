"""CSV downloads a spreadsheet opens safely (README "Safety"; OWASP "CSV Injection"): the cells that are not text
are left alone, and a column without any text does not stop the columns after it from being neutralised
(issue 14: these survived as mutants of the vectorised rule). The cells are written for these tests."""

from __future__ import annotations

import pandas as pd

from evidence.render.csv_safety import safe_frame, to_csv


def test_empty_cells_in_a_text_column_stay_empty_beside_neutralised_formulas():
    df = pd.DataFrame({"note": ["=1+1", None, "ok", "@SUM(A1)"], "n": [1, 2, 3, 4]})
    assert to_csv(df) == "note,n\n'=1+1,1\n,2\nok,3\n'@SUM(A1),4\n"


def test_a_column_without_any_text_does_not_stop_the_columns_after_it():
    df = pd.DataFrame({"count": pd.Series([1, None], dtype=object), "label": ["-2+3", "fine"]})  # no text in 'count'
    assert to_csv(df) == "count,label\n1,'-2+3\n,fine\n"


def test_a_text_column_without_formulas_is_left_exactly_as_it_was():
    df = pd.DataFrame({"note": pd.Series(["ok", None, "fine"], dtype=object)})  # as a database read may give it
    out = safe_frame(df)
    assert list(out["note"][[0, 2]]) == ["ok", "fine"] and out["note"][1] is None  # the empty cell is not made NaN


def test_a_missing_cell_of_a_nullable_string_column_is_no_formula():
    """pandas' nullable "string" dtype reports a missing cell as <NA>, neither a hit nor a miss: it must count as no
    formula (and not stop the download with an error)."""
    df = pd.DataFrame({"note": pd.Series(["=a", None, "b"], dtype="string"), "n": [1, 2, 3]})
    assert to_csv(df) == "note,n\n'=a,1\n,2\nb,3\n"
