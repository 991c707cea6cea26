"""``plain_records`` gives what pandas' own conversion gives: the same values of the same Python types."""

from __future__ import annotations

import pandas as pd

from evidence.read.reader import read_workspace
from evidence.read.records import plain_records
from evidence.workspace import load_settings

from .conftest import REPO


def pandas_records(df: pd.DataFrame) -> list[dict[str, object]]:
    return df.astype(object).where(df.notna(), None).to_dict("records")


def same(got: list[dict[str, object]], want: list[dict[str, object]]) -> None:
    assert got == want
    assert [[type(v) for v in r.values()] for r in got] == [[type(v) for v in r.values()] for r in want]


def test_the_shipped_workspace_tables_convert_exactly_as_pandas_converts_them(tmp_path):
    ws = read_workspace(load_settings(REPO))
    for frame in (ws.claims, ws.studies, ws.bibliography, ws.links, ws.claims.merge(ws.studies, on="citekey")):
        assert len(frame) > 0
        same(plain_records(frame), pandas_records(frame))


def test_every_dtype_and_missing_cell():
    df = pd.DataFrame({
        "text": pd.Series(["a", None, "c"], dtype=object),
        "string": pd.Series(["x", None, "z"], dtype="string"),
        "whole": pd.Series([1, None, 3], dtype="Int64"),
        "plain_int": pd.Series([1, 2, 3], dtype="int64"),
        "real": [1.5, float("nan"), 2.0],
        "flag": pd.Series([True, None, False], dtype="boolean"),
        "lists": pd.Series([["a"], [], None], dtype=object),
    })
    got = plain_records(df)
    same(got, pandas_records(df))
    assert got[1] == {"text": None, "string": None, "whole": None, "plain_int": 2, "real": None, "flag": None,
                      "lists": []}
    assert plain_records(df.iloc[:0]) == []
