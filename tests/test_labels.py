"""A workspace names its own vocabularies (``[labels]`` in evidence.toml), and a workspace without a
condition vocabulary shows no condition pages, headings or menu entry (issue 8, the general model)."""

from __future__ import annotations

import csv
import io
import re

from evidence import pipeline
from evidence.workspace import Labels, load_settings

from .conftest import REPO, append, write


def without_conditions(ws):
    """The starter workspace with an empty condition vocabulary and no claim naming a condition."""
    header = (ws.root / "references/scar_types.csv").read_text(encoding="utf-8").splitlines()[0]
    write(ws, "references/scar_types.csv", header + "\n")
    text = (ws.root / "references/claims.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "scar_type": ""})
    write(ws, "references/claims.csv", out.getvalue())
    return load_settings(ws.root)


def test_default_labels_speak_of_interventions_and_conditions(ws):
    assert load_settings(ws.root).labels == Labels("Intervention", "Interventions", "Condition", "Conditions")
    pipeline.publish(ws)
    index = (ws.site_dir / "index.html").read_text(encoding="utf-8")
    matrix = (ws.site_dir / "matrix.html").read_text(encoding="utf-8")
    assert '<h2 id="treatments-h">Interventions</h2>' in index and '<h2 id="conditions-h">Conditions</h2>' in index
    assert "<h1>Intervention × condition</h1>" in matrix
    for page in (index, matrix):  # the chrome and the packaged queries' titles; the starter's own data aside
        assert "Scar type" not in page and "scar type" not in page and "Treatment ×" not in page


def test_a_workspace_names_its_vocabularies_in_evidence_toml(ws):
    append(ws, "evidence.toml", '\n[labels]\nintervention = "Therapy"\ninterventions = "Therapies"\n'
                                'condition = "Skin concern"\nconditions = "Skin concerns"\n')
    settings = load_settings(ws.root)
    pipeline.publish(settings)
    index = (settings.site_dir / "index.html").read_text(encoding="utf-8")
    matrix = (settings.site_dir / "matrix.html").read_text(encoding="utf-8")
    assert '<h2 id="treatments-h">Therapies</h2>' in index and '<h2 id="conditions-h">Skin concerns</h2>' in index
    assert "<h1>Therapy × skin concern</h1>" in matrix and ">Therapy × skin concern</a>" in index
    treatment_pages = sorted((settings.site_dir / "treatments").glob("*.html"))
    assert treatment_pages and all("Skin concern" in p.read_text(encoding="utf-8") for p in treatment_pages
                                   if "<table" in p.read_text(encoding="utf-8"))


def test_a_label_edit_rerenders_the_pages_that_print_it(ws):
    pipeline.publish(ws)
    append(ws, "evidence.toml", '\n[labels]\nconditions = "Skin concerns"\n')
    pipeline.render(load_settings(ws.root))
    assert '<h2 id="conditions-h">Skin concerns</h2>' in (ws.site_dir / "index.html").read_text(encoding="utf-8")


def test_a_workspace_without_a_condition_vocabulary_has_no_condition_pages(ws):
    settings = without_conditions(ws)
    pipeline.publish(settings)
    site = settings.site_dir
    index = (site / "index.html").read_text(encoding="utf-8")
    assert not (site / "matrix.html").exists() and not list(site.glob("conditions/*.html"))
    matrix_link = re.compile(r'href="(\.\./)*matrix\.html"')
    assert 'id="conditions-h"' not in index and not matrix_link.search(index)
    assert not [p for p in site.rglob("*.html") if matrix_link.search(p.read_text(encoding="utf-8"))]


def test_a_bad_label_is_an_error_with_its_line(ws, cli):
    append(ws, "evidence.toml", '\n[labels]\ncondition = ""\nconditons = "Conditions"\n')
    result = cli(ws, "build")
    lines = (ws.root / "evidence.toml").read_text(encoding="utf-8").splitlines()
    assert result.exit_code == 2
    line = lines.index('condition = ""') + 1
    assert f"evidence.toml:{line}:" in result.output
    assert "a label must be 1 to 60 characters" in result.output
    assert "did you mean 'condition'?" in result.output or "did you mean 'conditions'?" in result.output


def test_the_shipped_workspace_keeps_its_wording_through_its_settings():
    assert load_settings(REPO).labels == Labels("Treatment", "Treatments", "Scar type", "Scar types")


def test_comparators_are_listed_apart_from_the_interventions(ws):
    """Placebo, no treatment and baseline are what an intervention is compared with, never an intervention."""
    pipeline.publish(ws)
    index = (ws.site_dir / "index.html").read_text(encoding="utf-8")
    interventions = index.split('id="treatments-h"', 1)[1].split("</section>", 1)[0]
    comparators = index.split('id="comparators-h"', 1)[1].split("</section>", 1)[0]
    for control in ("Placebo", "Baseline", "No treatment"):  # the old treatments.csv's controls, read as comparators
        assert f">{control}" not in interventions and f"<li>{control}" in comparators
    assert 'treatments/' in interventions  # the real interventions are still listed there
    # a comparator has no page of its own, and is no row of the matrix
    assert not [p for p in ("placebo", "baseline", "no_treatment") if (ws.site_dir / f"treatments/{p}.html").exists()]
    assert "No treatment" not in (ws.site_dir / "matrix.html").read_text(encoding="utf-8")
