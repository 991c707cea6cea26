"""A general model: nothing in the package is about one topic, a new workspace speaks of interventions
and conditions, and a workspace in the first format (treatments.csv, scar_types.csv, the claims column
scar_type) builds exactly as the same workspace in the neutral format does."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from evidence import pipeline
from evidence.cli import main
from evidence.old_names import OLD_COLUMNS, OLD_FILES, OLD_QUERIES
from evidence.load.database import stored_digest
from evidence.workspace import load_settings

from .conftest import REPO, write

# "acne", and "scar" at the start of a word or after an underscore: scars, scarring, scar_type
# (not "miscarriage" or "Oscar", which a general health tool may well print)
TOPIC = re.compile(r"acne|(?<![a-z])scar", re.I)
# the only place the first format's names may stand: the aliases that keep old workspaces building
ALIASES = REPO / "evidence" / "old_names.py"
ALIAS_TOKENS = {"scar_types.csv", "scar_type", "scar_type_evidence", "treatment_scar_matrix", "scar_types"}


def _hits(text: str) -> list[str]:
    return [text[max(0, m.start() - 30):m.end() + 30].replace("\n", " ") for m in TOPIC.finditer(text)]


def test_nothing_in_the_package_templates_or_queries_is_about_one_topic():
    hits = []
    for folder in ("evidence", "site_templates", "queries"):
        for path in sorted((REPO / folder).rglob("*")):
            if not path.is_file() or path == ALIASES or "__pycache__" in path.parts:
                continue
            text = path.read_bytes().decode("utf-8", errors="replace")
            hits += [f"{path.relative_to(REPO)}: ...{h}..." for h in _hits(text)]
    assert hits == []


def test_the_old_names_module_holds_only_the_old_names():
    """The exemption above covers the aliases and nothing else: every topic word in that module is one of
    the first format's file, column or query names, and each of them is really used as an alias."""
    text = ALIASES.read_text(encoding="utf-8")
    tokens = set(re.findall(r"[\w.]*(?:acne|scar)[\w.]*", text, re.I))
    assert tokens and tokens <= ALIAS_TOKENS, tokens - ALIAS_TOKENS
    used = set(OLD_FILES.values()) | set(OLD_COLUMNS.values()) | set(OLD_QUERIES) | {
        c for q in OLD_QUERIES.values() for c in q.columns.values()}
    assert {t for t in tokens} <= used | {"scar_types"}


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    yield prefix
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))
        else:
            yield prefix + (name,)


def test_no_help_text_is_about_one_topic():
    runner = CliRunner()
    helps = {}
    for path in _commands(main):
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, path
        helps[" ".join(path) or "evidence"] = result.output
    assert len(helps) > 15 and {"query", "article add", "claims suggest", "init"} <= set(helps)
    assert {name: _hits(text) for name, text in helps.items() if _hits(text)} == {}


# A short article written for this test (not a real publication): a general health topic, with no
# citation, study or number invented; the one figure is the WHO's published recommendation.
ARTICLE = """# Moving more for your heart

Regular physical activity is one of the simplest ways to look after your heart. The World Health
Organization recommends that adults do at least 150 minutes of moderate-intensity aerobic physical
activity a week. Studies have found that regular exercise lowers blood pressure.

## Before you start

- Talk to your doctor before starting a new exercise programme if you have a heart condition.
"""


def test_a_new_workspace_takes_an_article_on_another_topic_to_a_site_that_never_mentions_scars(tmp_path):
    """The issue's first "done means": init, article add, todo, publish on a topic far from the shipped
    one; neither the output nor any file of the workspace or its site speaks of acne or scars."""
    runner = CliRunner()
    root = tmp_path / "w"
    outputs = []

    def run(*args: str):
        result = runner.invoke(main, ["-w", str(root), *args], catch_exceptions=False)
        outputs.append(result.output)
        return result

    init = runner.invoke(main, ["init", str(root)], catch_exceptions=False)
    outputs.append(init.output)
    assert init.exit_code == 0
    draft = tmp_path / "moving-more.md"
    draft.write_text(ARTICLE, encoding="utf-8")
    added = run("article", "add", str(draft), "--slug", "moving-more", "--outlet", "Test desk",
                "--published", "2025-01-01")
    assert added.exit_code == 0 and "registered" in added.output
    todo = run("todo")
    assert todo.exit_code == 1  # statements with no evidence yet: blocking
    assert "Statements with no evidence" in todo.output
    published = run("publish")
    assert published.exit_code == 0
    site = load_settings(root).site_dir
    assert (site / "articles" / "moving-more.html").is_file()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert ">Interventions</h2>" in index and ">Comparators</h2>" in index and "<li>Placebo (" in index
    assert not (site / "matrix.html").exists()  # no condition vocabulary yet: no matrix, no condition pages
    assert not list((site / "treatments").glob("*.html"))  # the starter's comparators have no pages
    assert [h for out in outputs for h in _hits(out)] == []
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) > 40
    hits = [f"{p.relative_to(root)}: {h}" for p in files for h in _hits(p.read_bytes().decode("latin-1"))]
    assert hits == []


