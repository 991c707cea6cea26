"""``evidence find``'s candidate list comes from ESummary (issue 13): the real recording through a local
server, and hostile answers, each of which is reported and falls back to EFetch, never a traceback.

The real answer is pubmed/biopython/esummary1.xml (legacy DocSum, 2 dermatology records). The hostile
bodies (an ERROR element, an empty DocSum list, an entity bomb, a truncated or oversized body) are
WRITTEN FOR THESE TESTS, or cut from the real recording, and say so where they are built.
"""

from __future__ import annotations

import time

from werkzeug import Response

from evidence.resolve.cache import cache_dir
from evidence.workflow.find import find

from .test_find import NcbiSearch, NcbiSummary, RECORDS, RELEVANCE, ws  # noqa: F401
from .test_resolve_support import FakeClock, client_for, external, local_server, replay, srv  # noqa: F401

ESUMMARY = "pubmed/biopython/esummary1.xml"


def _serve(replay, idlist, efetch=True):
    if efetch:
        for pmid, rel in RECORDS.items():
            replay.pubmed[pmid] = external(rel).read_bytes()
    search = NcbiSearch(replay.server, idlist)
    summary = NcbiSummary(replay.server, replay.pubmed)
    return search, summary


def _xml(body: bytes, status: int = 200):
    return lambda request: Response(body, status=status, content_type="text/xml; charset=UTF-8")


def test_the_real_esummary_recording_through_the_local_server(ws, replay):
    search, summary = _serve(replay, ["11850928", "11482001"], efetch=False)
    client = client_for(ws, FakeClock())
    report = find(ws, "rhus dermatitis", client=client)
    assert report.result.source == "pubmed" and report.result.errors == ()
    assert len(summary.requests) == 1 and summary.requests[0]["id"] == "11850928,11482001"
    assert summary.requests[0]["retmode"] == "xml" and "version" not in summary.requests[0]  # the legacy DocSum
    assert replay.hits["pubmed"] == 0 and client.requests_sent == 2  # ESearch + ESummary, no EFetch
    review, journal_article = report.found  # "Review" is a stated design; "Journal Article" alone is none
    assert (review.hit.work.pmid, review.design.design, review.design.evidence) == ("11482001", "narrative_review",
                                                                                    "'Review'")
    assert (journal_article.hit.work.pmid, journal_article.design) == ("11850928", None)
    w = journal_article.hit.work
    assert (w.title, w.journal, w.year, w.pages) == (
        "Zirconium granuloma following treatment of rhus dermatitis.", "Archives of dermatology", 1965, "188-191")
    assert w.authors == ("LoPresti, PJ", "Hambrick, GW") and w.has_abstract is True and w.notices == ()
    assert journal_article.hit.abstract is None  # a summary has none: --add fetches the full record
    assert (cache_dir(ws) / "pubmed-summary" / "pmid" / "11482001.json").is_file()


def _fell_back_to_efetch(report, replay, message):
    assert report.result.source == "pubmed"
    assert [f.hit.work.pmid for f in report.found][:2] == ["38909159", "38763967"]  # ranked from the EFetch records
    assert replay.hits["pubmed"] == 1
    assert any(e.startswith("PubMed ESummary: ") and message in e for e in report.result.errors), report.result.errors


def test_an_error_element_is_reported_and_the_records_come_from_efetch(ws, replay):
    search, summary = _serve(replay, RELEVANCE)
    # written for this test: the legacy answer NCBI gives for ids it cannot summarise
    summary.fault = _xml(b'<?xml version="1.0" encoding="UTF-8" ?>\n<eSummaryResult>\n'
                         b"<ERROR>Invalid uid 11748933 at position=0</ERROR>\n</eSummaryResult>\n")
    report = find(ws, "dermatology", client=client_for(ws, FakeClock()))
    _fell_back_to_efetch(report, replay, "Invalid uid 11748933")
    assert not (cache_dir(ws) / "pubmed-summary").exists()  # a failed answer is never cached


