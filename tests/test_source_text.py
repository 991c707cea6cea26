"""Source text end to end, against a real local server replaying real recordings: resolve caches
abstracts (PubMed, Europe PMC, Crossref) and open-access full text; ``verify --quotes`` finds
quotes exactly, after normalisation, nearly, or not at all, checks numbers, and tells "never
fetched" from "not found at the source"; ``build`` loads quote_checks; ``check`` warns; the
study page shows each claim's quote status. Claims written here are test inputs (some wrong
on purpose), the texts they are checked against are real."""

from __future__ import annotations

import dataclasses
import json

import duckdb
import pytest
from click.testing import CliRunner
from werkzeug import Response

from evidence import pipeline
from evidence.cli import main
from evidence.resolve import api
from evidence.resolve.cache import cache_dir
from evidence.resolve.fulltext import fetch_fulltext
from evidence.resolve.ids import parse
from evidence.resolve.sourcetext import load_texts
from evidence.resolve.texts import TextCache
from evidence.workspace import load_settings

from .conftest import minimal_workspace, missing_browser
from .test_resolve_support import (FakeClock, client_for, external, local_server, replay, settings_for,  # noqa: F401
                                   snapshot, srv, synthetic)

BIB = """
@article{jdm2024cardiac, title = {Cardiac evaluation of patients with juvenile dermatomyositis}, year = {2024},
  pmid = {38909159}}
@article{apoe2018abca7, title = {Genetic association of ABCA7 and CD33 in Alzheimer's disease}, year = {2018},
  pmid = {29872490}}
@article{li2022fatty, title = {Fatty acid oxidation protects cancer cells from apoptosis}, year = {2022},
  pmid = {35649368}}
@article{erratum2024mage, title = {Corrigendum to MageC2 protein}, year = {2024}, pmid = {38833988}}
@article{flex2025act, title = {Psychological flexibility in people living with and beyond cancer}, year = {2025},
  pmid = {40468710}}
@article{cano2015oligomers, title = {Single-molecule FRET studies on alpha-synuclein oligomerization}, year = {2015},
  doi = {10.1038/srep16696}}
"""
STUDY = "{key},case_series,,,,,,,https://pubmed.ncbi.nlm.nih.gov/,unverified,test row\n"
HEADER = ("claim_id,citekey,treatment,comparator,scar_type,outcome,measure,value,low,high,unit,interval,n,sessions,"
          "downtime_days,direction,events_treatment,total_treatment,events_comparator,total_comparator,quote,locator,"
          "source_url,status,summary\n")


def claim(cid: str, key: str, quote: str, locator: str, value: str = "", n: str = "", unit: str = "",
          low: str = "", high: str = "") -> str:
    q = quote.replace('"', '""')
    return (f'{cid},{key},,,,efficacy,,{value},{low},{high},{unit},{"ci95" if low else ""},{n},,,,,,,,"{q}",'
            f'"{locator}",,unverified,test claim\n')


