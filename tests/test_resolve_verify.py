"""resolve -> cache -> verify -> --write -> metadata table, on a small real workspace served by a
local server: mismatches with both values, notices from all three services, missing
identifiers, "none found as of DATE", curated fields, and an intact cache after every fault."""

from __future__ import annotations

import difflib
import json
import re
import time

import pytest
from werkzeug import Response

from evidence.load.database import schema_sql
from evidence.resolve import api
from evidence.resolve.cache import cache_dir
from evidence.resolve.store import metadata_frame

from .test_resolve_support import (EPMC_NOTICE_DOI, PONE, FakeClock, client_for, external, local_server,  # noqa: F401
                                   replay, settings_for, snapshot, srv, synthetic, write_workspace)

BIB = """@article{sadasivan2012wrong,
  author  = {Sadasivan, Shankar and Pond, Brooks B. and Pani, Amar K. and Qu, Chunxu and Jiao, Yun and Smeyne, Richard J.},
  title   = {Topical retinoids for atrophic acne scars},
  journal = {PLoS ONE},
  year    = {2012},
  volume  = {7},
  number  = {3},
  pages   = {e33693},
  doi     = {10.1371/journal.pone.0033693}
}

@article{li2022fatty,
  author = {Li, Yi-Jia and others},
  title = {Fatty acid oxidation protects cancer cells from apoptosis by increasing mitochondrial membrane lipids},
  journal = {Cell Reports},
  year = {2022},
  volume = {39},
  number = {9},
  pages = {110870},
  pmid = {35649368},
  curated = {doi}
}

@article{example2021retracted,
  author = {Example, Ada and Sample, Ben},
  title = {An example study that was retracted},
  journal = {Journal of Example Dermatology},
  year = {2021},
  doi = {10.5555/retracted.example},
  pmid = {99999901}
}

% a comment line that must survive --write
@article{song2025retraction,
  title = {Retraction Note: Overexpression of LncRNA PIK3CD-AS1 promotes expression of LATS1 by competitive binding with microRNA-566 to inhibit the growth, invasion and metastasis of hepatocellular carcinoma cells},
  doi = {10.1186/s12935-025-03850-7}}

@article{uysal2024widespread,
  title = {Widespread form of Majocchi's granuloma in a kidney transplant recipient},
  pmcid = {PMC11608206}
}

@misc{noid2020,
  title = {A reference without identifiers},
  year = {2020}
}
"""


@pytest.fixture
def served(replay):
    replay.crossref_file(PONE, "crossref/habanero/derived/works_10.1371_journal.pone.0033693.200.json")
    replay.updates["10.5555/retracted.example"] = synthetic("crossref_updates_retraction.synthetic.json").read_bytes()
    replay.pubmed["35649368"] = external("pubmed/metapub/35649368.xml").read_bytes()
    replay.pubmed["38763967"] = external("pubmed/metapub/38763967.xml").read_bytes()
    replay.pubmed["99999901"] = synthetic("pubmed_retracted.synthetic.xml").read_bytes()
    replay.epmc[EPMC_NOTICE_DOI] = external("europepmc/pyeuropepmc/derived/retraction_notice_40517245.json").read_bytes()
    return replay


@pytest.fixture
def workspace(tmp_path, served):
    bib = write_workspace(tmp_path, BIB)
    settings = settings_for(tmp_path, served.server, retries="1")
    return settings, bib


def _resolve(settings, **kw):
    return api.resolve(settings, client=client_for(settings, FakeClock()), **kw)


def test_resolve_fetches_everything_once_then_serves_the_cache(workspace, served):
    settings, _ = workspace
    seen = []
    summary = _resolve(settings, progress=lambda done, total, label: seen.append((done, total)))
    assert summary.failed == () and summary.fetched > 0 and summary.not_found > 0
    assert summary.references == 6 and summary.with_identifiers == 5
    assert seen and seen[-1][0] == seen[-1][1] == summary.answers
    # the learned identifiers led to a second round: the PMCID's PMID, the PMID's DOI
    assert served.hits["pubmed"] >= 2 and served.hits["idconv"] == 1
    again = _resolve(settings)
    assert again.requests == 0 and again.cached == summary.answers and again.fetched == 0


