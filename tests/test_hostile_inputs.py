"""Hostile and careless input, one test per kind: exit 2, the file (and line) named, nothing written.

Each case edits a freshly published workspace (database and site exist), runs one command,
and asserts: exit code 2, no traceback (the runner does not catch exceptions, so a traceback
fails the test), the file and line in the message, and every file of the workspace, the
previous database and the previous site byte-identical afterwards (``hostile.snapshot``).
The 17 kinds that used to end in a traceback and the 17 that were accepted silently are
listed in issue 10; the ids below name them.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from .conftest import minimal_workspace, write
from .hostile import published_copy, replace_in, set_cell, snapshot


@pytest.fixture(scope="module")
def published_template(tmp_path_factory):
    from evidence import pipeline

    settings = minimal_workspace(tmp_path_factory.mktemp("published") / "ws")
    pipeline.publish(settings)
    return settings.root


@pytest.fixture
def published(published_template, tmp_path):
    return published_copy(published_template, tmp_path / "ws")


def _bad_bytes(path: Path, line: int, payload: bytes = b"caf\xe9") -> None:
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1] + payload
    path.write_bytes(b"\n".join(lines))


def _cell(rel: str, column: str, value: str, row: int = 1):
    def mutate(ws):
        return f"{rel}:{set_cell(ws.root / rel, row, column, value)}"
    return mutate


def _text(rel: str, old: str, new: str):
    def mutate(ws):
        return f"{rel}:{replace_in(ws.root / rel, old, new)}"
    return mutate


def _folder_for(rel: str):
    def mutate(ws):
        path = ws.root / rel
        if path.exists():
            path.unlink()
        path.mkdir()
        return rel
    return mutate


def _non_utf8(rel: str, line: int):
    def mutate(ws):
        _bad_bytes(ws.root / rel, line)
        return f"{rel}:{line}"
    return mutate


def _symlink_out(rel: str):
    def mutate(ws):
        path = ws.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        path.symlink_to("/etc/hostname")
        return rel
    return mutate


def _query_file(name: str, sql: str):
    def mutate(ws):
        write(ws, f"queries/{name}.sql", sql)
        return f"queries/{name}.sql"
    return mutate


def _template(name: str, text: str, line: int | None):
    def mutate(ws):
        write(ws, f"site_templates/{name}", text)
        return f"site_templates/{name}" + (f":{line}" if line else "")
    return mutate


def _bib_entry(entry: str, field: str = ""):
    """Append an entry (see ENTRY); the expected line is the entry's, or that of ``field`` in it."""
    def mutate(ws):
        path = ws.root / "references/library.bib"
        before = path.read_text(encoding="utf-8")
        path.write_text(before + "\n" + entry, encoding="utf-8")
        offset = ["", "author", "title", "year", "journal"].index(field)
        return f"references/library.bib:{before.count(chr(10)) + 2 + offset}"
    return mutate


def _with_study(mutate_bib):
    """An extra BibTeX entry plus its studies.csv row, so the entry is really used."""
    def mutate(ws):
        where = mutate_bib(ws)
        key = (ws.root / "references/library.bib").read_text(encoding="utf-8").rsplit("@article{", 1)[1].split(",")[0]
        with (ws.root / "references/studies.csv").open("a", encoding="utf-8") as fh:
            fh.write(f"{key},rct,10,,adults,,,,https://example.org/x,verified,\n")
        return where
    return mutate


ENTRY = "@article{{{key},\n  author = {{Connolly, Deirdre}},\n  title = {{Acne Scarring}},\n  year = {{{year}}},\n  journal = {journal}\n}}\n"

BUILD = ("build",)
SITE = ("site",)

