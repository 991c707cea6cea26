"""The shipped acne-scar workspace is real and internally consistent."""

from __future__ import annotations

import csv
import re

import bibtexparser
import pytest

from evidence import pipeline
from evidence.identifiers import DOI_RE, PMCID_RE, PMID_RE

from .conftest import REPO


def rows(rel):
    with (REPO / rel).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def library():
    return bibtexparser.parse_file(str(REPO / "references/library.bib"))


def test_every_statement_quote_is_in_the_article_text():
    text = (REPO / "articles/acne-scars.md").read_text(encoding="utf-8")
    body = text.split("\n## References", 1)[0]
    statements = rows("articles/acne-scars.statements.csv")
    assert len(statements) >= 30
    missing = [s["statement_id"] for s in statements if s["quote"] not in body]
    assert missing == []


def test_every_claim_study_is_in_the_library_and_every_study_has_a_source(library):
    keys = {e.key for e in library.entries}
    studies = rows("references/studies.csv")
    assert len(studies) >= 25
    assert {s["citekey"] for s in studies} <= keys
    assert all(re.match(r"^https?://\S+$", s["source_url"]) for s in studies)
    claims = rows("references/claims.csv")
    assert {c["citekey"] for c in claims} <= {s["citekey"] for s in studies}
    assert all(c["quote"].strip() and c["locator"].strip() for c in claims)


def test_identifiers_have_valid_forms(library):
    assert not library.failed_blocks
    for entry in library.entries:
        fields = {f.key.lower(): str(f.value) for f in entry.fields}
        if "doi" in fields:
            assert DOI_RE.match(fields["doi"].lower()), (entry.key, fields["doi"])
        if "pmid" in fields:
            assert PMID_RE.match(fields["pmid"]), (entry.key, fields["pmid"])
        if "pmcid" in fields:
            assert PMCID_RE.match(fields["pmcid"]), (entry.key, fields["pmcid"])


def test_the_four_cited_references_are_in_the_library_and_matched(shipped):
    checked = pipeline.check(shipped, "acne-scars")
    (report,) = checked.reports
    assert [r.citekey for r in report.references] == ["mony2023updated", "zhou2023beyond", "lin2024modern",
                                                      "connolly2017acne"]
    defects = {r.number: {d.code for d in r.defects} for r in report.references}
    assert "malformed-volume" in defects[2] and "degenerate-page-range" in defects[1]


def test_readme_findings_table_matches_the_check(shipped):
    """The README's summary of verdicts is the tool's output, not a hand-written claim."""
    (report,) = pipeline.check(shipped, "acne-scars").reports
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for verdict, count in report.counts().items():
        assert f"| {verdict.replace('_', ' ')} | {count} |" in readme, verdict
    assert f"({len(report.statements)} statements" in readme


def test_readme_example_rows_are_real_rows_of_the_shipped_files():
    """The format documentation shows real data, never an invented row."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"Example \(a row of the shipped `([^`]+)`\):\n\n```csv\n(.*?)```", readme, re.S)
    assert len(examples) == 5
    for path, block in examples:
        header, row = list(csv.reader(block.splitlines()))
        shipped = list(csv.reader((REPO / path).read_text(encoding="utf-8").splitlines()))
        assert header == shipped[0], path
        assert row in shipped[1:], path