def test_verify_reports_mismatch_notices_and_missing_identifiers(workspace):
    settings, _ = workspace
    _resolve(settings)
    report = api.verify(settings).as_dict()
    refs = {r["citekey"]: r for r in report["references"]}
    for r in refs.values():  # the JSON shape the issue promises
        assert {"citekey", "status", "mismatches", "missing_identifiers", "notices"} <= set(r)
    wrong = refs["sadasivan2012wrong"]
    assert wrong["status"] == "notice"  # a correction outranks the mismatch, which is still listed
    (title,) = wrong["mismatches"]
    assert title["field"] == "title" and title["library"] == "Topical retinoids for atrophic acne scars"
    assert title["source"].startswith("Methylphenidate Exposure") and title["service"] == "crossref"
    (corr,) = wrong["notices"]
    assert (corr["type"], corr["source"], corr["date"]) == ("correction", "crossref", "2012-05-08")
    assert corr["doi"] == "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"

    li = refs["li2022fatty"]
    assert li["mismatches"] == []  # 'Cell Reports' == 'Cell reports'; 'others' skips the author count
    assert li["missing_identifiers"] == [{"field": "doi", "value": "10.1016/j.celrep.2022.110870", "source": "pubmed"}]
    assert [(n["type"], n["source"], n["label"]) for n in li["notices"]] == [("correction", "pubmed", "ErratumIn")]

    retracted = refs["example2021retracted"]
    assert retracted["status"] == "retracted" and retracted["retracted"] is True
    (n,) = retracted["notices"]  # Crossref's filter=updates and PubMed's RetractionIn are one notice
    assert (n["type"], n["date"], n["doi"], sorted(n["sources"])) == (
        "retraction", "2023-04-12", "10.5555/retraction-notice.example", ["crossref", "pubmed"])

    note = refs["song2025retraction"]
    assert note["status"] == "notice" and note["retracted"] is False
    assert note["notices"][0]["relation"] == "is-notice" and note["notices"][0]["source"] == "europepmc"
    assert {m["field"]: m["value"] for m in note["missing_identifiers"]} == {"pmid": "40517245", "pmcid": "PMC12166625"}

    clean = refs["uysal2024widespread"]
    assert clean["status"] == "ok" and clean["notices"] == []
    assert re.fullmatch(r"none found as of \d{4}-\d\d-\d\d \(.*pubmed.*\)", clean["notice_check"])
    assert {m["field"] for m in clean["missing_identifiers"]} == {"pmid", "doi"}
    assert refs["noid2020"]["status"] == "no_identifier"


def test_verify_before_resolve_says_so_and_touches_nothing(workspace):
    settings, bib = workspace
    before = bib.read_bytes()
    report = api.verify(settings)
    assert report.counts() == {"no_identifier": 1, "not_resolved": 5}
    assert bib.read_bytes() == before and not cache_dir(settings).exists()


def test_offline_resolve_never_touches_the_network(workspace, served):
    settings, _ = workspace
    summary = api.resolve(settings, offline=True, client=client_for(settings, FakeClock(), offline=True))
    assert summary.requests == 0 and served.server.log == [] and summary.not_cached > 0
    assert not cache_dir(settings).exists()


def test_write_fills_only_asked_fields_keeps_bytes_and_respects_curated(workspace):
    settings, bib = workspace
    _resolve(settings)
    before = bib.read_text(encoding="utf-8")
    report = api.verify(settings, write=True, fields=["doi", "pmid", "pmcid"])
    after = bib.read_text(encoding="utf-8")
    ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    inserted = [after[j1:j2] for tag, i1, i2, j1, j2 in ops if tag != "equal"]
    assert all(tag == "insert" for tag, *_ in ops if tag != "equal")  # nothing removed or replaced
    assert all(re.fullmatch(r"(,?\n\s+(doi|pmid|pmcid)\s*= \{[^{}]+\},?)+|,", text) for text in inserted), inserted
    assert "pmid = {40517245}" in after and "pmcid = {PMC12166625}" in after
    assert "10.1016/j.celrep.2022.110870" not in after  # li2022fatty: doi is curated
    refused = [c for c in report.changes if not c.written]
    assert [(c.citekey, c.field, c.reason) for c in refused] == [("li2022fatty", "doi", "curated")]
    assert "title = {" in after and "Topical retinoids" in after  # the mismatching title was not asked: kept
    again = api.verify(settings)
    refs = {r.citekey: r for r in again.references}
    assert refs["song2025retraction"].missing_identifiers == ()


