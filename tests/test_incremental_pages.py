"""Pages built from their own rows: per-page input digests, lean intervention pages, batches, downloads.

The render decides which pages an edit touched from digests computed over the tables
(``render/page_inputs.sql``) and builds only those, each from the rows of a ``Selection``; these
tests hold that the result is what building everything gives. The workspace is the benchmark's
synthetic one (``bench/generate.py``). Not timed: correctness only.
"""

from __future__ import annotations

import pandas as pd
import pytest

from evidence import pipeline
from evidence.render.context import build_site
from evidence.render.site import _claims_csv
from evidence.render.site_data import Selection, claims_csv_rows, load_site_data
from evidence.render.context import CSV_COLUMNS
from evidence.workspace import load_settings

from .test_incremental import assert_same_as_clean, files, first_study, publish, replace_in, synth  # noqa: F401


def test_a_deleted_study_removes_exactly_its_page(synth, tmp_path):
    publish(synth)
    before = set(files(synth.site_dir))
    key = first_study(synth)
    refs = synth.references_dir
    studies = pd.read_csv(refs / "studies.csv", dtype=str, keep_default_na=False)
    studies[studies["citekey"] != key].to_csv(refs / "studies.csv", index=False)
    claims = pd.read_csv(refs / "claims.csv", dtype=str, keep_default_na=False)
    gone = set(claims.loc[claims["citekey"] == key, "claim_id"])
    claims[claims["citekey"] != key].to_csv(refs / "claims.csv", index=False)
    for path in synth.articles_dir.glob("*.links.csv"):  # and the links to its findings
        links = pd.read_csv(path, dtype=str, keep_default_na=False)
        links[~links["claim_id"].isin(gone)].to_csv(path, index=False)
    result = publish(synth)
    after = set(files(synth.site_dir))
    assert before - after == {f"studies/{key}.html"} and after <= before
    assert result.removed == 1
    assert_same_as_clean(synth, tmp_path)


def test_one_claim_edited_makes_only_the_pages_that_show_it(synth):
    publish(synth)
    claims = pd.read_csv(synth.references_dir / "claims.csv", dtype=str, keep_default_na=False)
    row = claims.iloc[0]
    replace_in(synth, "references/claims.csv", "Synthetic finding.", "Synthetic finding (edited).")
    result = publish(synth)
    written = {p.relative_to(synth.site_dir).as_posix() for p in result.written}
    pages = {rel for rel in written if not rel.startswith("downloads/")}
    assert pages == {f"studies/{row['citekey']}.html", f"treatments/{row['treatment']}.html",
                     f"treatments/{row['treatment']}.csv", f"conditions/{row['condition']}.html",
                     f"conditions/{row['condition']}.csv"}
    # the downloads of the tables that did not change are carried over, not exported again
    assert "downloads/claims.csv" in written and "downloads/evidence.duckdb" in written
    assert not {"downloads/studies.csv", "downloads/bibliography.parquet", "downloads/articles.csv"} & written


def test_pages_built_in_small_batches_equal_pages_built_at_once(synth, tmp_path, monkeypatch):
    pipeline.build(synth)
    pipeline.render(synth, output=tmp_path / "once")
    monkeypatch.setattr("evidence.render.plan.STUDY_BATCH", 3)
    monkeypatch.setattr("evidence.render.plan.CLAIM_BATCH", 10)
    pipeline.render(synth, output=tmp_path / "batches")
    assert files(tmp_path / "once") == files(tmp_path / "batches")


@pytest.mark.parametrize("limit", [3, 200])
def test_an_intervention_page_read_lean_equals_one_built_from_every_claim(synth, limit):
    """Only its best rows and the claims statements rest on are read; table, counts, statements and CSV
    are what reading every claim gives (a limit of 3 cuts every table)."""
    pipeline.build(synth)
    settings = load_settings(synth.root)
    every = build_site(load_site_data(settings.db_path), {}, "", "t", {})
    kinds = {"treatment": every.treatments, "condition": every.conditions}
    for kind, pages in kinds.items():
        for full in pages:
            key = str(getattr(full, kind)["id"])
            lean_data = load_site_data(settings.db_path, Selection(**{f"{kind}s": frozenset([key])}), limit)
            lean = getattr(build_site(lean_data, {}, "", "t", {}), f"{kind}s")
            assert len(lean) == 1
            ranked = sorted(full.all_claims, key=lambda c: (c["evidence_level"] or 9, c["claim_id"]))
            assert [c["claim_id"] for c in lean[0].table.claims[:limit]] == [c["claim_id"] for c in ranked[:limit]]
            assert lean[0].table.total == full.table.total == len(full.all_claims) > 0
            assert [(s["slug"], s["statement_id"], s["relations"]) for s in lean[0].statements] == \
                   [(s["slug"], s["statement_id"], s["relations"]) for s in full.statements]
            if kind == "treatment":  # the summary of findings: the statements resting on each outcome's claims
                assert [(r["outcome"], [s["statement_id"] for s in r["statements"]]) for r in lean[0].findings] == \
                       [(r["outcome"], [s["statement_id"] for s in r["statements"]]) for r in full.findings]
            csv = _claims_csv(claims_csv_rows(settings.db_path, kind, key, CSV_COLUMNS))
            assert csv == _claims_csv(ranked)


def test_a_stray_page_in_the_site_is_not_mistaken_for_an_unchanged_site(synth):
    first = publish(synth)
    stray = synth.site_dir / "studies" / "not-a-study.html"
    stray.write_text("<p>left here by hand</p>", encoding="utf-8")
    again = publish(synth)
    assert not stray.exists() and again.removed == 1 and again.written == []
    assert publish(synth).unchanged == first.pages


def test_every_sql_file_of_the_package_ships_with_it():
    """The site's dependency query (render/page_inputs.sql) is read at run time: an installed
    package without it could not render; every .sql file under evidence/ must be package data."""
    import tomllib
    from fnmatch import fnmatch
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    package_data = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    files = sorted((repo / "evidence").rglob("*.sql"))
    assert any(p.name == "page_inputs.sql" for p in files)
    for sql in files:
        package = ".".join(sql.parent.relative_to(repo).parts)
        assert any(fnmatch(sql.name, pattern) for pattern in package_data.get(package, [])), sql
