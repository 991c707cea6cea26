"""Render stage, CSV downloads that a spreadsheet opens safely (OWASP "CSV Injection").

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula, which can run commands or leak data
(``=HYPERLINK(...)``). OWASP's rule: prefix such a *text* cell with a single quote, which
the spreadsheet shows as text. Numbers stay numbers: only text cells are changed, so a
negative effect size in a numeric column is still ``-0.4``. The Parquet files and the
DuckDB download keep the exact values; the database export applies the same rule in SQL
(``evidence.load.database.CSV_NEUTRALISE``).
"""

from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are neutralised; numeric columns are not touched.

    Any column that can hold text is looked at: object, string and categorical (a categorical of
    text is still text in a spreadsheet). A column of text only is neutralised in one vectorised
    pass; one that mixes text with numbers, bytes (a BLOB) or lists, cell by cell.
    """
    out = df.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object)  # categories cannot take the new, prefixed values
        elif not (dtype == object or pd.api.types.is_string_dtype(dtype)):
            continue
        if pd.api.types.infer_dtype(out[column], skipna=True) != "string":  # the two paths give the same cells
            cells = out[column]
            out[column] = pd.Series([neutralise(v) for v in cells], index=cells.index, dtype=object)
            continue
        hits = out[column].str.startswith(FORMULA_START, na=False).astype(bool)
        if hits.any():
            out.loc[hits, column] = "'" + out.loc[hits, column]
    return out


def to_csv(df: pd.DataFrame) -> str:
    """The site's CSV text of ``df`` (same options everywhere), formula-safe."""
    return safe_frame(df).to_csv(index=False, lineterminator="\n")