def test_an_error_beside_summaries_keeps_the_summaries_and_fetches_only_the_rest(ws, replay):
    search, summary = _serve(replay, ["11850928", "38909159"])
    real = external(ESUMMARY).read_bytes()
    # cut from the real recording: its first DocSum, then an ERROR (written) for the PMID it lacks
    head, first = real.split(b"<DocSum>")[0], real.split(b"<DocSum>")[1].split(b"</DocSum>")[0]
    summary.fault = _xml(head + b"<DocSum>" + first + b"</DocSum>\n<ERROR>UID=38909159: cannot get document summary"
                         b"</ERROR>\n</eSummaryResult>\n")
    report = find(ws, "dermatology", client=client_for(ws, FakeClock()))
    assert {f.hit.work.pmid: f.hit.abstract is not None for f in report.found} == {"38909159": True, "11850928": False}
    assert replay.hits["pubmed"] == 1 and report.result.errors == ()  # the rest came from EFetch


def test_an_empty_docsum_list_falls_back_to_efetch_without_an_error(ws, replay):
    search, summary = _serve(replay, RELEVANCE)
    summary.fault = _xml(b'<?xml version="1.0" encoding="UTF-8" ?>\n<eSummaryResult>\n</eSummaryResult>\n')  # written
    report = find(ws, "dermatology", client=client_for(ws, FakeClock()))
    assert report.result.source == "pubmed" and report.result.errors == ()
    assert len(report.found) == 6 and replay.hits["pubmed"] == 1


def test_a_truncated_answer_is_reported(ws, replay):
    search, summary = _serve(replay, RELEVANCE)
    summary.fault = _xml(external(ESUMMARY).read_bytes()[:1500])  # the real recording, cut short
    report = find(ws, "dermatology", client=client_for(ws, FakeClock()))
    _fell_back_to_efetch(report, replay, "malformed XML from the service")


def test_an_entity_bomb_is_refused_not_expanded(ws, replay):
    search, summary = _serve(replay, RELEVANCE)
    levels = "".join(f'<!ENTITY e{i} "{("&e%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?>\n<!DOCTYPE eSummaryResult [<!ENTITY e0 "ha">{levels}]>\n' \
           f"<eSummaryResult><DocSum><Id>1</Id><Item Name=\"Title\" Type=\"String\">&e9;</Item></DocSum></eSummaryResult>"
    summary.fault = _xml(bomb.encode())  # written for this test: a billion-laughs body
    started = time.monotonic()
    report = find(ws, "dermatology", client=client_for(ws, FakeClock()))
    assert time.monotonic() - started < 10
    _fell_back_to_efetch(report, replay, "EntitiesForbidden")


def test_a_huge_answer_is_cut_off_at_the_cap(ws, replay):
    search, summary = _serve(replay, RELEVANCE, efetch=False)
    (ws.root / "evidence.toml").write_text((ws.root / "evidence.toml").read_text(encoding="utf-8")
                                           + 'max_bytes = "20000"\n', encoding="utf-8")
    from evidence.workspace import load_settings
    settings = load_settings(ws.root)
    real = external(ESUMMARY).read_bytes()
    summary.fault = _xml(real.replace(b"</eSummaryResult>", b" " * 200_000 + b"</eSummaryResult>"))  # padded
    report = find(settings, "dermatology", client=client_for(settings, FakeClock()))
    assert any("ESummary" in e and "over the limit of 20000 bytes" in e for e in report.result.errors)
    assert not (cache_dir(settings) / "pubmed-summary").exists()


def test_a_slow_server_is_given_up_on_at_the_deadline(ws, replay):
    search, summary = _serve(replay, RELEVANCE)
    (ws.root / "evidence.toml").write_text((ws.root / "evidence.toml").read_text(encoding="utf-8")
                                           + 'deadline = "1"\n', encoding="utf-8")
    from evidence.workspace import load_settings
    settings = load_settings(ws.root)

    def dawdle(request):
        time.sleep(4)
        return Response(external(ESUMMARY).read_bytes(), content_type="text/xml")
    summary.fault = dawdle
    started = time.monotonic()
    report = find(settings, "dermatology", client=client_for(settings, FakeClock()))
    assert time.monotonic() - started < 3.5  # not the server's 4 s
    _fell_back_to_efetch(report, replay, "timeout (gave up after 1 attempts)")
    assert len(report.result.errors) == 1  # one line for the cause, not one per PMID
