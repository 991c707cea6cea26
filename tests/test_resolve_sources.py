"""Each source module against real recordings: Crossref notices (updated-by, update-to,
filter=updates), PubMed efetch (ErratumIn, not found, batches), the PMC ID converter,
Europe PMC (retraction notice, erratum, no result), and the cache files they leave."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from evidence.resolve.cache import Cache
from evidence.resolve.crossref import CrossrefUpdates, parse_updates, parse_work
from evidence.resolve.europepmc import EuropePmc, parse_result
from evidence.resolve.ids import BadIdentifier, Identifier, parse
from evidence.resolve.ncbi import PmcIdConverter, PubMed, expand_pages, parse_esummary, parse_pubmed
from evidence.resolve.records import Fetched

from .test_resolve_support import (EPMC_NOTICE_DOI, RETRACTED_DOI, FakeClock, cassette_body, client_for,  # noqa: F401
                                   external, local_server, replay, settings_for, srv, synthetic)

NOW = "2026-01-02T03:04:05Z"


def test_identifiers_are_parsed_and_explained():
    assert parse("https://doi.org/10.1371/Journal.PONE.0033693") == Identifier("doi", "10.1371/journal.pone.0033693")
    assert parse("pmid: 29344322") == Identifier("pmid", "29344322")
    assert parse("pmcid:pmc5749614") == Identifier("pmcid", "PMC5749614")
    assert parse("PMC5749614").key == "pmcid:PMC5749614"
    with pytest.raises(BadIdentifier) as bad:
        parse("doi:11.1234/x")
    assert "starts with '10.'" in bad.value.hint
    with pytest.raises(BadIdentifier):
        parse("acne scars")


def test_crossref_updated_by_correction_from_the_real_record():
    data = json.loads(external("crossref/habanero/derived/works_10.1371_journal.pone.0033693.200.json").read_text())
    work = parse_work(data["message"])
    (notice,) = work.notices
    assert (notice.type, notice.source, notice.date, notice.relation) == ("correction", "crossref", "2012-05-08", "updated-by")
    assert notice.doi == "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda"
    assert not work.retracted


def test_crossref_self_referencing_new_version_is_not_a_notice_and_null_dates_are_none():
    item = json.loads(external("crossref/habanero/derived/item_10.1371_journal.ppat.1006930.json").read_text())
    assert parse_work(item).notices == ()  # update-to/updated-by pointing at itself
    proc = json.loads(external("crossref/habanero/derived/works_10.1109_icdcsw.2003.1203662.200.json").read_text())
    assert parse_work(proc["message"]).year is None  # issued: [[null]]


def test_crossref_updates_filter_is_rechecked_against_the_asked_doi():
    """A server that ignores the filter (here: a real, unrelated work list) must not invent notices."""
    listing = json.loads(cassette_body("crossref/habanero/test_prefixes_field_queries.yaml"))
    items = listing["message"]["items"]
    assert any(it.get("update-to") for it in items)
    found = parse_updates(items, {"10.1371/journal.pbio.0050002", "10.1371/journal.ppat.1006930"})
    assert found == {"10.1371/journal.pbio.0050002": [], "10.1371/journal.ppat.1006930": []}


def test_crossref_updates_source_reads_a_retraction_notice(tmp_path, replay):
    replay.updates[RETRACTED_DOI] = synthetic("crossref_updates_retraction.synthetic.json").read_bytes()
    client = client_for(settings_for(tmp_path, replay.server), FakeClock())
    results = {r.identifier: r for r in CrossrefUpdates().fetch(
        client, [parse(RETRACTED_DOI), parse("10.1371/journal.pone.0033693")], NOW)}
    retracted = results[f"doi:{RETRACTED_DOI}"]
    assert retracted.status == "found" and retracted.work.retracted
    (n,) = retracted.work.notices
    assert (n.type, n.date, n.doi, n.relation) == ("retraction", "2023-04-12", "10.5555/retraction-notice.example",
                                                   "updates-filter")
    clean = results["doi:10.1371/journal.pone.0033693"]
    assert clean.status == "found" and clean.work.notices == ()  # "none found", not "not found"
    request, _ = replay.server.log[-1]
    assert request.args["filter"] == f"updates:{RETRACTED_DOI},updates:10.1371/journal.pone.0033693"


def test_pubmed_erratum_in_and_not_found_in_one_batch(tmp_path, replay):
    replay.pubmed["35649368"] = external("pubmed/metapub/35649368.xml").read_bytes()
    client = client_for(settings_for(tmp_path, replay.server), FakeClock())
    results = {r.identifier: r for r in PubMed().fetch(client, [parse("pmid:35649368"), parse("pmid:37909814")], NOW)}
    assert replay.hits["pubmed"] == 1  # one request for the batch
    found = results["pmid:35649368"]
    assert found.status == "found"
    (n,) = found.work.notices
    assert (n.type, n.source, n.date, n.doi, n.pmid, n.label) == (
        "correction", "pubmed", "2022-06-28", "10.1016/j.celrep.2022.111044", "35767954", "ErratumIn")
    assert found.work.doi == "10.1016/j.celrep.2022.110870" and found.raw.startswith("<PubmedArticle>")
    assert results["pmid:37909814"].status == "not_found"
    request, _ = replay.server.log[-1]
    assert request.args["tool"] == "evidence-desk" and request.args["email"] == "editor@example.org"


def test_pubmed_both_retraction_signals_and_notice_records():
    synthetic_set = ET.fromstring(synthetic("pubmed_retracted.synthetic.xml").read_bytes())
    work, _ = parse_pubmed(synthetic_set)["99999901"]
    (n,) = work.notices  # the publication type and the RetractionIn link are one notice
    assert (n.type, n.date, n.doi, n.pmid, n.label) == ("retraction", "2023-04-12", "10.5555/retraction-notice.example",
                                                        "99999902", "RetractionIn")
    assert work.retracted and work.pages == "101-109"
    erratum, _ = parse_pubmed(ET.parse(external("pubmed/metapub/38833988.xml")).getroot())["38833988"]
    (n,) = erratum.notices
    assert (n.type, n.relation, n.target) == ("correction", "is-notice", "pmid:33279609")
    assert not erratum.retracted


def test_pubmed_markup_and_esummary_are_read():
    italics = parse_pubmed(ET.parse(external("pubmed/jabref/MedlineImporterTestArticleItalics.xml")).getroot())
    (work, _), = italics.values()
    assert "<i>" not in work.title and len(work.authors) == 24
    summaries = parse_esummary(ET.parse(external("pubmed/biopython/esummary1.xml")).getroot())
    assert summaries["11850928"].authors == ("LoPresti, PJ", "Hambrick, GW")
    assert summaries["11850928"].pages == "188-191" == expand_pages("188-91")


def test_pmc_id_converter(tmp_path, replay):
    client = client_for(settings_for(tmp_path, replay.server), FakeClock())
    results = {r.identifier: r for r in PmcIdConverter().fetch(client, [parse("PMC11608206"), parse("PMC0000001")], NOW)}
    work = results["pmcid:PMC11608206"].work
    assert (work.pmid, work.doi) == ("38763967", "10.1007/s13730-024-00883-1")
    assert results["pmcid:PMC0000001"].status == "not_found"
    assert results["pmcid:PMC0000001"].error == "invalid article id"


def test_europepmc_real_retraction_notice_and_erratum(tmp_path, replay):
    replay.epmc[EPMC_NOTICE_DOI] = external("europepmc/pyeuropepmc/derived/retraction_notice_40517245.json").read_bytes()
    replay.epmc["10.1016/s0140-6736(24)02716-8"] = external("europepmc/pyeuropepmc/search_cancer_core.json").read_bytes()
    client = client_for(settings_for(tmp_path, replay.server), FakeClock())
    asked = [parse(EPMC_NOTICE_DOI), parse("10.1016/S0140-6736(24)02716-8"), parse("10.5555/nothing.here")]
    results = {r.identifier: r for r in EuropePmc().fetch(client, asked, NOW)}
    assert replay.hits["europepmc"] == 1
    notice = results[f"doi:{EPMC_NOTICE_DOI}"].work
    (n,) = notice.notices
    assert (n.type, n.relation, n.source, n.date) == ("retraction", "is-notice", "europepmc", "2025-06-14")
    assert (notice.pmid, notice.pmcid, notice.open_access) == ("40517245", "PMC12166625", True)
    lancet = results["doi:10.1016/s0140-6736(24)02716-8"].work
    assert lancet.notices[0].target == "pmid:39293462" and lancet.pmid == "39709208"
    assert results["doi:10.5555/nothing.here"].status == "not_found"


def test_europepmc_lite_pubtype_strings_are_split():
    data = json.loads(external("europepmc/pyeuropepmc/search_cancer.json").read_text())
    lite = next(r for r in data["resultList"]["result"] if r.get("pmid") == "39709208")
    assert parse_result(lite).pub_types == ("published erratum", "correction")


def test_cache_entry_is_readable_json_and_atomic(tmp_path):
    cache = Cache(tmp_path / ".evidence-cache")
    entry = Fetched("doi:10.1/a(b)", "crossref", "found", NOW, url="http://x/works/10.1/a(b)", http_status=200,
                    sha256="0" * 64, raw={"message": {}})
    path = cache.put(entry)
    assert path.parent == tmp_path / ".evidence-cache" / "crossref" / "doi"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {"identifier", "source", "status", "fetched_at", "url", "sha256", "raw", "work", "error"} <= set(data)
    assert cache.get("crossref", "doi:10.1/a(b)") == entry
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind
    path.write_text("{broken", encoding="utf-8")
    assert cache.get("crossref", "doi:10.1/a(b)") is None  # unreadable -> refetched, not a crash


def test_printed_references_are_matched_with_a_score(tmp_path, srv):
    """Crossref's bibliographic search answers with a work list: the real recorded one is replayed."""
    from evidence.resolve.match import match_printed

    listing = cassette_body("crossref/habanero/test_prefixes_field_queries.yaml")
    srv.expect_request("/crossref/works").respond_with_data(listing, content_type="application/json")
    client = client_for(settings_for(tmp_path, srv), FakeClock())
    exact = match_printed(client, "Oxidative stress and protein damage responses mediate artemisinin resistance in "
                                  "malaria parasites. PLoS Pathog. 2018;14(3):e1006930.")
    assert (exact.doi, exact.method, exact.confirm) == ("10.1371/journal.ppat.1006930", "crossref-search", False)
    request, _ = srv.log[-1]
    assert request.args["query.bibliographic"].startswith("Oxidative stress") and request.args["rows"] == "5"
    vague = match_printed(client, "Smith J. Acne scars and lasers. Dermatology. 2019.")
    assert vague.confirm and vague.score < 90  # reported for an editor, never accepted silently
    printed = match_printed(client, "Jacob CI. Acne scarring. https://doi.org/10.1067/MJD.2001.114. 2001")
    assert (printed.doi, printed.method, printed.confirm) == ("10.1067/mjd.2001.114", "printed-doi", False)
    assert len(srv.log) == 2  # a printed DOI needs no search
