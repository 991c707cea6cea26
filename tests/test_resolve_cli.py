"""The reference commands in-process (click's CliRunner) on real workspace files, with the
services redirected by the documented environment variables: output and exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from evidence.cli import main as cli  # the real `evidence` command (pyproject: evidence = "evidence.cli:main")

from .test_resolve_support import (PONE, external, local_server, replay, srv, write_workspace)  # noqa: F401

from .conftest import minimal_workspace

BIB = """@article{sadasivan2012wrong,
  author = {Sadasivan, Shankar and Pond, Brooks B. and Pani, Amar K. and Qu, Chunxu and Jiao, Yun and Smeyne, Richard J.},
  title = {Topical retinoids for atrophic acne scars},
  journal = {PLoS ONE},
  year = {2012},
  doi = {10.1371/journal.pone.0033693}
}
"""


@pytest.fixture
def run(tmp_path, replay):
    write_workspace(tmp_path, BIB)
    replay.crossref_file(PONE, "crossref/habanero/derived/works_10.1371_journal.pone.0033693.200.json")
    env = {"EVIDENCE_CROSSREF_URL": replay.server.url_for("/crossref"),
           "EVIDENCE_NCBI_URL": replay.server.url_for("/ncbi"),
           "EVIDENCE_EUROPEPMC_URL": replay.server.url_for("/epmc"), "NCBI_API_KEY": ""}

    def invoke(*args: str):
        return CliRunner(env=env).invoke(cli, ["-w", str(tmp_path), *args], catch_exceptions=False)
    invoke.root = tmp_path  # type: ignore[attr-defined]
    invoke.replay = replay  # type: ignore[attr-defined]
    return invoke


def test_resolve_then_verify_text_and_json(run):
    result = run("resolve")
    assert result.exit_code == 0, result.output
    assert "1 references, 1 with an identifier; 3 answers: 2 fetched, 0 cached, 1 not found, 0 failed" in result.output
    text = run("verify")
    assert text.exit_code == 1  # a mismatch and a correction need an editor
    assert ("title: library 'Topical retinoids for atrophic acne scars' / crossref 'Methylphenidate Exposure"
            in text.output)
    assert "notice: correction 2012-05-08 doi 10.1371/annotation/" in text.output
    data = json.loads(run("verify", "--format", "json").stdout)
    (ref,) = data["references"]
    assert ref["citekey"] == "sadasivan2012wrong" and ref["status"] == "notice"
    assert ref["mismatches"][0]["field"] == "title" and ref["notices"][0]["source"] == "crossref"
    again = run("resolve")
    assert "0 fetched, 3 cached" in again.output and "0 requests" in again.output


def test_offline_resolve_on_an_empty_cache(run):
    result = run("resolve", "--offline")
    assert result.exit_code == 0 and "3 not in the cache (offline)" in result.output
    assert run.replay.server.log == []
    both = run("resolve", "--offline", "--refresh")
    assert both.exit_code == 2 and "--offline and --refresh cannot be used together" in both.output


def test_add_bad_and_duplicate_identifiers_exit_2(run):
    bad = run("add", "doi:11.1/x")
    assert bad.exit_code == 2 and "a DOI starts with '10.'" in bad.output and "nothing was written" in bad.output
    dup = run("add", PONE)  # the library has this DOI
    assert dup.exit_code == 2 and "duplicates sadasivan2012wrong" in dup.output
    assert run.replay.server.log == []


def test_import_then_export(run, tmp_path):
    ris = external("medical-reflists/jabref/RisImporterTestDOI.ris")
    first = run("import", str(ris))
    assert first.exit_code == 0 and "added jung2016effect" in first.output
    second = run("import", str(ris))
    assert second.exit_code == 0 and "refused" in second.output and "duplicates jung2016effect" in second.output
    exported = run("export", "--format", "csljson")
    assert [item["id"] for item in json.loads(exported.output)] == ["sadasivan2012wrong", "jung2016effect"]
    out = tmp_path / "lib.ris"
    assert run("export", "--format", "ris", "-o", str(out)).exit_code == 0
    assert out.read_text().count("ER  - ") == 2


def test_verify_write_and_usage_errors(run):
    run("resolve")
    usage = run("verify", "--field", "pmid")
    assert usage.exit_code == 2 and "--field only makes sense with --write" in usage.output
    wrote = run("verify", "--write", "--field", "title")
    assert "wrote references/library.bib sadasivan2012wrong.title = Methylphenidate" in wrote.output
    assert "title = {Methylphenidate Exposure" in (run.root / "references" / "library.bib").read_text()


def test_match_command_matches_the_article_reference_list_with_scores(tmp_path, srv):  # noqa: F811
    """`evidence match` on the starter article: a printed PMID needs no search; a vague reference
    is searched on Crossref (the real recorded list answer) and flagged for an editor (exit 1)."""
    import json

    from evidence import pipeline
    from evidence.cli import main

    from .test_resolve_support import cassette_body

    ws = minimal_workspace(tmp_path / "ws")
    md = ws.root / "articles/example.md"
    md.write_text(md.read_text() + "2. Smith J. Acne scars and lasers. Dermatology. 2019.\n")
    toml = ws.root / "evidence.toml"
    toml.write_text(toml.read_text().replace('mailto = ""', f'mailto = "e@example.org"\ncrossref_url = "{srv.url_for("/crossref")}"'))
    srv.expect_request("/crossref/works").respond_with_data(
        cassette_body("crossref/habanero/test_prefixes_field_queries.yaml"), content_type="application/json")
    result = CliRunner().invoke(main, ["-w", str(ws.root), "match", "example", "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) == {"articles", "to_confirm"} and data["to_confirm"] == 1
    ((article),) = data["articles"]
    assert article["article"] == "example"
    (printed, vague) = article["references"]
    assert set(printed) == {"number", "doi", "pmid", "method", "score", "confirm", "title", "error"}
    assert (printed["number"], printed["pmid"], printed["method"], printed["confirm"]) == (1, "29344322", "printed-pmid", False)
    assert vague["method"] == "crossref-search" and vague["confirm"] is True and vague["score"] < 90
