"""Resolve stage: PubMed document summaries (E-utilities ``esummary``), for the candidate list of ``find``.

Why ESummary there and EFetch elsewhere: a candidate list needs title, journal, date,
publication types and identifiers for up to a hundred PMIDs, which one ``esummary`` request
gives in a few kilobytes per record; EFetch's full records (abstract, MeSH, affiliations,
reference lists) are many times larger and are needed only for the hits an editor adds, or
drafts claims from (``find --add``, ``claims suggest``). The legacy ``eSummaryResult`` /
``DocSum`` XML is asked for (no ``version``), the shape of the real recording the tests
replay.

The answer is untrusted input: it is parsed with ``defusedxml`` (no entity declarations,
no external references: an entity-expansion "bomb" is refused, not expanded), its size and
time are capped by :class:`~.http.HttpClient`, and an ``<ERROR>`` answer, a truncated body,
an HTML error page or a set without the asked PMIDs each become a per-PMID ``failed`` or
``not_found`` :class:`~.records.Fetched`, never an exception.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Sequence

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from .base import BadAnswer, _looks_like_html, check_status, failed, found, not_found
from .http import HttpClient, Response
from .ids import Identifier
from .ncbi import _ncbi_params, parse_esummary
from .records import Fetched, Work

SOURCE = "pubmed-summary"  # cache folder: a summary is not the EFetch record resolve reads


def read_summaries(resp: Response) -> tuple[dict[str, tuple[Work, str]], list[str]]:
    """PMID -> (Work, its DocSum XML), and the ``<ERROR>`` texts NCBI put beside them.

    :class:`BadAnswer` for anything that is not an ``eSummaryResult``: an HTML page, broken or
    truncated XML, entity declarations, or an answer holding only an error.
    """
    if _looks_like_html(resp):
        raise BadAnswer(f"expected XML, got an HTML page with HTTP {resp.status}")
    try:
        root = safe_fromstring(resp.body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BadAnswer(f"refused XML from the service ({type(exc).__name__}: entity declarations)") from None
    except ET.ParseError as exc:
        raise BadAnswer(f"malformed XML from the service ({exc})") from None
    if root.tag != "eSummaryResult":
        raise BadAnswer(f"expected <eSummaryResult>, got <{root.tag}>: {(root.findtext('.//ERROR') or '')[:80]}")
    errors = [" ".join((e.text or "").split()) for e in root.iter("ERROR") if (e.text or "").strip()]
    docs = root.findall("DocSum")
    if not docs and errors:
        raise BadAnswer(f"PubMed ESummary: {errors[0][:120]}")
    works = parse_esummary(root)
    xml = {(d.findtext("Id") or "").strip(): ET.tostring(d, encoding="unicode") for d in docs}
    return {pmid: (work, xml[pmid]) for pmid, work in works.items() if pmid}, errors


class PubMedSummary:
    """``esummary.fcgi?db=pubmed``: light records for a candidate list, 200 PMIDs per request."""

    name = SOURCE
    kinds = ("pmid",)
    batch_size = 200
    limit = "ncbi"

    def fetch(self, client: HttpClient, idents: Sequence[Identifier], now: str) -> list[Fetched]:
        params = [("db", "pubmed"), ("id", ",".join(i.value for i in idents)), ("retmode", "xml"),
                  *_ncbi_params(client)]
        resp = client.get(client.url("ncbi", "esummary.fcgi"), params, limits=("ncbi",), accept="application/xml")
        try:
            problem = check_status(resp)
            if problem:
                raise BadAnswer(problem)
            records, errors = read_summaries(resp)
        except BadAnswer as exc:
            return [failed(i, self.name, now, resp, str(exc)) for i in idents]
        why = f"PubMed returned no summary for this PMID ({errors[0][:100]})" if errors else \
            "PubMed returned no summary for this PMID"
        out = []
        for ident in idents:
            if ident.value in records:
                work, xml = records[ident.value]
                out.append(found(ident, self.name, now, resp, xml, work))
            else:
                out.append(not_found(ident, self.name, now, resp, why))
        return out
