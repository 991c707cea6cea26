"""``evidence find`` (issue 13.1-2) against a real local HTTP server that answers as NCBI does.

Records come from the real PubMed EFetch recordings in ../shared/external/pubmed/ (served
by :class:`Replay`); the ESearch answers are written for these tests (NCBI's JSON shape,
PMIDs of the recordings) and say so where they are built. ESummary answers are the real
recording (pubmed/biopython/esummary1.xml) for its two PMIDs; for the PMIDs of the EFetch
recordings (no ESummary of them was recorded) they are derived from the real EFetch
records by :func:`bench.ncbi_replay.docsum_from_efetch`, in the recording's legacy DocSum shape, and marked
so. Europe PMC's fallback answer is its real recorded core search. Nothing is patched: the
client is pointed at the server.
"""

from __future__ import annotations

import csv
import json
import socket

import pytest
from werkzeug import Request, Response

from bench.ncbi_replay import ESUMMARY_RECORDING, Summaries
from evidence import pipeline
from evidence.errors import InputError
from evidence.resolve.cache import cache_dir
from evidence.workflow.find import find, parse_designs
from evidence.workspace import load_settings

from .conftest import minimal_workspace
from .test_resolve_support import (FakeClock, Replay, client_for, external, local_server, replay,  # noqa: F401
                                   settings_for, srv)

RECORDS = {  # PMID -> real EFetch recording holding it
    "38909159": "pubmed/metapub/38909159.xml",  # Systematic Review, 2025
    "38763967": "pubmed/metapub/38763967.xml",  # Case Reports, 2024
    "35649368": "pubmed/metapub/35649368.xml",  # Journal Article with ErratumIn, 2022
    "38833988": "pubmed/metapub/38833988.xml",  # Published Erratum (itself a notice), 2024
    "29872490": "pubmed/jabref/MedlineImporterTestArticleItalics.xml",  # Journal Article, 2018
    "11748933": "pubmed/biopython/pubmed2.xml",  # Journal Article, 2001
}
RELEVANCE = ["11748933", "35649368", "38763967", "29872490", "38833988", "38909159"]


class NcbiSearch:
    """ESearch as NCBI answers it (``retmode=json``). The answers are written for these tests, not recorded."""

    def __init__(self, server, idlist):
        self.idlist = list(idlist)
        self.requests: list[dict[str, str]] = []
        self.status = 200
        server.expect_request("/ncbi/esearch.fcgi").respond_with_handler(self._esearch)

    def _esearch(self, request: Request) -> Response:
        self.requests.append(dict(request.args))
        if self.status != 200:
            return Response("<html><title>Internal Server Error</title></html>", status=self.status,
                            content_type="text/html")
        ids = self.idlist[: int(request.args.get("retmax", "20"))]
        # written for this test: the shape of a real ESearch JSON answer, with the recordings' PMIDs
        body = {"header": {"type": "esearch", "version": "0.3"},
                "esearchresult": {"count": str(len(self.idlist) + 120), "retmax": str(len(ids)), "retstart": "0",
                                  "idlist": ids, "translationset": [],
                                  "querytranslation": request.args.get("term", "")}}
        return Response(json.dumps(body), content_type="application/json; charset=UTF-8")


class NcbiSummary:
    """ESummary (legacy XML). Real DocSums of esummary1.xml for its PMIDs; for the EFetch recordings' PMIDs,
    DocSums derived from those records (:func:`bench.ncbi_replay.docsum_from_efetch`, marked there as not
    recorded). ``fault`` answers instead when set."""

    def __init__(self, server, efetch: dict[str, bytes]):
        self.recording = external(ESUMMARY_RECORDING).read_bytes()
        self.summaries = Summaries(self.recording, efetch.values())
        self.requests: list[dict[str, str]] = []
        self.fault = None
        server.expect_request("/ncbi/esummary.fcgi").respond_with_handler(self._esummary)

    def _esummary(self, request: Request) -> Response:
        self.requests.append(dict(request.args))
        if self.fault is not None:
            return self.fault(request)
        return Response(self.summaries.answer(request.args.get("id", "").split(",")),
                        content_type="text/xml; charset=UTF-8")


