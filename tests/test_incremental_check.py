"""The incremental check (``evidence/check/memo.py``) gives exactly what a clean check gives.

Each statement's result is kept by a digest of its inputs; after an edit only the statements
whose inputs changed are checked again. Here a claim, a study and a statement are edited in
the benchmark's synthetic workspace (``bench/generate.py``, marked synthetic, never shipped)
and every report (verdicts, reasons, problems, attribution checks) is compared, as text, with
a check of a fresh copy that has no caches. Not timed: correctness only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from evidence import pipeline
from evidence.check import memo as memo_module
from evidence.workspace import Settings, load_settings

INPUTS = ("evidence.toml", "references", "articles", "queries", "site_templates")


@pytest.fixture
def synth(tmp_path: Path) -> Settings:
    from bench.generate import generate

    return generate(tmp_path / "ws", studies=30, claims=240, articles=3, statements=9)


class Counting(memo_module.CheckMemo):
    """The pipeline's memo, recording how many statements it took from the store and how many it checked."""

    last: "Counting | None" = None

    def __init__(self, folder):
        super().__init__(folder)
        Counting.last = self


@pytest.fixture
def counting(monkeypatch):
    monkeypatch.setattr(pipeline, "CheckMemo", Counting)
    return Counting


def clean_check(settings: Settings, target: Path) -> str:
    target.mkdir()
    for name in INPUTS:
        src = settings.root / name
        if src.is_dir():
            shutil.copytree(src, target / name)
        elif src.is_file():
            shutil.copy(src, target / name)
    return repr(pipeline.check(load_settings(target)).reports)


def linked_claim(settings: Settings) -> tuple[str, int]:
    """A claim that supports a statement of the first article, and how many statements link to it."""
    links = pd.concat([pd.read_csv(p) for p in sorted((settings.root / "articles").glob("*.links.csv"))])
    first = pd.read_csv(settings.root / "articles" / "synthetic-0.links.csv")
    claim = str(first[first["relation"] == "supports"]["claim_id"].iloc[0])
    return claim, int((links["claim_id"] == claim).sum())


def edit_claim(settings: Settings) -> None:
    claim, _ = linked_claim(settings)
    path = settings.references_dir / "claims.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[df["claim_id"] == claim, ["value", "summary"]] = ["12.5", "Synthetic finding, edited."]
    df.to_csv(path, index=False)


def edit_study(settings: Settings) -> None:
    claim, _ = linked_claim(settings)
    claims = pd.read_csv(settings.references_dir / "claims.csv", dtype=str, keep_default_na=False)
    key = claims.loc[claims["claim_id"] == claim, "citekey"].iloc[0]
    path = settings.references_dir / "studies.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    design = df.loc[df["citekey"] == key, "design"].iloc[0]
    df.loc[df["citekey"] == key, ["design", "n"]] = ["case_series" if design != "case_series" else "rct", "7"]
    df.to_csv(path, index=False)


def edit_statement(settings: Settings) -> None:
    path = settings.root / "articles" / "synthetic-1.statements.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",number,", ",opinion,", 1), encoding="utf-8")


def edit_review(settings: Settings) -> None:
    """A review's included designs (studies.csv included_designs): read by the certainty grader, not by the
    claims' own fields, so the memo must key on it through ``grade_inputs``."""
    claim, _ = linked_claim(settings)
    claims = pd.read_csv(settings.references_dir / "claims.csv", dtype=str, keep_default_na=False)
    key = claims.loc[claims["claim_id"] == claim, "citekey"].iloc[0]
    path = settings.references_dir / "studies.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[df["citekey"] == key, "design"] = "meta_analysis"
    df.to_csv(path, index=False)
    pipeline.check(load_settings(settings.root))  # the memo now holds the review with no included designs
    df.loc[df["citekey"] == key, "included_designs"] = "randomised"
    df.to_csv(path, index=False)


EDITS = {"claim": edit_claim, "study": edit_study, "statement": edit_statement, "review": edit_review}


@pytest.mark.parametrize("kind", list(EDITS))
def test_an_incremental_check_equals_a_clean_check_after_each_kind_of_edit(synth, tmp_path, kind, counting):
    before = repr(pipeline.check(synth).reports)
    total = counting.last.misses
    assert total == 27 and counting.last.hits == 0  # 3 articles x 9 statements, all checked the first time
    assert repr(pipeline.check(synth).reports) == before
    assert (counting.last.hits, counting.last.misses) == (27, 0)  # nothing changed: nothing checked again
    _, linking = linked_claim(synth)
    EDITS[kind](synth)
    got = repr(pipeline.check(load_settings(synth.root)).reports)
    rechecked = counting.last.misses
    assert got != before, f"the {kind} edit changed no report"
    assert got == clean_check(synth, tmp_path / "clean")
    if kind == "statement":
        assert rechecked == 1
    elif kind == "review":
        assert 0 < rechecked < total
    else:  # the statements linked to the claim (or its study), plus those sharing a pooled comparison with it
        assert linking <= rechecked < total


def test_a_build_uses_the_memo_and_its_database_equals_a_clean_one(synth, tmp_path, counting):
    from evidence.load.database import stored_digest

    pipeline.build(synth)
    edit_claim(synth)
    pipeline.build(load_settings(synth.root))
    assert counting.last.hits > 0
    clean = tmp_path / "clean"
    clean_check(synth, clean)
    pipeline.build(load_settings(clean))
    assert stored_digest(synth.db_path) == stored_digest(load_settings(clean).db_path) is not None


def test_a_new_toolkit_version_checks_every_statement_again(synth, counting, monkeypatch):
    pipeline.check(synth)
    monkeypatch.setattr(memo_module, "RULES_VERSION", "another-version")
    again = repr(pipeline.check(synth).reports)
    assert (counting.last.hits, counting.last.misses) == (0, 27)
    monkeypatch.undo()
    assert repr(pipeline.check(synth).reports) == again


def test_a_damaged_store_is_only_a_full_check(synth, counting):
    want = repr(pipeline.check(synth).reports)
    store = pipeline.check_cache_dir(synth) / "statements.json"
    assert store.is_file()
    store.write_text("{not json", encoding="utf-8")
    assert repr(pipeline.check(synth).reports) == want
    assert counting.last.misses == 27


def test_the_rules_version_covers_the_check_code():
    """A changed rule (any check, synthesis or validate module) must change the version every digest includes."""
    sources = {p.relative_to(memo_module._PACKAGE).as_posix() for folder in memo_module._RULE_SOURCES
               for p in (memo_module._PACKAGE / folder).glob("*.py")}
    assert {"check/verdicts.py", "check/rubric.py", "check/report.py", "synthesis/certainty.py"} <= sources