CASES = {
    # -- used to end in a traceback --
    "folder-for-claims-csv": (_folder_for("references/claims.csv"), BUILD),
    "folder-for-bib": (_folder_for("references/extra.bib"), BUILD),
    "folder-for-article": (_folder_for("articles/other.md"), BUILD),
    "non-utf8-article": (_non_utf8("articles/example.md", 10), BUILD),
    "non-utf8-settings": (_non_utf8("evidence.toml", 2), BUILD),
    "non-utf8-query": (lambda ws: _query_file("mine", "-- title: t\n-- description: d\nSELECT 1\n")(ws) and
                       _non_utf8("queries/mine.sql", 2)(ws), ("query", "--list")),
    "non-utf8-template": (lambda ws: _template("study.html", "{% extends 'default:study.html' %}\n", None)(ws) and
                          _non_utf8("site_templates/study.html", 1)(ws), SITE),
    "non-utf8-claims": (_non_utf8("references/claims.csv", 2), BUILD),
    "impossible-date": (_text("articles/example.md", "published: 2024", "published: 2024-02-30"), BUILD),
    "empty-db-path": (_text("evidence.toml", 'path = "evidence.duckdb"', 'path = ""'), BUILD),
    "db-path-outside": (_text("evidence.toml", 'path = "evidence.duckdb"', 'path = "../elsewhere.duckdb"'), BUILD),
    "db-path-is-workspace": (_text("evidence.toml", 'path = "evidence.duckdb"', 'path = "."'), BUILD),
    "db-path-nul": (_text("evidence.toml", 'path = "evidence.duckdb"', 'path = "evi\\u0000dence.duckdb"'), BUILD),
    "broken-template": (_template("study.html", "ok\n{% if %}\n", 2), SITE),
    "missing-template-variable": (_template("study.html", "line one\n{{ no_such_variable.attribute }}\n", 2), SITE),
    "query-shadows-with-other-columns": (lambda ws: _query_file(
        "intervention_evidence", "-- title: mine\n-- description: other columns\nSELECT 1 AS x\n")(ws) + ":1", SITE),
    "two-statements-in-a-query": (_query_file("two", "-- title: t\n-- description: d\nSELECT 1; SELECT 2\n"),
                                  ("query", "--list")),
    # -- used to be accepted silently --
    "undefined-bibtex-macro": (_with_study(_bib_entry(ENTRY.format(key="macro2020", year=2020, journal="jid"), "journal")), BUILD),
    "nul-bytes": (lambda ws: (_bad_bytes(ws.root / "references/claims.csv", 2, b"\x00"), "references/claims.csv:2")[1],
                  BUILD),
    "year-99999": (_with_study(_bib_entry(ENTRY.format(key="late2020", year=99999, journal="{J}"), "year")), BUILD),
    "citekey-with-path": (_bib_entry(ENTRY.format(key="../../etc/passwd", year=2020, journal="{J}")), BUILD),
    "value-1e309": (_cell("references/claims.csv", "value", "1e309"), BUILD),
    "value-minus-inf": (_cell("references/claims.csv", "low", "-inf"), BUILD),
    "negative-n": (_cell("references/studies.csv", "n", "-5"), BUILD),
    "negative-sessions": (_cell("references/claims.csv", "sessions", "-1"), BUILD),
    "toml-wrong-type": (_text("evidence.toml", 'title = "My evidence workspace"', "title = 5"), BUILD),
    "toml-non-finite": (_text("evidence.toml", 'mailto = ""', 'timeout = inf'), BUILD),
    "front-matter-wrong-type": (_text("articles/example.md", "title: An example article", "title: [a, b]"), BUILD),
    "symlink-template-outside": (_symlink_out("site_templates/study.html"), SITE),
    "symlink-table-outside": (_symlink_out("references/studies.csv"), BUILD),
    "citekey-case-collision": (_bib_entry(ENTRY.format(key="Connolly2017acne", year=2017, journal="{J}")), BUILD),
    # -- outputs over inputs (data loss) --
    "db-over-studies-csv": (_text("evidence.toml", 'path = "evidence.duckdb"', 'path = "references/studies.csv"'),
                            BUILD),
    "db-over-settings": (_text("evidence.toml", 'path = "evidence.duckdb"', 'path = "evidence.toml"'), BUILD),
    "site-over-references": (_text("evidence.toml", 'output = "site"', 'output = "references"'), SITE),
    "site-over-articles": (_text("evidence.toml", 'output = "site"', 'output = "articles"'), SITE),
    "site-over-parent": (_text("evidence.toml", 'output = "site"', 'output = ".."'), SITE),
    "site-over-cache": (_text("evidence.toml", 'output = "site"', 'output = ".evidence-cache"'), SITE),
    "site-is-a-file": (lambda ws: (write(ws, "notes.txt", "mine\n"),
                                   _text("evidence.toml", 'output = "site"', 'output = "notes.txt"')(ws))[1], SITE),
    "site-holds-foreign-files": (lambda ws: (write(ws, "docs/index.md", "mine\n"),
                                            _text("evidence.toml", 'output = "site"', 'output = "docs"')(ws))[1], SITE),
    "db-over-a-foreign-file": (lambda ws: (write(ws, "notes.txt", "mine\n"),
                                          _text("evidence.toml", 'path = "evidence.duckdb"', 'path = "notes.txt"')(ws))[1],
                               BUILD),
    # -- URLs that would run script --
    "javascript-article-url": (_text("articles/example.md", "outlet: Example Outlet",
                                     'url: "javascript:alert(document.domain)//"'), BUILD),
    "javascript-study-url": (_cell("references/studies.csv", "source_url", "javascript:alert(1)"), BUILD),
    "javascript-bib-url": (_text("references/library.bib", "url = {https://pubmed.ncbi.nlm.nih.gov/29344322/}",
                                 "url = {javascript:alert(1)}"), BUILD),
    "javascript-base-url": (_text("evidence.toml", 'base_url = "/"', 'base_url = "javascript:alert(1)//"'), BUILD),
}
LIVE = CASES  # plus the kinds that need a test of their own, below (settings folder, FIFO, read-only folders)