CLAIMS = HEADER + "".join([
    claim("jdm-exact", "jdm2024cardiac", "we showed late gadolinium enhancement on cardiac MRI in 3 of 11 JDM patients",
          "Abstract, Results", "3", "11", "participants"),
    claim("jdm-markup", "jdm2024cardiac",
          "In the literature review, we identified 25 articles related to cardiac involvement in <i>JDM</i>.",
          "Abstract, Results"),
    claim("jdm-near", "jdm2024cardiac",
          "Early detection of cardiac involvment by cardiac MRI may improve the long-term prognosis of patients with JDM.",
          "Abstract, Impact"),
    claim("jdm-wrong-n", "jdm2024cardiac", "late gadolinium enhancement on cardiac MRI in 3 of 11 JDM patients",
          "Abstract, Results", "3", "12", "participants"),  # n 12 is wrong on purpose
    claim("jdm-wrong-place", "jdm2024cardiac",
          "Cardiac abnormalities have been reported among the less frequent findings in patients with JDM.",
          "Abstract, Methods"),  # the quote stands in CONCLUSION
    claim("jdm-other-paper", "jdm2024cardiac",
          "Here, we show that elevated FAO activates STAT3 by acetylation via elevated acetyl-coenzyme A (CoA).",
          "Abstract"),  # pasted from li2022fatty's abstract
    claim("apoe-or", "apoe2018abca7", "reached genome-wide significance after meta-analysis (odds ratio (OR)=1.15, "
          "95% confidence interval (95% CI)=1.12-1.19", "Abstract", "1.15", "", "odds_ratio", "1.12", "1.19"),
    claim("apoe-spacing", "apoe2018abca7", "The apolipoprotein E (APOE) gene on chromosome 19q13.32, was the first",
          "Abstract"),
    claim("li-beta", "li2022fatty", "an important role of fatty acid β-oxidation (FAO) in chemoresistance has been shown",
          "Abstract"),
    claim("erratum-none", "erratum2024mage", "any words at all", "Abstract"),
    claim("flex-epmc", "flex2025act", "Psychological flexibility at Time-point 1 significantly predicted all "
          "psychosocial variables at Time-point 2", "Abstract, Results"),
    claim("cano-crossref", "cano2015oligomers", "We found that the kinetics of oligomer formation correlates with the "
          "natural tendency of each variant to acquire beta-sheet structure.", "Abstract"),
])


@pytest.fixture
def served(replay):
    for pmid, rel in (("38909159", "pubmed/metapub/38909159.xml"), ("35649368", "pubmed/metapub/35649368.xml"),
                      ("38833988", "pubmed/metapub/38833988.xml"),
                      ("29872490", "pubmed/jabref/MedlineImporterTestArticleItalics.xml")):
        replay.pubmed[pmid] = external(rel).read_bytes()
    core = json.loads(external("europepmc/pyeuropepmc/search_cancer_core.json").read_text(encoding="utf-8"))
    for record in core["resultList"]["result"]:
        replay.epmc[record["pmid"]] = json.dumps({"resultList": {"result": [record]}}).encode()
    replay.crossref_file("10.1038/srep16696", "crossref/habanero/derived/works_10.1038_srep16696.200.json")
    return replay


