"""A local stand-in for NCBI's E-utilities that replays the real recordings (for benchmarks and tests).

``esummary.fcgi`` answers with the real DocSums of ``pubmed/biopython/esummary1.xml`` for its
PMIDs, and for the PMIDs of the real EFetch recordings with DocSums DERIVED from those records
(:func:`docsum_from_efetch`; no ESummary of them was recorded), in the recording's legacy shape.
``efetch.fcgi`` answers with the real EFetch records. ``esearch.fcgi`` answers are WRITTEN here
(NCBI's JSON shape; the PMIDs given), never recorded. Nothing here is part of the product.
"""

from __future__ import annotations

import json
import re
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterable
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

ESUMMARY_RECORDING = "pubmed/biopython/esummary1.xml"


def docsum_from_efetch(article: ET.Element) -> bytes:
    """A legacy ``<DocSum>`` derived from a real EFetch ``<PubmedArticle>`` (not a recording): the items
    of the real esummary1.xml, and the record's CommentsCorrections notice links as the esummary DTD's
    ``Reference`` structure (RefSource, RefType, PMID)."""
    cit, art = article.find("MedlineCitation"), article.find("MedlineCitation/Article")
    assert cit is not None and art is not None
    pmid = cit.findtext("PMID")

    def item(name: str, value: str | None, kind: str = "String") -> str:
        return f'\t<Item Name="{name}" Type="{kind}">{escape(value or "")}</Item>\n'

    def listed(name: str, entries: Iterable[str]) -> str:
        return f'\t<Item Name="{name}" Type="List">\n' + "".join("\t" + e for e in entries) + "\t</Item>\n"

    date = art.find("Journal/JournalIssue/PubDate")
    authors = [f"{a.findtext('LastName')} {a.findtext('Initials') or ''}".strip()
               for a in art.findall("AuthorList/Author") if a.findtext("LastName")]
    ids = [item(i.get("IdType") or "", i.text) for i in article.findall("PubmedData/ArticleIdList/ArticleId")]
    refs = [f'<Item Name="Reference" Type="Structure">{item("RefSource", c.findtext("RefSource"))}'
            f'{item("RefType", c.get("RefType"))}{item("PMID", c.findtext("PMID"), "Integer")}</Item>\n'
            for c in cit.findall("CommentsCorrectionsList/CommentsCorrections")
            if c.get("RefType", "").startswith(("Erratum", "Retraction", "ExpressionOfConcern"))]
    title = art.find("ArticleTitle")
    body = (f"<DocSum>\n\t<Id>{pmid}</Id>\n"
            + item("PubDate", " ".join(date.itertext()).strip() if date is not None else "", "Date")
            + item("Source", art.findtext("Journal/ISOAbbreviation"))
            + listed("AuthorList", [item("Author", a) for a in authors])
            + item("Title", "".join(title.itertext()) if title is not None else "")
            + item("Volume", art.findtext("Journal/JournalIssue/Volume"))
            + item("Issue", art.findtext("Journal/JournalIssue/Issue"))
            + item("Pages", art.findtext("Pagination/MedlinePgn"))
            + listed("PubTypeList", [item("PubType", p.text) for p in art.findall("PublicationTypeList/PublicationType")])
            + listed("ArticleIds", ids) + listed("References", refs)
            + item("HasAbstract", "1" if art.find("Abstract") is not None else "0", "Integer")
            + item("FullJournalName", art.findtext("Journal/Title")) + "</DocSum>\n")
    return body.encode("utf-8")


class Summaries:
    """DocSums by PMID: the real recording's, then ones derived from real EFetch files."""

    def __init__(self, recording: bytes, efetch_files: Iterable[bytes]):
        self.head = recording.split(b"<DocSum>")[0]  # the real answer's declaration, DOCTYPE and root
        self.docs = {m.group(1).decode(): d for d in re.findall(rb"<DocSum>.*?</DocSum>\n", recording, re.S)
                     if (m := re.search(rb"<Id>(\d+)</Id>", d))}
        for raw in efetch_files:
            for article in ET.fromstring(raw).findall("PubmedArticle"):
                self.docs.setdefault(article.findtext("MedlineCitation/PMID") or "", docsum_from_efetch(article))

    def answer(self, ids: Iterable[str]) -> bytes:
        docs = [self.docs[i] for i in ids if i in self.docs]
        return self.head + b"\n".join(docs) + b"\n</eSummaryResult>\n"


def efetch_answer(files: dict[str, bytes], ids: Iterable[str]) -> bytes:
    """One PubmedArticleSet of the real records asked for (the recordings' own XML declaration and DOCTYPE)."""
    chosen = [files[i] for i in ids if i in files]
    if not chosen:
        return b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n</PubmedArticleSet>\n'
    head = chosen[0].split(b"<PubmedArticleSet>")[0]
    articles = [a for f in chosen for a in re.findall(rb"<PubmedArticle>.*?</PubmedArticle>", f, re.S)]
    return head + b"<PubmedArticleSet>\n" + b"\n".join(articles) + b"\n</PubmedArticleSet>"


def esearch_answer(term: str, idlist: list[str]) -> bytes:
    """WRITTEN, not recorded: ESearch's JSON shape with the given PMIDs."""
    return json.dumps({"header": {"type": "esearch", "version": "0.3"},
                       "esearchresult": {"count": str(len(idlist)), "retmax": str(len(idlist)), "retstart": "0",
                                         "idlist": idlist, "translationset": [], "querytranslation": term}}).encode()


def serve(external: Path, efetch: dict[str, str], idlist: list[str]) -> tuple[ThreadingHTTPServer, list[str]]:
    """Start the stand-in on a free local port; ``efetch`` maps PMID -> recording path under ``external``.
    Returns the server (``server.server_address``) and the list of request paths it logs."""
    files = {pmid: (external / rel).read_bytes() for pmid, rel in efetch.items()}
    summaries = Summaries((external / ESUMMARY_RECORDING).read_bytes(), files.values())
    log: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            url = urlsplit(self.path)
            args = {k: v[0] for k, v in parse_qs(url.query).items()}
            ids = args.get("id", "").split(",")
            log.append(url.path)
            if url.path.endswith("/esearch.fcgi"):
                body, kind = esearch_answer(args.get("term", ""), idlist), "application/json"
            elif url.path.endswith("/esummary.fcgi"):
                body, kind = summaries.answer(ids), "text/xml; charset=UTF-8"
            elif url.path.endswith("/efetch.fcgi"):
                body, kind = efetch_answer(files, ids), "text/xml; charset=UTF-8"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, log
