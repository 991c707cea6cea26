"""The build's own shortcuts give exactly what a clean build gives (not timed: correctness only).

Three shortcuts are checked here: an unchanged workspace keeps its database (``load/receipt.py``),
each body of evidence's certainty is remembered by a digest of its rows (``synthesis/memo.py``), and
parsed CSV tables come from the parse cache. After each kind of edit, a build that starts from the
previous build's database and caches must hold the same rows in every table as a clean build of a
fresh copy with nothing derived; a database someone else replaced, touched or edited is rebuilt,
never trusted. The workspace is the benchmark's synthetic one (``bench/generate.py``), small.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from evidence import pipeline
from evidence.errors import InputError
from evidence.load.receipt import receipt_path
from evidence.workspace import Settings, load_settings

INPUTS = ("evidence.toml", "references", "articles")
CLAIMS, STUDIES = "references/claims.csv", "references/studies.csv"


@pytest.fixture
def synth(tmp_path: Path) -> Settings:
    from bench.generate import generate

    return generate(tmp_path / "ws", studies=30, claims=240, articles=3, statements=9)


def tables(db: Path) -> dict[str, str]:
    """Every table's rows in order, as text (so NaN equals NaN and lists compare as printed)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()]
        return {name: repr(con.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()) for name in names}
    finally:
        con.close()


def clean_build(settings: Settings, target: Path) -> dict[str, str]:
    target.mkdir()
    for name in INPUTS:
        src = settings.root / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, target / name)
    clean = load_settings(target)
    pipeline.build(clean)
    return tables(clean.db_path)


def lines_of(settings: Settings, rel: str) -> list[str]:
    return (settings.root / rel).read_text(encoding="utf-8").splitlines(keepends=True)


def edit_row(settings: Settings, rel: str, row: int, column: str, value: str) -> None:
    """Set one cell of one data row (``row`` 1 = the first data row); the generated files hold no quoted commas."""
    text = lines_of(settings, rel)
    header = text[0].rstrip("\n").split(",")
    cells = text[row].rstrip("\n").split(",")
    cells[header.index(column)] = value
    text[row] = ",".join(cells) + "\n"
    (settings.root / rel).write_text("".join(text), encoding="utf-8")


def delete_row(settings: Settings, rel: str, row: int) -> None:
    text = lines_of(settings, rel)
    del text[row]
    (settings.root / rel).write_text("".join(text), encoding="utf-8")


def delete_unlinked_claim(settings: Settings) -> None:
    linked = "".join(p.read_text(encoding="utf-8") for p in settings.articles_dir.glob("*.links.csv"))
    text = lines_of(settings, CLAIMS)
    row = next(i for i in range(1, len(text)) if f",{text[i].split(',')[0]}," not in linked)
    delete_row(settings, CLAIMS, row)


def multi_line_cell(settings: Settings, rel: str, row: int) -> None:
    """A quoted summary over two lines and a padded cell: the reader's line numbers and stripping."""
    text = lines_of(settings, rel)
    text[row] = text[row].replace("Synthetic finding.", '"Synthetic finding,\nover two lines."', 1)
    text[row] = text[row].replace(",Abstract,", ",  Abstract  ,", 1)
    (settings.root / rel).write_text("".join(text), encoding="utf-8")