@pytest.fixture
def ncbi(replay):
    for pmid, rel in RECORDS.items():
        replay.pubmed[pmid] = external(rel).read_bytes()
    search = NcbiSearch(replay.server, RELEVANCE)
    search.summary = NcbiSummary(replay.server, replay.pubmed)
    return search


@pytest.fixture
def ws(tmp_path, replay):
    """A fresh workspace (``evidence init``) whose services point at the local server."""
    root = minimal_workspace(tmp_path / "ws").root
    text = (root / "evidence.toml").read_text(encoding="utf-8")
    table = settings_for(root, replay.server).resolve
    (root / "evidence.toml").write_text(text.split("[resolve]")[0] + "[resolve]\n" + "".join(
        f'{k} = "{v}"\n' for k, v in table.items()), encoding="utf-8")
    return load_settings(root)


def _pmids(report):
    return [f.hit.work.pmid for f in report.found]


def test_ranks_best_evidence_first_marks_notices_and_sends_one_efetch(ws, replay, ncbi):
    report = find(ws, "dermatology", limit=10, client=client_for(ws, FakeClock()))
    # systematic review, then the case report, then the records of no stated design newest first
    assert _pmids(report) == ["38909159", "38763967", "38833988", "35649368", "29872490", "11748933"]
    assert [f.design.design if f.design else None for f in report.found][:2] == ["systematic_review", "case_report"]
    assert [f.level for f in report.found][:2] == [1, 4]
    by_pmid = {f.hit.work.pmid: f for f in report.found}
    assert by_pmid["35649368"].notices == ("correction (2022-06-28, pmid 35767954 doi 10.1016/j.celrep.2022.111044)",)
    assert by_pmid["38833988"].notices == ("this record IS a correction notice for pmid:33279609",)
    assert report.result.source == "pubmed" and report.result.count == 126
    (sent,) = ncbi.requests
    assert (sent["db"], sent["term"], sent["sort"], sent["retmode"]) == ("pubmed", "dermatology", "relevance", "json")
    assert sent["tool"] == "evidence-desk" and sent["email"] == "editor@example.org"
    assert len(ncbi.summary.requests) == 1 and replay.hits["pubmed"] == 0  # one ESummary for all six, no EFetch
    assert ncbi.summary.requests[0]["id"] == ",".join(RELEVANCE) and report.result.requests == 2


def test_summaries_are_cached_and_offline_search_needs_no_network(ws, replay, ncbi):
    find(ws, "dermatology", client=client_for(ws, FakeClock()))
    assert (cache_dir(ws) / "pubmed-summary" / "pmid" / "38909159.json").is_file()
    assert not (cache_dir(ws) / "pubmed").exists()  # no full record fetched for a list
    offline = client_for(ws, FakeClock(), offline=True)
    again = find(ws, "dermatology", client=offline)
    assert _pmids(again)[0] == "38909159" and again.result.cached and offline.requests_sent == 0
    assert len(ncbi.requests) == 1 and len(ncbi.summary.requests) == 1 and replay.hits["pubmed"] == 0


def test_add_fetches_the_full_record_once_and_caches_it_where_resolve_and_claims_suggest_read_it(ws, replay, ncbi, cli):
    result = cli(ws, "find", "dermatology", "--add", "1")
    assert result.exit_code == 0, result.output
    assert replay.hits["pubmed"] == 1  # one EFetch, for the one record added
    assert (cache_dir(ws) / "pubmed" / "pmid" / "38909159.json").is_file()
    assert "akgun2025cardiac design=systematic_review" in result.output
    drafted = cli(ws, "claims", "suggest", "akgun2025cardiac")
    assert drafted.exit_code == 0 and "3 of 11 JDM patients" in drafted.output, drafted.output
    offline = cli(ws, "find", "dermatology", "--offline", "--add", "2")  # its full record was never fetched
    assert "refused 2: could not fetch the full record of pmid:38763967 (offline" in offline.output
    assert "38763967" not in (ws.references_dir / "library.bib").read_text(encoding="utf-8")


def test_library_holdings_are_marked_by_identifier_and_by_title(ws, replay, ncbi):
    bib = ws.references_dir / "library.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + """
