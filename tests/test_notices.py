"""A retracted study shows up where it matters: `evidence check` flags every statement resting on
it, and the `references_with_notices` query lists it — end to end through `evidence resolve`
against a local server replaying a (synthetic, since no real recording exists) retraction."""

from __future__ import annotations

import json

from evidence import pipeline
from evidence.query.runner import discover, run_query
from evidence.resolve import api

from .conftest import write
from .test_resolve_support import RETRACTED_DOI, local_server, replay, srv, synthetic  # noqa: F401 (fixtures)


def test_statement_resting_on_a_retracted_study_is_flagged(ws, replay, cli):  # noqa: F811
    bib = (ws.root / "references/library.bib").read_text()
    write(ws, "references/library.bib", bib.replace("  pmid = {29344322},", f"  doi = {{{RETRACTED_DOI}}},\n  pmid = {{29344322}},"))
    server = replay.server
    toml = (ws.root / "evidence.toml").read_text().replace('mailto = ""', "\n".join([
        'mailto = "editor@example.org"', f'crossref_url = "{server.url_for("/crossref")}"',
        f'ncbi_url = "{server.url_for("/ncbi")}"', f'europepmc_url = "{server.url_for("/epmc")}"',
        'crossref_rate = "1000"', 'crossref_search_rate = "1000"', 'ncbi_rate = "1000"', 'europepmc_rate = "1000"']))
    write(ws, "evidence.toml", toml)
    replay.updates[RETRACTED_DOI] = synthetic("crossref_updates_retraction.synthetic.json").read_bytes()
    from evidence.workspace import load_settings

    settings = load_settings(ws.root)
    api.resolve(settings)

    (report,) = pipeline.check(settings).reports
    flagged = [p for p in report.problems if p.code == "rests-on-retracted"]
    assert flagged and flagged[0].severity == "error" and "S01" in flagged[0].message
    assert "2023-04-12" in flagged[0].message
    assert cli(settings, "check").exit_code == 1

    pipeline.build(settings)
    rows = run_query(settings.db_path, discover(settings.query_dirs)["references_with_notices"])
    assert list(rows["citekey"]) == ["connolly2017acne"]
    assert rows["notice"].iloc[0] == "retraction" and rows["statements"].iloc[0] == "S01"
    assert json.loads(cli(settings, "query", "references_with_notices", "--format", "json").output)[0]["date"] == "2023-04-12"
