"""An edited CSV table parsed again only where it changed reads exactly as a whole parse does.

Each edit below is applied to a claims file (the benchmark's synthetic one, made by
``bench/generate.py``, plus hand-written rows marked as such); the re-parse from the previous parse
must give the same DataFrame (values, types, line numbers) and the same problems in the same order
as parsing the whole edited file, or decline (None) where it cannot be sure.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from evidence.read.cache import ParseCache
from evidence.read.reparse import reparse_table
from evidence.read.tables import CLAIMS, _duplicates, _read_table, read_table

SHOWN = "references/claims.csv"


@pytest.fixture(scope="module")
def claims_text(tmp_path_factory) -> str:
    from bench.generate import generate

    settings = generate(tmp_path_factory.mktemp("ws") / "ws", studies=20, claims=150, articles=1, statements=3)
    lines = (settings.references_dir / "claims.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    # written for this test (not real data): a quoted cell over two lines, padded cells, a blank row, a bad number
    lines[10] = lines[10].replace("Synthetic finding.", '"Synthetic finding,\nover two lines."', 1)
    lines[20] = lines[20].replace(",Abstract,", ",  Abstract  ,", 1)
    lines.insert(30, ",,,\n")
    header = lines[0].rstrip("\n").split(",")
    cells = lines[50].rstrip("\n").split(",")
    cells[header.index("value")] = "about 60"
    lines[50] = ",".join(cells) + "\n"
    return "".join(lines)


def _full(text: str):
    return _read_table(text.encode("utf-8"), CLAIMS, SHOWN)


def _reparse(old_text: str, new_text: str):
    frame, problems = _full(old_text)
    return reparse_table(old_text.encode("utf-8"), frame, problems, new_text.encode("utf-8"), CLAIMS, SHOWN,
                         lambda chunk: _read_table(chunk, CLAIMS, SHOWN), lambda df: _duplicates(df, CLAIMS, SHOWN))


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _cell(text: str, row: int, column: str, value: str) -> str:
    lines = _lines(text)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[row].rstrip("\n").split(",")
    cells[header.index(column)] = value
    lines[row] = ",".join(cells) + "\n"
    return "".join(lines)


def _insert(text: str, row: int, line: str) -> str:
    lines = _lines(text)
    lines.insert(row, line)
    return "".join(lines)


def _delete(text: str, row: int, count: int = 1) -> str:
    lines = _lines(text)
    del lines[row:row + count]
    return "".join(lines)


def _replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


EDITS = {
    "one cell": lambda t: _cell(t, 3, "summary", "Synthetic finding (edited)."),
    "first row": lambda t: _cell(t, 1, "value", "12.5"),
    "last row": lambda t: _cell(t, len(_lines(t)) - 1, "status", "verified"),
    "a bad number": lambda t: _cell(t, 5, "n", "many"),
    "a bad choice": lambda t: _cell(t, 6, "outcome", "eficacy"),
    "a required cell emptied": lambda t: _cell(t, 7, "quote", ""),
    "a bad number fixed": lambda t: _cell(t, 52, "value", "60"),
    "a duplicate id": lambda t: _cell(t, 8, "claim_id", _lines(t)[2].split(",")[0]),
    "a row too short": lambda t: _insert(t, 12, "x-1,synthetic000001study\n"),
    "a row added": lambda t: _insert(t, 15, _lines(t)[15].replace(",", "-copy,", 1)),
    "rows deleted": lambda t: _delete(t, 14, 3),
    "the multi-line row edited": lambda t: _replace(t, "over two lines.", "over two lines, edited."),
    "a row made multi-line": lambda t: _replace(t, "Synthetic quote.,Abstract", '"Synthetic\nquote.",Abstract'),
    "a blank row added": lambda t: _insert(t, 60, "\n"),
    "a blank row removed": lambda t: _replace(t, ",,,\n", ""),
    "padding added": lambda t: _cell(t, 70, "locator", "   Table 2  "),
    "appended at the end": lambda t: t + _lines(t)[5].replace(",", "-new,", 1),
    "last newline removed": lambda t: t.rstrip("\n"),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_a_re_parse_equals_a_whole_parse_after_each_kind_of_edit(claims_text, kind):
    new = EDITS[kind](claims_text)
    assert new != claims_text
    got = _reparse(claims_text, new)
    assert got is not None, f"{kind}: the re-parse declined"
    want = _full(new)
    pd.testing.assert_frame_equal(got[0], want[0])
    for column in want[0].columns:
        assert [type(v) for v in got[0][column]] == [type(v) for v in want[0][column]], column
    assert got[1] == want[1]


@pytest.mark.parametrize("seed", range(8))
def test_random_edits_re_parse_as_a_whole_parse_does(claims_text, seed):
    rng = random.Random(seed)
    text = claims_text
    for _ in range(3):
        kind = rng.choice([k for k in EDITS if k not in ("last newline removed",)])
        text = EDITS[kind](text)
    got, want = _reparse(claims_text, text), _full(text)
    assert got is not None
    pd.testing.assert_frame_equal(got[0], want[0])
    assert got[1] == want[1]


def test_an_edit_that_opens_a_quote_is_parsed_whole(claims_text):
    """A quote left open swallows the rows after it: only a whole parse can say what they become."""
    new = _replace(claims_text, "Synthetic quote.,Abstract", '"Synthetic quote.,Abstract')
    assert _reparse(claims_text, new) is None


def test_a_changed_header_is_parsed_whole(claims_text):
    new = _replace(claims_text, "claim_id,", "claim_id ,")
    assert _reparse(claims_text, new) is None


def test_the_cache_re_parses_an_edited_file_and_gives_what_a_whole_parse_gives(claims_text, tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(claims_text, encoding="utf-8")
    cache = ParseCache(tmp_path / "parsed", deferred=True)
    read_table(path, CLAIMS, SHOWN, cache)
    cache.flush()
    path.write_text(EDITS["a bad choice"](claims_text), encoding="utf-8")
    edited = ParseCache(tmp_path / "parsed", deferred=True)
    got = read_table(path, CLAIMS, SHOWN, edited)
    assert (edited.misses, edited.reparsed) == (1, 1)
    want = _read_table(path.read_bytes(), CLAIMS, SHOWN)
    pd.testing.assert_frame_equal(got[0], want[0])
    assert got[1] == want[1]
    edited.flush()
    # the slot now holds the edited bytes: a second edit re-parses from them
    path.write_text(EDITS["one cell"](path.read_text(encoding="utf-8")), encoding="utf-8")
    again = ParseCache(tmp_path / "parsed", deferred=True)
    got = read_table(path, CLAIMS, SHOWN, again)
    assert again.reparsed == 1 and got[1] == _read_table(path.read_bytes(), CLAIMS, SHOWN)[1]