@article{uysal2024widespread,
  author = {Uysal, Cihan},
  title  = {Widespread form of Majocchi's granuloma in a kidney transplant recipient},
  pmid   = {38763967}
}

@article{li2022fatty,
  author = {Li, Yi-Jia},
  title  = {Fatty acid oxidation protects cancer cells from apoptosis by increasing mitochondrial membrane lipids},
  year   = {2022}
}
""", encoding="utf-8")
    report = find(ws, "dermatology", client=client_for(ws, FakeClock()))
    held = {f.hit.work.pmid: f.in_library for f in report.found if f.in_library}
    assert held == {"38763967": "uysal2024widespread (same PMID 38763967)",
                    "35649368": "li2022fatty (same title, first author and year)"}


def test_design_filter_and_since_reach_esearch(ws, replay, ncbi):
    report = find(ws, "dermatology", designs=parse_designs("systematic-review,meta-analysis"), since=2020,
                  client=client_for(ws, FakeClock()))
    (sent,) = ncbi.requests
    assert sent["term"] == '(dermatology) AND ("systematic review"[pt] OR "meta-analysis"[pt])'
    assert (sent["datetype"], sent["mindate"]) == ("pdat", "2020")
    assert "38763967" not in _pmids(report) and report.hidden == 1  # a case report is not what was asked
    with pytest.raises(InputError) as err:
        parse_designs("rct,anecdote")
    assert err.value.problems[0].code == "unknown-design" and "meta-analysis" in err.value.problems[0].hint


def _studies(settings):
    with (settings.references_dir / "studies.csv").open(encoding="utf-8", newline="") as handle:
        return {row["citekey"]: row for row in csv.DictReader(handle)}


def test_add_writes_bibtex_and_an_unverified_study_row_never_twice(ws, replay, ncbi, cli):
    result = cli(ws, "find", "dermatology", "--add", "1,2")
    assert result.exit_code == 0, result.output
    assert "  1. [systematic_review] 2025 Cardiac evaluation of patients with juvenile dermatomyositis" in result.output
    bib = (ws.references_dir / "library.bib").read_text(encoding="utf-8")
    assert "pmid    = {38909159}" in bib and "pmid    = {38763967}" in bib
    rows = _studies(ws)
    (sr_key,) = [k for k, r in rows.items() if r["source_url"] == "https://pubmed.ncbi.nlm.nih.gov/38909159/"]
    assert (rows[sr_key]["design"], rows[sr_key]["status"]) == ("systematic_review", "unverified")
    assert "Systematic Review" in rows[sr_key]["notes"]
    (case_key,) = [k for k, r in rows.items() if r["source_url"] == "https://pubmed.ncbi.nlm.nih.gov/38763967/"]
    assert rows[case_key]["design"] == "case_report"
    pipeline.build(ws)  # the drafted rows pass validation
    again = cli(ws, "find", "dermatology", "--add", "1")
    assert f"IN LIBRARY: {sr_key} (same" in again.output and f"refused 1: duplicates {sr_key}" in again.output
    assert (ws.references_dir / "library.bib").read_text(encoding="utf-8") == bib
    assert len(_studies(ws)) == len(rows)


def test_add_a_number_not_shown_is_refused_before_writing(ws, replay, ncbi, cli):
    before = (ws.references_dir / "library.bib").read_bytes()
    result = cli(ws, "find", "dermatology", "--limit", "2", "--add", "3")
    assert result.exit_code == 2 and "no candidate 3 in this list (1-2)" in result.output
    assert (ws.references_dir / "library.bib").read_bytes() == before


def test_json_output(ws, replay, ncbi, cli):
    result = cli(ws, "find", "dermatology", "--format", "json", "--limit", "3")
    data = json.loads(result.output)
    assert data["source"] == "pubmed" and data["term"] == "dermatology"
    assert [c["pmid"] for c in data["candidates"]] == ["38909159", "38763967", "38833988"]
    assert data["candidates"][0]["design"] == "systematic_review" and data["candidates"][0]["level"] == 1


def test_statement_builds_the_query_from_the_vocabularies_and_shows_it(ws, replay, ncbi, cli):
    result = cli(ws, "find", "--statement", "example:S01")
    assert result.exit_code == 0, result.output
    term = ncbi.requests[0]["term"]
    assert term.startswith('("Atrophic scars"[tiab] OR "atrophic acne scars"[tiab]')  # the narrower of the two named
    assert '"Acne scars"[tiab]' not in term
    assert "statement example:S01: Most acne scars are atrophic, the sunken kind." in result.output
    assert f"query: {term}" in result.output
    unknown = cli(ws, "find", "--statement", "example:S99")
    assert unknown.exit_code == 2 and "[unknown-statement]" in unknown.output


def test_europe_pmc_answers_when_pubmed_fails(ws, replay, ncbi):
    ncbi.status = 500
    core = external("europepmc/pyeuropepmc/search_cancer_core.json").read_bytes()  # a real Europe PMC answer
    replay.fault["europepmc"] = lambda request: Response(core, content_type="application/json")
    report = find(ws, "cancer", client=client_for(ws, FakeClock()))
    assert report.result.source == "europepmc" and report.result.count == 5059039
    assert "HTTP 500" in report.result.errors[0]
    # a systematic review (publication type), a meta-analysis not yet indexed as one (its title), the observational study
    assert _pmids(report)[:3] == ["39212676", "40536077", "40493882"]
    assert [(f.design.design, f.design.source) for f in report.found[:3]] == [
        ("systematic_review", "PubMed publication type"), ("meta_analysis", "title"), ("cohort", "PubMed publication type")]
    wide = find(ws, "cancer", limit=25, client=client_for(ws, FakeClock()))
    notice = {f.hit.work.pmid: f.notices for f in wide.found}["39709208"]  # a real "Published Erratum" record
    assert notice and notice[0].startswith("this record IS a correction notice")


def test_offline_fails_fast_one_attempt_per_service_and_caches_nothing(tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    root = minimal_workspace(tmp_path / "ws").root
    url = f"http://127.0.0.1:{port}"
    settings = settings_for(root, None, ncbi_url=url + "/ncbi", europepmc_url=url + "/epmc", retries="4")
    clock = FakeClock()
    client = client_for(settings, clock)
    report = find(settings, "acne scars", client=client)
    assert report.result.source == "none" and report.found == ()
    assert client.requests_sent == 2 and clock.sleeps == []  # ESearch once, Europe PMC once; no backoff
    assert [e.split(": ", 1)[0] for e in report.result.errors] == ["PubMed ESearch", "Europe PMC search"]
    assert all("connection refused (not retried)" in e for e in report.result.errors)
    assert not cache_dir(settings).exists() or not list(cache_dir(settings).rglob("*.json"))


def test_offline_flag_without_a_cached_search_exits_1(ws, replay, ncbi, cli):
    result = cli(ws, "find", "dermatology", "--offline")
    assert result.exit_code == 1 and "offline, and this search is not in the cache" in result.output
    assert ncbi.requests == [] and replay.hits["pubmed"] == 0


def test_add_by_pmid_also_drafts_the_study_row(ws, replay, ncbi, cli):
    result = cli(ws, "add", "pmid:38763967")
    assert result.exit_code == 0, result.output
    assert "references/studies.csv: uysal2024widespread design=case_report" in result.output
    row = _studies(ws)["uysal2024widespread"]
    assert (row["design"], row["status"], row["source_url"]) == ("case_report", "unverified",
                                                                 "https://pubmed.ncbi.nlm.nih.gov/38763967/")
    assert "'Case Reports'" in row["notes"] and "Check every field on source_url" in row["notes"]
    again = cli(ws, "add", "pmid:38763967")
    assert again.exit_code == 2 and len(_studies(ws)) == 2


def test_add_by_pmid_keeps_the_abstract_where_claims_suggest_reads_it(ws, replay, ncbi, cli):
    assert cli(ws, "add", "pmid:38909159").exit_code == 0
    drafted = cli(ws, "claims", "suggest", "akgun2025cardiac")  # no resolve run in between
    assert drafted.exit_code == 0 and "3 of 11 JDM patients" in drafted.output, drafted.output
