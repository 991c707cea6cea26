"""Incremental builds and renders give exactly what a clean build gives, byte for byte.

The workspace is the benchmark's synthetic one (``bench/generate.py``: titles say "Synthetic",
no identifiers), small enough for a test: every edit kind is applied to a built and rendered
workspace, which is then built and rendered again incrementally and compared with a clean build
of a fresh copy (no database, no caches, no previous site). Not timed: correctness only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from evidence import pipeline
from evidence.errors import InputError
from evidence.load.database import stored_digest
from evidence.read.cache import ParseCache
from evidence.read.reader import read_workspace
from evidence.workspace import Settings, load_settings

from .conftest import write

INPUTS = ("evidence.toml", "references", "articles", "queries", "site_templates")
DATABASE = "downloads/evidence.duckdb"


@pytest.fixture
def synth(tmp_path: Path) -> Settings:
    from bench.generate import generate

    return generate(tmp_path / "ws", studies=30, claims=240, articles=3, statements=9)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def clean_copy(settings: Settings, target: Path) -> Settings:
    """The same input files in a fresh folder: built and rendered with nothing derived to start from."""
    target.mkdir()
    for name in INPUTS:
        src = settings.root / name
        if src.is_dir():
            shutil.copytree(src, target / name)
        elif src.is_file():
            shutil.copy(src, target / name)
    clean = load_settings(target)
    pipeline.build(clean)
    pipeline.render(clean)
    return clean


def assert_same_as_clean(settings: Settings, tmp_path: Path) -> None:
    """Every file equal; the DuckDB file, which DuckDB never writes twice alike, equal in content."""
    settings = load_settings(settings.root)
    clean = clean_copy(settings, tmp_path / "clean")
    got, want = files(settings.site_dir), files(clean.site_dir)
    assert sorted(got) == sorted(want)
    differing = [rel for rel in want if rel != DATABASE and got[rel] != want[rel]]
    assert differing == []
    assert stored_digest(settings.site_dir / DATABASE) == stored_digest(clean.site_dir / DATABASE) is not None


def publish(settings: Settings):
    settings = load_settings(settings.root)  # as a new run would: evidence.toml may have changed
    pipeline.build(settings)
    return pipeline.render(settings)


def replace_in(settings: Settings, rel: str, old: str, new: str, count: int = 1) -> None:
    path = settings.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def first_study(settings: Settings) -> str:
    return str(pd.read_csv(settings.references_dir / "studies.csv")["citekey"].iloc[0])


EDITS = {
    "claim": lambda s: replace_in(s, "references/claims.csv", "Synthetic finding.", "Synthetic finding (edited)."),
    "study": lambda s: replace_in(s, "references/studies.csv", "synthetic adults", "synthetic adults over 40"),
    "statement": lambda s: replace_in(s, "articles/synthetic-1.statements.csv", ",number,", ",opinion,"),
    "article text": lambda s: replace_in(s, "articles/synthetic-2.md", "# Synthetic article 2\n",
                                         "# Synthetic article 2\n\nAn added paragraph of plain text.\n"),
    "template": lambda s: write(s, "site_templates/study.html",
                                '{% extends "default:study.html" %}{% block title %}Study: {{ super() }}{% endblock %}'),
    "settings": lambda s: replace_in(s, "evidence.toml", 'title = "My evidence workspace"', 'title = "Desk"'),
    "query": lambda s: write(s, "queries/claims_per_study.sql",
                             "-- title: Claims per study\n-- description: How many findings each study has.\n"
                             "SELECT citekey, count(*) AS claims FROM claims GROUP BY citekey ORDER BY citekey;\n"),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_an_incremental_build_equals_a_clean_build_after_each_kind_of_edit(synth, tmp_path, kind):
    first = publish(synth)
    before = {p: p.stat().st_mtime_ns for p in synth.site_dir.rglob("*.html")}
    EDITS[kind](synth)
    result = publish(synth)
    assert result.written, f"the {kind} edit changed no file"
    assert_same_as_clean(synth, tmp_path)
    if kind not in ("settings", "template"):  # an edit of one thing leaves the pages of others untouched
        kept = [p for p, mtime in before.items() if p.exists() and p.stat().st_mtime_ns == mtime]
        assert len(result.written) < first.pages / 2 and len(kept) > len(before) / 2


def test_a_template_edit_renders_only_the_pages_that_use_it(synth):
    publish(synth)
    EDITS["template"](synth)
    result = publish(synth)
    html = {p.relative_to(synth.site_dir).as_posix() for p in result.written if p.suffix == ".html"}
    assert html and all(rel.startswith("studies/") for rel in html)
    assert len(html) == len(list((synth.site_dir / "studies").glob("*.html")))


def test_a_deleted_article_removes_exactly_its_page(synth, tmp_path):
    publish(synth)
    before = set(files(synth.site_dir))
    for suffix in (".md", ".statements.csv", ".links.csv"):
        (synth.articles_dir / f"synthetic-1{suffix}").unlink()
    result = publish(synth)
    after = set(files(synth.site_dir))
    own = {rel for rel in before if Path(rel).stem == "synthetic-1"}  # its page, and its reports for writers
    assert "articles/synthetic-1.html" in own and before - after == own and after <= before
    assert result.removed == len(own)
    assert_same_as_clean(synth, tmp_path)


def test_a_deleted_query_removes_exactly_its_files(synth, tmp_path):
    EDITS["query"](synth)
    publish(synth)
    before = set(files(synth.site_dir))
    (synth.root / "queries" / "claims_per_study.sql").unlink()
    publish(synth)
    after = set(files(synth.site_dir))
    assert before - after == {f"queries/claims_per_study.{ext}" for ext in ("html", "csv", "json")}
    assert_same_as_clean(synth, tmp_path)


def test_two_builds_of_an_unchanged_workspace_give_identical_sites_downloads_included(synth, tmp_path):
    pipeline.build(synth)
    database = synth.db_path.read_bytes()
    pipeline.render(synth, output=tmp_path / "a")
    pipeline.build(synth)
    assert synth.db_path.read_bytes() == database  # DuckDB stamps a random id in a new file: the old one is kept
    pipeline.render(synth, output=tmp_path / "b")
    a, b = files(tmp_path / "a"), files(tmp_path / "b")
    assert a == b and DATABASE in a


def test_an_unchanged_site_is_left_alone_and_a_changed_database_is_not(synth):
    first = publish(synth)
    again = publish(synth)
    assert again.written == [] and again.unchanged == first.pages
    replace_in(synth, "references/claims.csv", "Synthetic finding.", "Synthetic finding (edited).")
    edited = publish(synth)
    written = {p.relative_to(synth.site_dir).as_posix() for p in edited.written}
    assert DATABASE in written and f"studies/{first_study(synth)}.html" in written


def test_a_site_file_deleted_by_hand_is_rendered_again(synth):
    publish(synth)
    page = synth.site_dir / "studies" / f"{first_study(synth)}.html"
    content = page.read_bytes()
    page.unlink()
    result = publish(synth)
    assert page.read_bytes() == content and page in result.written


def test_parsed_files_are_cached_by_content_and_equal_a_fresh_parse(synth, monkeypatch):
    monkeypatch.setattr("evidence.read.cache.SMALL", 0)  # cache every file, however small
    fresh = read_workspace(synth, cache=ParseCache(None))
    cache = ParseCache(synth.root / ".evidence-cache" / "parsed")
    read_workspace(synth, cache=cache)
    assert cache.misses > 0 and cache.hits == 0
    warm = ParseCache(cache.folder)
    cached = read_workspace(synth, cache=warm)
    assert warm.misses == 0 and warm.hits == cache.misses
    for name in ("bibliography", "studies", "claims", "interventions", "conditions", "links"):
        want, got = getattr(fresh, name), getattr(cached, name)
        pd.testing.assert_frame_equal(got, want)
        for col in want.columns:  # the same Python types cell by cell (None, lists), not only equal values
            assert [type(v) for v in got[col]] == [type(v) for v in want[col]], (name, col)
    assert cached.statements == fresh.statements and cached.problems == fresh.problems
    # data, never pickle (.src: the bytes a table was parsed from, so that an edit re-parses only its rows)
    assert {p.suffix for p in cache.folder.iterdir()} == {".parquet", ".json", ".src"}
    replace_in(synth, "references/claims.csv", "Synthetic finding.", "Synthetic finding (edited).")
    edited = ParseCache(cache.folder)
    claims = read_workspace(synth, cache=edited).claims
    assert edited.misses == 1 and "Synthetic finding (edited)." in set(claims["summary"])


def test_problems_come_back_from_the_cache_and_duplicates_across_files_are_still_found(synth, monkeypatch):
    monkeypatch.setattr("evidence.read.cache.SMALL", 0)
    bib = synth.references_dir / "library.bib"
    original = bib.read_bytes()
    key = first_study(synth)
    write(synth, "references/more.bib", "@article{" + key + ",\n  title = {Synthetic copy},\n  year = {2004}\n}\n\n"
          "@article{syntheticextra,\n  title = {Synthetic extra},\n  year = {20x4}\n}\n")
    for _ in range(2):  # the second build reads both files from the cache
        with pytest.raises(InputError) as err:
            pipeline.build(synth)
        codes = {(p.file, p.code) for p in err.value.problems}
        assert ("references/more.bib", "duplicate-citekey") in codes and ("references/more.bib", "bad-year") in codes
    assert bib.read_bytes() == original  # the cache never touches an input


def test_summary_tables_follow_the_claims_after_an_edit(synth):
    """The canned per-treatment queries read tables built at load time: they must hold what grouping
    the claims now gives, after an edit too (a stale summary would survive a kept database)."""
    import duckdb
    from evidence.load.database import summaries_sql
    from evidence.query.runner import discover, run_query

    def check() -> None:
        queries = discover(load_settings(synth.root).query_dirs)
        con = duckdb.connect(str(synth.db_path), read_only=True)
        try:
            for statement in (s for s in summaries_sql().split(";") if "CREATE TABLE" in s):
                name, select = statement.split("CREATE TABLE", 1)[1].split(" AS", 1)
                direct = con.execute(select).df()
                stored = con.execute(f"SELECT * FROM {name.strip()}").df()
                pd.testing.assert_frame_equal(stored, direct)
        finally:
            con.close()
        shown = run_query(synth.db_path, queries["intervention_evidence"])
        assert int(shown["claims"].sum()) == int(pd.read_csv(synth.references_dir / "claims.csv")["treatment"].notna().sum())

    pipeline.build(synth)
    check()
    claims = pd.read_csv(synth.references_dir / "claims.csv", dtype=str, keep_default_na=False)
    claims.iloc[: len(claims) // 2].to_csv(synth.references_dir / "claims.csv", index=False)  # drop half the claims
    links = synth.articles_dir
    for path in links.glob("*.links.csv"):  # and the links to them
        kept = pd.read_csv(path, dtype=str, keep_default_na=False)
        kept[kept["claim_id"].isin(set(claims["claim_id"].iloc[: len(claims) // 2]))].to_csv(path, index=False)
    pipeline.build(synth)
    check()


def test_pages_rendered_in_worker_processes_equal_pages_rendered_here(synth, tmp_path, monkeypatch):
    pipeline.build(synth)
    pipeline.render(synth, output=tmp_path / "here")
    monkeypatch.setattr("evidence.render.parallel.PARALLEL_MIN", 0)
    monkeypatch.setattr("evidence.render.parallel.BATCH", 7)  # several batches through one pool
    monkeypatch.setattr("evidence.render.parallel.CHUNK", 3)
    monkeypatch.setattr("evidence.render.parallel.cores", lambda: 2)
    calls = []
    import evidence.render.parallel as parallel

    real = parallel.worker_pool
    monkeypatch.setattr(parallel, "worker_pool", lambda workers, *rest: calls.append(workers) or real(workers, *rest))
    result = pipeline.render(synth, output=tmp_path / "workers")
    assert calls == [2]  # the pool of two workers was used, once
    assert files(tmp_path / "here") == files(tmp_path / "workers") and result.pages > 50