def test_write_replaces_a_mismatching_field_when_asked(workspace):
    settings, bib = workspace
    _resolve(settings)
    api.verify(settings, write=True, fields=["title"])
    text = bib.read_text(encoding="utf-8")
    assert "title   = {Methylphenidate Exposure Induces Dopamine Neuron Loss" in text  # alignment kept
    assert api.verify(settings).as_dict()["references"][0]["mismatches"] == []


def test_metadata_frame_matches_the_schema_and_needs_no_network(workspace, served):
    settings, _ = workspace
    _resolve(settings)
    requests_before = len(served.server.log)
    frame = metadata_frame(settings)
    assert len(served.server.log) == requests_before
    table = re.search(r"CREATE TABLE metadata \((.*?)\);", schema_sql(), re.S).group(1)
    columns = [part.split()[0] for part in table.replace("\n", " ").split(",")]
    assert list(frame.columns) == columns
    assert set(frame["status"]) == {"found", "not_found"}
    row = frame[(frame.citekey == "example2021retracted") & (frame.source == "pubmed")].iloc[0]
    assert bool(row.retracted) and json.loads(row.notices)[0]["type"] == "retraction"
    assert isinstance(json.loads(row.raw), str)  # the PubMed XML, as a JSON string
    crossref = frame[(frame.citekey == "sadasivan2012wrong") & (frame.source == "crossref")].iloc[0]
    assert json.loads(crossref.raw)["message"]["DOI"] == PONE
    assert json.loads(crossref.mismatches)[0]["field"] == "title"


def _faults():
    html = synthetic("html_error_page.synthetic.html").read_bytes()
    return {
        "timeout": lambda request: (time.sleep(0.4), Response(b"{}"))[1],
        "http-500": lambda request: Response("Internal Server Error", status=500),
        "429-retry-after": lambda request: Response("", status=429, headers={"Retry-After": "1"}),
        "malformed-json": lambda request: Response(b'{"status":"ok","message-type":"work","mess',
                                                   content_type="application/json"),
        "html-200": lambda request: Response(html, content_type="text/html"),
    }


@pytest.mark.parametrize("fault", sorted(_faults()))
def test_cache_and_library_are_intact_after_a_fault(workspace, served, fault):
    settings, bib = workspace
    settings = settings_for(settings.root, served.server, retries="1", timeout="0.15")
    _resolve(settings)
    cache, library = snapshot(cache_dir(settings)), bib.read_bytes()
    verdict = {r.citekey: r.status for r in api.verify(settings).references}
    handler = _faults()[fault]
    for service in ("crossref", "crossref-updates", "pubmed", "europepmc", "idconv", "fulltext"):
        served.fault[service] = handler
    summary = _resolve(settings, refresh=True)
    assert summary.failed and all(f.kept_previous for f in summary.failed)  # reported, old answer kept
    assert snapshot(cache_dir(settings)) == cache and bib.read_bytes() == library
    assert {r.citekey: r.status for r in api.verify(settings).references} == verdict


def test_a_fault_on_a_fresh_cache_is_reported_never_stored_then_fetched(workspace, served):
    settings, _ = workspace
    served.fault["crossref"] = lambda request: Response("Internal Server Error", status=500)
    first = _resolve(settings)
    assert {f.source for f in first.failed} == {"crossref"}
    assert all("HTTP 500" in f.error for f in first.failed)
    entries = list(cache_dir(settings).rglob("*.json"))
    assert entries and all(json.loads(p.read_text())["status"] in ("found", "not_found") for p in entries)
    assert not list((cache_dir(settings) / "crossref").rglob("*.json"))  # the failures were not stored
    assert not [p for p in cache_dir(settings).rglob("*") if p.name.startswith(".")]  # no temp file left
    report = {r.citekey: r for r in api.verify(settings).references}
    assert "not checked: crossref (never fetched: run `evidence resolve`)" in report["sadasivan2012wrong"].notice_check
    served.fault.clear()
    second = _resolve(settings)  # failed answers are retried without --refresh
    assert second.failed == () and second.fetched >= 1
    assert api.verify(settings).as_dict()["references"][0]["notices"][0]["type"] == "correction"
