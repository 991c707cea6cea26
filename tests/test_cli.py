"""Every command through the CLI: exit codes and output, against real workspace files."""

from __future__ import annotations

import io
import json

import pandas as pd

from .conftest import append, write


def test_build_then_query_list_and_formats(ws, cli):
    built = cli(ws, "build")
    assert built.exit_code == 0
    assert "built evidence.duckdb: 1 references, 1 studies, 1 claims, 2 statements" in built.output
    listed = cli(ws, "query", "--list")
    assert listed.exit_code == 0
    assert "intervention_evidence\tFor each intervention" in listed.output
    csv_out = cli(ws, "query", "statements_by_verdict", "--format", "csv")
    df = pd.read_csv(io.StringIO(csv_out.output))
    assert set(df["verdict"]) == {"supported", "not_checkable"}
    as_json = json.loads(cli(ws, "query", "statements_by_verdict", "--format", "json").output)
    assert {r["verdict"] for r in as_json} == {"supported", "not_checkable"}
    md = cli(ws, "query", "--sql", "SELECT claim_id, unit FROM claims", "--format", "markdown").output
    assert md.splitlines()[0] == "| claim_id | unit |" and "connolly2017acne-1" in md
    table = cli(ws, "query", "intervention_evidence", "--param", "intervention=subcision", "--format", "csv")
    assert table.exit_code == 0
    assert table.output.splitlines()[0].startswith("intervention,label,studies,designs")  # no subcision claim: header only
    assert len(table.output.splitlines()) == 1
    # the first format's query name, parameter and columns still work (old name = alias of the new one)
    old = cli(ws, "query", "treatment_evidence", "--param", "treatment=subcision", "--format", "csv")
    assert old.exit_code == 0 and old.output.splitlines() == [
        table.output.splitlines()[0].replace("intervention,", "treatment,").replace(",conditions,", ",scar_types,")]


def test_query_errors_exit_2(ws, cli):
    cli(ws, "build")
    unknown = cli(ws, "query", "no_such_query")
    assert unknown.exit_code == 2
    assert "no query named 'no_such_query'; `evidence query --list` shows them" in unknown.output
    refused = cli(ws, "query", "--sql", "SELECT * FROM read_csv('/etc/passwd')")
    assert refused.exit_code == 2
    assert "query refused or failed: Permission Error: Cannot access file \"/etc/passwd\" - file system operations " \
           "are disabled by configuration" in refused.output
    bogus = cli(ws, "query", "intervention_evidence", "--param", "bogus=1")
    assert bogus.exit_code == 2
    assert "query 'intervention_evidence' has no parameter bogus; it takes: intervention" in bogus.output


def test_query_before_build_says_what_to_do(ws, cli):
    result = cli(ws, "query", "--sql", "SELECT 1")
    assert result.exit_code == 1 and "evidence build" in result.output


def test_check_clean_article_exits_0_and_json_shape(ws, cli):
    result = cli(ws, "check", "example", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)["articles"][0]
    assert data["article"]["slug"] == "example"
    s01 = data["statements"][0]
    assert {"id", "quote", "verdict", "strength", "reasons", "claims"} <= set(s01)
    assert s01["verdict"] == "supported" and s01["claims"] == ["connolly2017acne-1"]
    assert data["problems"] == []


def test_check_blocks_on_unsupported_statement_and_names_it(ws, cli):
    append(ws, "articles/example.statements.csv", "S03,\"Most acne scars are atrophic, the sunken kind.\",claim,,,,,,\n")
    write(ws, "articles/example.statements.csv",
          (ws.root / "articles/example.statements.csv").read_text().replace(
              "S03,\"Most acne scars are atrophic, the sunken kind.\"", "S03,See your dermatologist.").replace(
              "S02,See your dermatologist.,advice", "S02,the sunken kind,claim"))
    result = cli(ws, "check", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.output)["articles"][0]["problems"]
    blocking = [p for p in problems if p["code"] == "no-evidence"]
    assert blocking and {"file", "line", "code", "message", "hint"} <= set(blocking[0])
    assert blocking[0]["file"] == "articles/example.statements.csv"