@pytest.mark.parametrize("kind", sorted(LIVE))
def test_hostile_input_is_one_located_problem_and_nothing_is_written(published, cli, kind):
    mutate, command = LIVE[kind]
    where = mutate(published)
    before = snapshot(published.root)
    old = signal.signal(signal.SIGALRM, lambda *a: pytest.fail(f"{kind}: the command hung"))
    signal.alarm(60)
    try:
        result = cli(published, *command)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert where in result.output, result.output
    assert snapshot(published.root) == before


def test_one_undecodable_file_is_one_error_not_hundreds(published, cli):
    _bad_bytes(published.root / "references/claims.csv", 2)
    result = cli(published, "build")
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors == [line for line in errors if "references/claims.csv:2" in line] and len(errors) == 1, errors
    assert "offset" in errors[0]


def test_settings_file_that_is_a_folder(tmp_path, cli):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "evidence.toml").mkdir()
    (tmp_path / "ws" / "sub").mkdir()
    result = cli(tmp_path / "ws" / "sub", "build")
    assert result.exit_code == 2 and "evidence.toml" in result.output
    assert sorted(p.name for p in (tmp_path / "ws").iterdir()) == ["evidence.toml", "sub"]


def test_a_fifo_where_a_table_is_expected_does_not_block(published, cli):
    path = published.root / "references" / "claims.csv"
    path.unlink()
    os.mkfifo(path)
    before = snapshot(published.root)
    old = signal.signal(signal.SIGALRM, lambda *a: pytest.fail("build blocked on a FIFO"))
    signal.alarm(30)
    try:
        result = cli(published, "build")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert result.exit_code == 2 and "references/claims.csv" in result.output and "not a regular file" in result.output
    assert snapshot(published.root) == before


def test_a_link_inside_the_workspace_is_still_read(published, cli):
    """The symlink rule refuses links that lead *outside*; one within the workspace is fine."""
    studies = published.root / "references" / "studies.csv"
    (published.root / "keep").mkdir()
    studies.rename(published.root / "keep" / "studies.csv")
    studies.symlink_to(published.root / "keep" / "studies.csv")
    assert cli(published, "build").exit_code == 0


def test_negative_values_that_are_not_counts_are_accepted(published, cli):
    """A mean difference may be below zero: only counts are range-checked."""
    set_cell(published.root / "references/claims.csv", 1, "value", "-0.4")
    set_cell(published.root / "references/claims.csv", 1, "unit", "mean_difference")
    assert cli(published, "build").exit_code == 0