def _copy_shipped(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("evidence.toml", "references", "articles"):
        src = REPO / name
        shutil.copytree(src, target / name) if src.is_dir() else shutil.copy(src, target / name)
    return target


def _to_new_format(root: Path) -> None:
    """Rewrite a first-format workspace in the neutral format, as an editor would migrate it."""
    refs = root / "references"
    rows = list(csv.DictReader(io.StringIO((refs / OLD_FILES["interventions.csv"]).read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, ["id", "label", "kind", "parent", "synonyms", "description"], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        comparator = row["id"] in ("no_treatment", "placebo", "baseline")
        writer.writerow({**row, "kind": "comparator" if comparator else "intervention"})
    (refs / "interventions.csv").write_text(out.getvalue(), encoding="utf-8")
    (refs / OLD_FILES["interventions.csv"]).unlink()
    (refs / OLD_FILES["conditions.csv"]).rename(refs / "conditions.csv")
    claims = (refs / "claims.csv").read_text(encoding="utf-8")
    header, rest = claims.split("\n", 1)
    cells = header.split(",")
    assert OLD_COLUMNS["condition"] in cells
    (refs / "claims.csv").write_text(
        ",".join("condition" if c == OLD_COLUMNS["condition"] else c for c in cells) + "\n" + rest, encoding="utf-8")


@pytest.fixture(scope="module")
def both_formats(tmp_path_factory):
    old = _copy_shipped(tmp_path_factory.mktemp("old") / "ws")
    new = _copy_shipped(tmp_path_factory.mktemp("new") / "ws")
    _to_new_format(new)
    return load_settings(old), load_settings(new)


def test_the_shipped_workspace_is_in_the_first_format_and_builds_with_its_verdicts(both_formats):
    old, _ = both_formats
    assert (old.root / "references" / OLD_FILES["interventions.csv"]).is_file()
    result = CliRunner().invoke(main, ["-w", str(old.root), "check", "--format", "json"], catch_exceptions=False)
    verdicts = Counter(s["verdict"] for a in json.loads(result.output)["articles"] for s in a["statements"])
    # the counts recorded before the model became general (issue 8): unchanged
    assert verdicts == {"supported": 35, "partly_supported": 31, "overstated": 13, "contradicted": 3,
                        "not_checkable": 16}


def _site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_old_and_new_formats_give_the_same_verdicts_and_identical_sites(both_formats):
    """Every page, CSV, Parquet and JSON file is byte-identical; the DuckDB download holds the same rows
    (DuckDB stamps a random identifier into each new file, so its bytes are compared by content digest)."""
    runner = CliRunner()
    checks, sites, databases = [], [], []
    for settings in both_formats:
        result = runner.invoke(main, ["-w", str(settings.root), "check", "--format", "json"], catch_exceptions=False)
        checks.append(json.loads(result.output))
        pipeline.publish(settings)
        files = _site_files(settings.site_dir)
        databases.append(stored_digest(settings.site_dir / "downloads" / "evidence.duckdb"))
        files.pop("downloads/evidence.duckdb")
        sites.append(files)
    assert checks[0] == checks[1] and len(checks[0]["articles"][0]["statements"]) == 98
    assert len(sites[0]) > 200 and sites[0].keys() == sites[1].keys()
    assert [name for name in sites[0] if sites[0][name] != sites[1][name]] == []
    assert databases[0] is not None and databases[0] == databases[1]
    new = both_formats[1]
    assert (new.site_dir / "conditions" / "atrophic.html").is_file()
    assert not (new.site_dir / "treatments" / "placebo.html").exists()


def test_an_old_and_a_new_vocabulary_file_side_by_side_is_an_error_naming_the_fix(ws, cli):
    shutil.copy(ws.root / "references" / OLD_FILES["conditions.csv"], ws.root / "references" / "conditions.csv")
    before = sorted(p.name for p in ws.root.rglob("*"))
    result = cli(ws, "build")
    assert result.exit_code == 2
    old = f"references/{OLD_FILES['conditions.csv']}"
    assert f"{old}:1: [old-and-new-file] both references/conditions.csv and its old name {old} exist" in result.output
    assert f"merge the rows of {old} into references/conditions.csv and delete {old}" in result.output
    assert sorted(p.name for p in ws.root.rglob("*")) == before  # nothing written


def test_an_old_and_a_new_claims_column_side_by_side_is_an_error(ws, cli):
    path = ws.root / "references" / "claims.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    write(ws, "references/claims.csv", "\n".join([lines[0] + ",condition", *(l + "," for l in lines[1:])]) + "\n")
    result = cli(ws, "build")
    assert result.exit_code == 2
    assert (f"references/claims.csv:1: [old-and-new-column] the header has both 'condition' and its old name "
            f"'{OLD_COLUMNS['condition']}'") in result.output


def test_a_comparator_kind_keeps_a_term_out_of_the_interventions(ws, cli):
    """In the neutral format any term can be a comparator (`kind`), and a bad kind is an error at its line."""
    old = ws.root / "references" / OLD_FILES["interventions.csv"]
    rows = list(csv.DictReader(io.StringIO(old.read_text(encoding="utf-8"))))
    old.unlink()
    lines = ["id,label,kind,parent,synonyms,description"]
    lines += [f"{r['id']},{r['label']},{'comparator' if r['id'] == 'laser' else ''},{r['parent']},," for r in rows]
    write(ws, "references/interventions.csv", "\n".join(lines) + "\n")
    assert cli(ws, "publish").exit_code == 0
    site = ws.site_dir
    assert not (site / "treatments" / "laser.html").exists() and not (site / "treatments" / "placebo.html").exists()
    assert (site / "treatments" / "subcision.html").is_file()
    comparators = (site / "index.html").read_text(encoding="utf-8").split('id="comparators-h"', 1)[1]
    assert "<li>Laser and light treatments (" in comparators.split("</section>", 1)[0]
    write(ws, "references/interventions.csv", "\n".join([*lines[:2], lines[2].replace(",,", ",control,", 1)]) + "\n")
    result = cli(ws, "build")
    assert result.exit_code == 2 and "references/interventions.csv:3: [bad-kind] kind 'control' is not allowed" in result.output