def test_check_blocks_on_citation_to_unknown_reference(ws, cli):
    text = (ws.root / "articles/example.statements.csv").read_text().replace(",connolly2017acne,", ",nobody2020x,")
    write(ws, "articles/example.statements.csv", text)
    result = cli(ws, "check")
    assert result.exit_code == 1 and "nobody2020x" in result.output


def test_check_unknown_article_exits_2(ws, cli):
    result = cli(ws, "check", "nope")
    assert result.exit_code == 2
    assert "articles/: [unknown-article] no article with slug 'nope'; known articles: example" in result.output


def test_text_report_lists_verdicts_and_reasons(ws, cli):
    out = cli(ws, "check").output
    assert "S01 SUPPORTED (certainty: very low)" in out
    assert "connolly2017acne-1 (narrative review)" in out


def test_publish_builds_site_even_when_article_has_blocking_problems(ws, cli):
    text = (ws.root / "articles/example.links.csv").read_text().splitlines()[0] + "\n"
    write(ws, "articles/example.links.csv", text)  # S01 now has no evidence
    result = cli(ws, "publish")
    assert result.exit_code == 0
    assert "1 blocking problem" in result.output
    assert (ws.root / "site/index.html").is_file() and ws.db_path.is_file()


def test_publish_with_bad_input_exits_2_and_keeps_the_old_site(ws, cli):
    assert cli(ws, "publish").exit_code == 0
    before = (ws.root / "site/articles/example.html").read_bytes()
    append(ws, "references/claims.csv", "x-1,nobody,,,,efficacy,,,,,,,,,,,,,,,q,Abstract,,verified,s\n")
    assert cli(ws, "publish").exit_code == 2
    assert (ws.root / "site/articles/example.html").read_bytes() == before


def test_site_output_option(ws, cli, tmp_path):
    cli(ws, "build")
    result = cli(ws, "site", "--output", str(tmp_path / "out"))
    assert result.exit_code == 0 and (tmp_path / "out/index.html").is_file()


def test_init_creates_a_workspace_that_builds_and_refuses_to_overwrite(tmp_path, cli):
    from click.testing import CliRunner

    from evidence.cli import main

    runner = CliRunner()
    created = runner.invoke(main, ["init", str(tmp_path / "new")])
    assert created.exit_code == 0 and f"created a workspace in {tmp_path / 'new'}" in created.output
    assert cli(tmp_path / "new", "build").exit_code == 0 and (tmp_path / "new" / "evidence.duckdb").is_file()
    toml = (tmp_path / "new" / "evidence.toml").read_bytes()
    again = runner.invoke(main, ["init", str(tmp_path / "new")])
    assert again.exit_code == 2 and "[workspace-exists] a workspace already exists here" in again.output
    assert (tmp_path / "new" / "evidence.toml").read_bytes() == toml


def test_no_workspace_is_a_clear_error(tmp_path, cli):
    result = cli(tmp_path, "build")
    assert result.exit_code == 2 and "evidence init" in result.output


def test_bad_config_key_is_reported(ws, cli):
    append(ws, "evidence.toml", "\n[site2]\nx = 1\n")
    line = (ws.root / "evidence.toml").read_text().splitlines().index("[site2]") + 1
    result = cli(ws, "build")
    assert result.exit_code == 2 and f"evidence.toml:{line}: [unknown-setting] unknown section [site2]" in result.output
    write(ws, "evidence.toml", (ws.root / "evidence.toml").read_text().replace("[site2]\nx = 1\n", "").replace(
        "base_url", "baseurl"))
    result = cli(ws, "build")
    assert "evidence.toml:3: [unknown-setting] unknown key site.baseurl; did you mean 'base_url'?" in result.output


def test_progress_is_quiet_when_not_a_terminal(ws, cli):
    result = cli(ws, "publish")
    assert result.exit_code == 0
    assert "━" not in result.output and "\r" not in result.output
