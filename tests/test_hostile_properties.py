"""Property tests (Hypothesis): malformed BibTeX, CSV, front matter and TOML end in success or a
located Problem (InputError), never in any other exception.

Examples are bounded (50 per property, no deadline) so the suite stays fast; each writes one
generated file into a real workspace and runs the real readers and checks on it.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings, strategies as st

from evidence import pipeline
from evidence.errors import InputError
from evidence.workspace import load_settings

from .conftest import minimal_workspace

BOUNDED = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])

# Fragments that matter to each format, mixed with arbitrary text (NUL, surrogates excluded by UTF-8 writing)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
BIB_TOKENS = st.sampled_from(["@article{", "@book{", "@string{", "@comment{", "@preamble{", "{", "}", ",", "=", "#",
                              '"', "\\", "title", "author", "year", "doi", "url", "pmid", " and ", "connolly2017acne",
                              "2017", "99999", "jan", "\n", " ", "javascript:x", "10.1000/x", "{\\'e}", "%", "\x00"])
CSV_CELLS = st.one_of(TEXT, st.sampled_from(["", "1e309", "-inf", "nan", "NaN", "-1", "0", "65", "1.5", "=1+1",
                                             "connolly2017acne", "atrophic", "efficacy", "percent", "verified",
                                             '"', ",", "\n", "https://example.org", "javascript:alert(1)"]))
YAML_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT,
              st.sampled_from(["2024-02-30", "2024-13-01", "javascript:x", "https://example.org/a", "example"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)), max_leaves=6)
TOML_VALUES = st.one_of(st.booleans(), st.integers(min_value=-2**63, max_value=2**63 - 1),
                        st.floats(allow_nan=True), TEXT,
                        st.sampled_from(["", ".", "..", "references", "site", "evidence.toml", "/etc", "1GB", "lots",
                                         "javascript:x", "https://example.org", "nul\x00l"]),
                        st.lists(st.integers(), max_size=2))
TOML_KEYS = {"site": ["title", "base_url", "output", "description", "other"],
             "database": ["path", "other"],
             "query": ["timeout", "memory_limit", "max_rows", "max_bytes", "threads"],
             "resolve": ["mailto", "timeout", "retries", "deadline", "max_redirects", "max_bytes", "crossref_url",
                         "crossref_rate", "safety", "cache"],
             "other": ["x"]}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return minimal_workspace(tmp_path_factory.mktemp("props") / "ws")


def _outcome(root: Path) -> str:
    """'ok' or 'problem'; any other exception propagates and fails the property."""
    try:
        pipeline.check(load_settings(root))
    except InputError as exc:
        assert exc.problems, "an InputError must carry its problems"
        assert all(p.file for p in exc.problems)
        event("problem")
        return "problem"
    event("ok")
    return "ok"


def _with(path: Path, data: bytes | str):
    original = path.read_bytes()
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return original


@BOUNDED
@given(tokens=st.lists(st.one_of(BIB_TOKENS, TEXT), max_size=40))
def test_malformed_bibtex(workspace, tokens):
    path = workspace.root / "references" / "library.bib"
    original = _with(path, path.read_text(encoding="utf-8") + "\n" + "".join(tokens))
    try:
        _outcome(workspace.root)
    finally:
        path.write_bytes(original)


@BOUNDED
@given(rows=st.lists(st.lists(CSV_CELLS, min_size=0, max_size=27), max_size=4), raw=st.binary(max_size=30),
       keep_header=st.booleans())
def test_malformed_claims_csv(workspace, rows, raw, keep_header):
    path = workspace.root / "references" / "claims.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    original = _with(path, ((header + "\n") if keep_header else "").encode() + buffer.getvalue().encode() + raw)
    try:
        _outcome(workspace.root)
    finally:
        path.write_bytes(original)


@BOUNDED
@given(meta=st.dictionaries(st.one_of(st.sampled_from(["title", "slug", "url", "published", "experts", "outlet"]), TEXT),
                            YAML_VALUES, max_size=6), raw=st.one_of(st.none(), TEXT))
def test_malformed_front_matter(workspace, meta, raw):
    path = workspace.root / "articles" / "example.md"
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    front = raw if raw is not None else yaml.safe_dump(meta, allow_unicode=True)
    original = _with(path, "---\n" + front + "\n---\n" + body)
    try:
        _outcome(workspace.root)
    finally:
        path.write_bytes(original)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    text = str(value)
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in text) + '"'


@BOUNDED
@given(tables=st.dictionaries(st.sampled_from(sorted(TOML_KEYS)), st.data(), max_size=4), raw=st.one_of(st.none(), TEXT))
def test_malformed_settings(workspace, tables, raw):
    path = workspace.root / "evidence.toml"
    if raw is None:
        lines = []
        for section, data in tables.items():
            lines.append(f"[{section}]")
            keys = data.draw(st.lists(st.sampled_from(TOML_KEYS[section]), unique=True, max_size=4))
            lines += [f"{key} = {_toml(data.draw(TOML_VALUES))}" for key in keys]
        text = "\n".join(lines) + "\n"
    else:
        text = raw
    original = _with(path, text)
    try:
        _outcome(workspace.root)
    finally:
        path.write_bytes(original)
