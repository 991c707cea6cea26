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
    """A copy of ``df`` whose text cells are neutralised; numeric columns are not touched."""
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            try:  # vectorised: a cell that is not text is never a hit
                hits = out[column].str.startswith(FORMULA_START, na=False).astype(bool)
            except AttributeError:  # a column with no text at all (every cell None, or lists)
                continue
            if hits.any():
                out.loc[hits, column] = "'" + out.loc[hits, column]
    return out


def to_csv(df: pd.DataFrame) -> str:
    """The site's CSV text of ``df`` (same options everywhere), formula-safe."""
    return safe_frame(df).to_csv(index=False, lineterminator="\n")