@pytest.fixture
def ws(tmp_path, served):
    settings = minimal_workspace(tmp_path / "ws")
    (settings.root / "references" / "library.bib").write_text(BIB, encoding="utf-8")
    studies = settings.references_dir / "studies.csv"
    header = studies.read_text(encoding="utf-8").splitlines()[0]
    keys = ["jdm2024cardiac", "apoe2018abca7", "li2022fatty", "erratum2024mage", "flex2025act", "cano2015oligomers"]
    studies.write_text(header + "\n" + "".join(STUDY.format(key=k) for k in keys), encoding="utf-8")
    (settings.references_dir / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    (settings.articles_dir / "example.statements.csv").write_text(
        "statement_id,quote,kind,asserts,cites,prefix,override_verdict,override_reason,note\n"
        'S01,"Most acne scars are atrophic, the sunken kind.",claim,,,,,,\n'
        "S02,See your dermatologist.,advice,,,,,,\n", encoding="utf-8")
    (settings.articles_dir / "example.links.csv").write_text(
        "statement_id,claim_id,relation,note\nS01,jdm-other-paper,supports,test link\n"
        "S01,jdm-wrong-place,partly,test link\n", encoding="utf-8")
    server = settings_for(settings.root, served.server, retries="1")
    return dataclasses.replace(settings, resolve=server.resolve, mailto=server.mailto)


def _resolve(settings, **kw):
    return api.resolve(settings, client=client_for(settings, FakeClock()), **kw)


def _cli(settings, *args):
    env = {"EVIDENCE_CROSSREF_URL": settings.resolve["crossref_url"], "EVIDENCE_NCBI_URL": settings.resolve["ncbi_url"],
           "EVIDENCE_EUROPEPMC_URL": settings.resolve["europepmc_url"], "NCBI_API_KEY": ""}
    return CliRunner(env=env).invoke(main, ["-w", str(settings.root), *args], catch_exceptions=False)


def test_resolve_caches_each_abstract_with_source_url_date_and_hash(ws, served):
    summary = _resolve(ws)
    assert summary.texts is not None and summary.texts.failed == ()
    texts = load_texts(ws)
    jdm = texts["jdm2024cardiac"]
    assert [t.source for t in jdm.texts] == ["pubmed"]  # Europe PMC has no record of it in the recording
    pubmed = jdm.texts[0]
    assert pubmed.identifier == "pmid:38909159" and "efetch.fcgi" in pubmed.url and len(pubmed.sha256) == 64
    assert [s.label for s in pubmed.sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSION", "IMPACT"]
    stored = json.loads(TextCache(cache_dir(ws)).path("pubmed", "pmid:38909159").read_text(encoding="utf-8"))
    assert stored["status"] == "found" and stored["fetched_at"] == pubmed.fetched_at and stored["text_sha256"]
    assert [t.source for t in texts["flex2025act"].texts] == ["europepmc"]
    assert [t.source for t in texts["cano2015oligomers"].texts] == ["crossref"]
    erratum = texts["erratum2024mage"]
    assert erratum.texts == () and erratum.never_fetched == ()
    why = erratum.why_no_text()
    assert why.startswith("not found at the source: ") and "never fetched" not in why
    assert "PubMed abstract (the PubMed record has no abstract" in why
    again = _resolve(ws)  # everything from the cache: no request at all
    assert again.requests == 0 and again.texts.abstracts == summary.texts.abstracts


def test_verify_quotes_statuses_numbers_sections_and_exit_code(ws, served):
    resolved = _cli(ws, "resolve")
    assert resolved.exit_code == 0, resolved.output
    assert ("source text: 5 abstracts, 12 records without one; full texts: 0 fetched, 0 cached, 0 not open access, "
            "0 failed") in resolved.stdout
    result = _cli(ws, "verify", "--quotes", "--format", "json")
    assert result.exit_code == 1  # a quote not found, and a number missing
    checks = {c["claim_id"]: c for c in json.loads(result.stdout)["claims"]}
    expected = {"jdm-exact": "exact", "jdm-markup": "normalised", "jdm-near": "near", "jdm-wrong-n": "exact",
                "jdm-wrong-place": "exact", "jdm-other-paper": "not_found", "apoe-or": "exact",
                "apoe-spacing": "normalised", "li-beta": "exact", "erratum-none": "no_text", "flex-epmc": "exact",
                "cano-crossref": "exact"}
    assert {k: c["status"] for k, c in checks.items()} == expected
    exact = checks["jdm-exact"]
    assert (exact["source"], exact["section"]) == ("pubmed", "Abstract — RESULTS")
    assert exact["numbers"] == [{"field": "value", "value": 3, "found": True}, {"field": "n", "value": 11, "found": True}]
    assert checks["jdm-wrong-n"]["numbers"][1] == {"field": "n", "value": 12, "found": False}
    assert [n["found"] for n in checks["apoe-or"]["numbers"]] == [True, True, True]
    assert checks["jdm-near"]["section"] == "Abstract — IMPACT"
    assert checks["jdm-near"]["differences"] == ["quote 'involvment' / source 'involvement'"]
    assert checks["jdm-wrong-place"]["locator_agrees"] is False
    assert checks["flex-epmc"]["section"] == "Abstract — Results" and checks["flex-epmc"]["source"] == "europepmc"
    assert checks["cano-crossref"]["source"] == "crossref"
    assert "not found at the source" in checks["erratum-none"]["detail"]
    text = _cli(ws, "verify", "--quotes")
    assert "jdm-other-paper (jdm2024cardiac): not_found" in text.stdout
    assert "numbers: value 3 found, n 12 MISSING" in text.stdout
    assert "verify --quotes: 7 exact, 2 normalised, 1 near, 1 not_found, 1 no_text; 1 number(s) missing" in text.stderr


def test_never_fetched_is_not_not_found_and_a_failure_is_not_stored(ws, served):
    result = _cli(ws, "verify", "--quotes", "--format", "json")
    assert result.exit_code == 0  # nothing to check yet is not a failure
    check = next(c for c in json.loads(result.stdout)["claims"] if c["claim_id"] == "jdm-exact")
    assert check["status"] == "no_text" and "never fetched" in check["detail"] and "not found" not in check["detail"]
    from evidence.resolve.cache import Cache
    from evidence.resolve.records import Fetched

    legacy = Cache(cache_dir(ws))  # a failure cached by an older version is no answer: it reads as never fetched
    legacy.put(Fetched("pmid:38909159", "pubmed", "failed", "2026-01-01T00:00:00Z", error="unknown host"))
    assert legacy.get("pubmed", "pmid:38909159") is None
    assert api.verify(ws).as_dict()["references"][0]["status"] == "not_resolved"
    legacy.path("pubmed", "pmid:38909159").unlink()
    served.fault["pubmed"] = lambda request: Response("Internal Server Error", status=500)
    summary = _resolve(ws)
    assert {f.source for f in summary.failed} == {"pubmed"}
    assert not list((cache_dir(ws) / "pubmed").rglob("*.json")) and not (cache_dir(ws) / "text" / "pubmed").exists()
    state = load_texts(ws)["jdm2024cardiac"]
    assert state.never_fetched == ("pubmed pmid:38909159",) and "never fetched" in state.why_no_text()
    served.fault.clear()
    _resolve(ws)  # the next run fetches what failed, without --refresh
    assert [t.source for t in load_texts(ws)["jdm2024cardiac"].texts] == ["pubmed"]


def test_open_access_full_text_is_asked_and_a_failed_fetch_is_not_stored(tmp_path, served):
    """PMID 40437959's real Europe PMC record says isOpenAccess Y with PMCID PMC12120539."""
    settings = minimal_workspace(tmp_path / "oa")
    (settings.references_dir / "library.bib").write_text("@article{oa2025, title = {x}, pmid = {40437959}}\n")
    server = settings_for(settings.root, served.server, retries="1")
    settings = dataclasses.replace(settings, resolve=server.resolve)
    served.fault["fulltext"] = lambda request: Response("Internal Server Error", status=500)
    summary = _resolve(settings)
    assert summary.texts.failed and summary.texts.failed[0][:2] == ("oa2025", "pmcid:PMC12120539")
    assert TextCache(cache_dir(settings)).get("europepmc-fulltext", "pmcid:PMC12120539") is None
    assert "europepmc-fulltext pmcid:PMC12120539" in load_texts(settings)["oa2025"].never_fetched
    served.fault.clear()
    summary = _resolve(settings)  # the real service would send JATS; the replay answers 404 (not open access)
    assert summary.texts.fulltexts_not_found == 1 and served.hits["fulltext"] >= 2
    state = load_texts(settings)["oa2025"]
    assert [t.source for t in state.texts] == ["europepmc"] and state.never_fetched == ()
    (absent,) = [t for t in state.not_found if t.source == "europepmc-fulltext"]
    assert absent.reason == "Europe PMC has no open-access full text for this PMCID"


def test_full_text_client_reads_jats_sections_synthetic(tmp_path, served):
    served.fulltext["PMC99999901"] = synthetic("fulltext.synthetic.xml").read_bytes()
    client = client_for(settings_for(tmp_path, served.server), FakeClock())
    text, why = fetch_fulltext(client, parse("PMC99999901"), "2026-11-29T00:00:00Z")
    assert why is None and text.status == "found" and text.url.endswith("/epmc/PMC99999901/fullTextXML")
    assert [s.label for s in text.sections if s.part == "body"][:3] == ["Introduction", "Results",
                                                                         "Results — Adverse events"]
    missing, why = fetch_fulltext(client, parse("PMC99999902"), "2026-11-29T00:00:00Z")
    assert why is None and missing.status == "not_found"
    served.fault["fulltext"] = lambda request: Response(synthetic("html_error_page.synthetic.html").read_bytes(),
                                                        content_type="text/html")
    failed, why = fetch_fulltext(client, parse("PMC99999901"), "2026-11-29T00:00:00Z")
    assert failed is None and "HTML page" in why


def test_build_loads_quote_checks_check_warns_and_the_study_page_shows_them(ws, served):
    _resolve(ws)
    settings = load_settings(ws.root)  # from here on, no network: build and check read the cache only
    checked = pipeline.build(settings)
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        rows = dict(con.execute("SELECT claim_id, status FROM quote_checks").fetchall())
        described = con.execute("SELECT description FROM quote_checks WHERE claim_id = 'jdm-exact'").fetchone()[0]
    assert rows["jdm-exact"] == "exact" and rows["jdm-other-paper"] == "not_found" and len(rows) == 12
    assert described.startswith("found in the PubMed abstract, RESULTS, fetched 20")
    codes = {p.code: p for r in checked.reports for p in r.problems}
    assert "S01 rests on jdm-other-paper, whose quote is not in its source text" in codes["quote-not-in-source"].message
    assert codes["quote-locator-differs"].line == 6 and "CONCLUSION" in codes["quote-locator-differs"].message
    (as_json,) = json.loads(_cli(ws, "check", "example", "--format", "json").stdout)["articles"]
    s01 = next(s for s in as_json["statements"] if s["id"] == "S01")
    assert {q["claim_id"]: q["status"] for q in s01["quotes"]} == {"jdm-other-paper": "not_found",
                                                                  "jdm-wrong-place": "exact"}
    result = _cli(ws, "check")
    assert "quote jdm-other-paper: NOT FOUND in the PubMed abstract" in result.stdout
    assert "quote jdm-wrong-place: found in the PubMed abstract, CONCLUSION, fetched" in result.stdout
    assert "[quote-not-in-source]" in result.stderr
    pipeline.render(settings)
    page = (settings.site_dir / "studies" / "jdm2024cardiac.html").read_text(encoding="utf-8")
    assert 'data-quote-status="not_found"' in page and 'data-quote-status="near"' in page
    assert "Quote check: found in the PubMed abstract, RESULTS, fetched" in page


def test_a_quote_is_found_in_a_full_text_section_synthetic(tmp_path, served):
    from evidence.check.quote_checks import check_claim
    from evidence.resolve.sourcetext import TextState

    served.fulltext["PMC99999901"] = synthetic("fulltext.synthetic.xml").read_bytes()
    client = client_for(settings_for(tmp_path, served.server), FakeClock())
    text, _ = fetch_fulltext(client, parse("PMC99999901"), "2026-11-29T00:00:00Z")
    claim_row = {"claim_id": "x-1", "citekey": "x", "quote": "reports a test value of 3 of 24 sides",
                 "locator": "Results", "value": 3.0, "n": 24, "high": 5.0}
    found = check_claim(claim_row, TextState("x", (text,)))
    assert (found.status, found.source_label, found.section) == ("exact", "Europe PMC full text",
                                                                 "Results — Adverse events")
    assert found.locator_agrees is True
    assert [(n.field, n.found) for n in found.numbers] == [("value", True), ("high", False), ("n", True)]
    assert check_claim({**claim_row, "locator": "Abstract, Results"}, TextState("x", (text,))).locator_agrees is False


def test_claims_suggest_writes_unverified_claims_and_pending_links_once(ws, served):
    _resolve(ws)
    listed = _cli(ws, "claims", "suggest", "jdm2024cardiac")
    assert listed.exit_code == 0
    assert '[1] Abstract, Results (PubMed abstract): "In the present study, although baseline' in listed.stdout
    assert "numbers: value 3, unit participants, n 11, measure 3 of 11" in listed.stdout
    claims_before = (ws.references_dir / "claims.csv").read_text(encoding="utf-8")
    assert (ws.references_dir / "claims.csv").read_text(encoding="utf-8") == claims_before  # listing writes nothing
    written = _cli(ws, "claims", "suggest", "jdm2024cardiac", "--statement", "example:S01", "--write")
    assert written.exit_code == 0, written.output
    rows = (ws.references_dir / "claims.csv").read_text(encoding="utf-8")
    assert rows.startswith(claims_before)  # appended, the old rows untouched
    new = rows[len(claims_before):].splitlines()
    assert new and all(",unverified," in line for line in new)
    assert new[0].startswith("jdm2024cardiac-1,jdm2024cardiac,,,,efficacy,3 of 11,3,,,participants,,11,")
    links = [line for line in (ws.articles_dir / "example.links.csv").read_text(encoding="utf-8").splitlines()
             if "suggested by" in line]
    assert links[0].startswith("S01,jdm2024cardiac-1,,")
    # a candidate whose quote an existing claim already holds (<i>JDM</i> there) is linked, not copied
    assert any(line.startswith("S01,jdm-markup,,") for line in links) and len(links) == len(new) + 1
    again = _cli(ws, "claims", "suggest", "jdm2024cardiac", "--statement", "example:S01", "--write")
    assert (ws.references_dir / "claims.csv").read_text(encoding="utf-8") == rows  # never duplicated
    assert f"0 appended as unverified, {len(new) + 1} already in claims.csv, 0 link(s)" in again.stderr
    checked = pipeline.build(load_settings(ws.root))  # pending links warn, they do not break the build
    pending = [p for p in checked.warnings if p.code == "pending-link"]
    assert len(pending) == len(new) + 1
    assert all(v.claims == () or "jdm2024cardiac-1" not in v.claims for r in checked.reports for v in r.verdicts)
    quotes = {q.claim_id: q for q in checked.quotes}
    assert all(quotes[f"jdm2024cardiac-{i}"].status == "exact" for i in range(1, len(new) + 1))
    assert all(quotes[f"jdm2024cardiac-{i}"].missing_numbers == () for i in range(1, len(new) + 1))
    assert all(quotes[f"jdm2024cardiac-{i}"].locator_agrees is True for i in range(1, len(new) + 1))


def test_claims_suggest_refuses_what_it_cannot_draft(ws, served):
    before = snapshot(ws.root / "references")
    never = _cli(ws, "claims", "suggest", "jdm2024cardiac", "--write")
    assert never.exit_code == 2 and "never fetched" in never.stderr
    _resolve(ws)
    for args, message in ((("erratum2024mage",), "not found at the source"), (("nosuchkey2020",), "no reference"),
                          (("jdm2024cardiac", "--statement", "example:S99", "--write"), "no statement 'S99'")):
        result = _cli(ws, "claims", "suggest", *args)
        assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert snapshot(ws.root / "references") == before


def test_the_study_page_shows_quote_status_in_a_real_browser(ws, served):
    missing_browser()
    from playwright.sync_api import expect, sync_playwright

    _resolve(ws)
    settings = load_settings(ws.root)
    pipeline.build(settings)
    pipeline.render(settings)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto((settings.site_dir / "studies" / "jdm2024cardiac.html").as_uri())
            unfound = page.locator("#c-jdm-other-paper .quote-check")
            expect(unfound).to_be_visible()
            expect(unfound).to_have_class("quote-check bad")
            expect(unfound).to_contain_text("NOT FOUND in the PubMed abstract")
            expect(page.locator("#c-jdm-exact .quote-check")).to_contain_text(
                "found in the PubMed abstract, RESULTS, fetched")
            expect(page.locator("#c-jdm-near .quote-check")).to_contain_text("quote 'involvment' / source 'involvement'")
        finally:
            browser.close()