EDITS = {
    "claim text": lambda s: edit_row(s, CLAIMS, 1, "summary", "Synthetic finding (edited)."),
    "claim verified": lambda s: edit_row(s, CLAIMS, 3, "status", "verified"),
    "claim value": lambda s: edit_row(s, CLAIMS, 5, "value", "12.5"),
    "claim moved to another body": lambda s: edit_row(s, CLAIMS, 7, "outcome", "downtime"),
    "claim deleted": delete_unlinked_claim,
    "claim over two lines": lambda s: multi_line_cell(s, CLAIMS, 4),
    "study design": lambda s: edit_row(s, STUDIES, 1, "design", "rct"),
    "study at high risk": lambda s: (edit_row(s, STUDIES, 2, "risk_of_bias", "high"),
                                     edit_row(s, STUDIES, 2, "risk_of_bias_reason", "no blinding")),
    "statement": lambda s: edit_row(s, "articles/synthetic-1.statements.csv", 2, "kind", "opinion"),
    "link": lambda s: delete_row(s, "articles/synthetic-0.links.csv", 1),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_an_incremental_build_holds_what_a_clean_build_holds_after_each_kind_of_edit(synth, tmp_path, kind):
    pipeline.build(synth)
    before = tables(synth.db_path)
    EDITS[kind](synth)
    checked = pipeline.build(load_settings(synth.root))
    assert not isinstance(checked, pipeline.Reused), "an edited workspace must be built"
    got = tables(synth.db_path)
    assert got != before, f"the {kind} edit changed nothing in the database"
    assert got == clean_build(synth, tmp_path / "clean")


def _bodies(settings: Settings) -> set[str]:
    import json

    return set(json.loads((settings.root / ".evidence-cache" / "synthesis" / "certainty.json").read_text())["bodies"])


@pytest.mark.parametrize("kind", ["claim verified", "claim deleted"])
def test_certainty_is_graded_again_only_for_the_body_an_edit_touches(synth, kind):
    """One claim edited (or a row deleted, which moves every row below it) gives one body a new key; every
    other body's result comes from the memo, and each row equals a fresh grading of its claims."""
    from evidence.synthesis.body import claim_records, outcome_certainty

    pipeline.build(synth)
    before = _bodies(synth)
    assert len(before) > 2
    EDITS[kind](synth)
    checked = pipeline.build(load_settings(synth.root))
    after = _bodies(synth)
    assert len(after - before) == 1 and len(after) == len(before)
    rows = outcome_certainty(checked.workspace, checked.synthesis)
    records = claim_records(checked.workspace)
    for row in rows.itertuples():
        claims = [r for r in records if r["treatment"] == row.treatment and r["outcome"] == row.outcome]
        fresh = checked.synthesis.grade(claims)  # graded from scratch, no memo
        assert (row.certainty, list(row.reasons)) == (fresh.level, list(fresh.reasons))


def test_an_unchanged_workspace_keeps_its_database_byte_for_byte_and_reports_the_same(synth):
    checked = pipeline.build(synth)
    data, stat = synth.db_path.read_bytes(), synth.db_path.stat()
    again = pipeline.build(load_settings(synth.root))
    assert isinstance(again, pipeline.Reused)
    assert synth.db_path.read_bytes() == data and synth.db_path.stat().st_mtime_ns == stat.st_mtime_ns
    assert again.warnings == checked.warnings and again.counts() == checked.counts()
    assert again.article_counts() == checked.article_counts()
    assert [r.article.slug for r in again.reports] == [r.article.slug for r in checked.reports]  # analysed on demand


def test_an_unchanged_workspace_with_warnings_reports_them_again(synth):
    edit_row(synth, "articles/synthetic-0.links.csv", 1, "relation", "")  # a pending link: a warning, not an error
    checked = pipeline.build(synth)
    again = pipeline.build(load_settings(synth.root))
    assert isinstance(again, pipeline.Reused)
    assert [p.code for p in checked.warnings] == ["pending-link"] and again.warnings == checked.warnings


def _replace_with_other_database(settings: Settings, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    for name in INPUTS:
        src = settings.root / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, other / name)
    delete_unlinked_claim(load_settings(other))
    pipeline.build(load_settings(other))
    shutil.copy(other / "evidence.duckdb", settings.db_path)


def _copied_over_itself(settings: Settings, tmp_path: Path) -> None:
    """Same bytes, but a new file (another inode and time): not provably the one the build wrote."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy2(settings.db_path, copy)
    os.replace(copy, settings.db_path)


def _touched(settings: Settings, tmp_path: Path) -> None:
    st = settings.db_path.stat()
    os.utime(settings.db_path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _edited_in_place(settings: Settings, tmp_path: Path) -> None:
    """Bytes changed inside the file with its size and time put back: only the digest can tell."""
    st = settings.db_path.stat()
    con = duckdb.connect(str(settings.db_path))
    con.execute("UPDATE claims SET summary = 'changed by hand' WHERE rowid = 0")
    con.execute("CHECKPOINT")
    con.close()
    with settings.db_path.open("r+b") as fh:
        fh.truncate(st.st_size)
    os.utime(settings.db_path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize("tamper", [_replace_with_other_database, _copied_over_itself, _touched, _edited_in_place])
def test_a_database_replaced_or_touched_by_someone_else_is_rebuilt_never_trusted(synth, tmp_path, tamper):
    pipeline.build(synth)
    want = tables(synth.db_path)
    tamper(synth, tmp_path)
    checked = pipeline.build(load_settings(synth.root))
    assert not isinstance(checked, pipeline.Reused)
    assert tables(synth.db_path) == want
    assert isinstance(pipeline.build(load_settings(synth.root)), pipeline.Reused)  # and trusted again after that


def test_a_broken_or_missing_receipt_means_a_full_build(synth):
    pipeline.build(synth)
    receipt_path(synth).write_text("{not json", encoding="utf-8")
    assert not isinstance(pipeline.build(synth), pipeline.Reused)
    receipt_path(synth).unlink()
    assert not isinstance(pipeline.build(synth), pipeline.Reused)
    assert isinstance(pipeline.build(synth), pipeline.Reused)


def test_a_failed_build_leaves_the_database_and_its_receipt_as_they_were(synth):
    pipeline.build(synth)
    good, receipt = synth.db_path.read_bytes(), receipt_path(synth).read_bytes()
    edit_row(synth, CLAIMS, 1, "outcome", "not-an-outcome")
    with pytest.raises(InputError):
        pipeline.build(synth)
    assert synth.db_path.read_bytes() == good and receipt_path(synth).read_bytes() == receipt
    edit_row(synth, CLAIMS, 1, "outcome", "efficacy")  # back to the inputs the database was built from
    assert isinstance(pipeline.build(synth), pipeline.Reused) and synth.db_path.read_bytes() == good


def test_a_symlink_among_the_inputs_is_never_judged_by_the_receipt(synth, tmp_path):
    pipeline.build(synth)
    outside = tmp_path / "outside.md"
    outside.write_text("# not part of the workspace\n", encoding="utf-8")
    (synth.articles_dir / "linked.md").symlink_to(outside)
    with pytest.raises(InputError):  # the full build refuses the symlink, as it always did
        pipeline.build(synth)
