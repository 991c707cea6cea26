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


def test_a_categorical_column_of_text_is_neutralised_like_any_text():
    """A spreadsheet sees a categorical's cells as text: ``=1+1`` in one is a formula too (issue 14 survivor)."""
    df = pd.DataFrame({"design": pd.Series(["=1+1", "rct", "=1+1", None], dtype="category"), "n": [1, 2, 3, 4]})
    assert to_csv(df) == "design,n\n'=1+1,1\nrct,2\n'=1+1,3\n,4\n"


def test_a_column_of_bytes_or_mixed_cells_is_checked_cell_by_cell_without_an_error():
    """A BLOB column reads as bytes, which pandas' ``.str`` refuses with TypeError: the text cells beside them are
    still neutralised, and the bytes are left as they are."""
    df = pd.DataFrame({"raw": pd.Series([b"=x", "=SUM(A1)", 3, None], dtype=object)})
    out = safe_frame(df)
    assert list(out["raw"][:3]) == [b"=x", "'=SUM(A1)", 3] and out["raw"][3] is None
    assert list(safe_frame(pd.DataFrame({"raw": [b"=a", b"b"]}))["raw"]) == [b"=a", b"b"]


def test_text_among_numbers_in_one_column_is_still_neutralised():
    """A column of numbers and text: its text cells are formulas all the same (an empty lone cell is written ``""``)."""
    assert to_csv(pd.DataFrame({"v": pd.Series([1, "=2+3", None], dtype=object)})) == "v\n1\n'=2+3\n\"\"\n"


def test_numeric_columns_keep_their_type_and_do_not_stop_the_text_columns_after_them():
    df = pd.DataFrame({"n": [1, 2], "effect": [-0.4, float("nan")], "label": ["=cmd", "ok"]})
    out = safe_frame(df)
    assert out["n"].dtype == "int64" and out["effect"].dtype == "float64"  # numbers stay numbers
    assert list(out["label"]) == ["'=cmd", "ok"]
    assert to_csv(df) == "n,effect,label\n1,-0.4,'=cmd\n2,,ok\n"


def test_cells_stay_on_their_rows_when_the_frame_has_its_own_index():
    """A frame cut from a larger one keeps its row labels: neutralised cells must land on the same rows."""
    df = pd.DataFrame({"raw": [3, "=a", b"b"], "k": ["x", "y", "z"]}, index=[7, 5, 9])
    out = safe_frame(df)
    assert list(out.index) == [7, 5, 9]
    assert out.loc[5, "raw"] == "'=a" and out.loc[7, "raw"] == 3 and out.loc[9, "raw"] == b"b"
