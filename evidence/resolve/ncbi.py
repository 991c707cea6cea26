"""NCBI: PubMed records through E-utilities ``efetch``, and the PMC ID converter.

PubMed marks a retraction twice, and each alone can lag: the publication type "Retracted
Publication" on the article, and a ``CommentsCorrections`` link ``RetractionIn`` to the
notice (likewise ``ErratumIn``, ``ExpressionOfConcernIn``). Both are read. ``resolve`` uses
``efetch`` XML: it carries the abstract and the links; it takes up to 200 PMIDs per request,
which keeps a large library inside NCBI's 3 requests/s. ``evidence find`` lists candidates
from the lighter ``esummary`` (:func:`parse_esummary`, :mod:`.esummary`).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, Iterable, Sequence

from .base import (BadAnswer, check_status, clean, date_in_text, failed, found, iso_date, not_found, pages,
                   read_json, read_xml, MONTHS)
from .http import HttpClient
from .ids import Identifier, normalise
from ..identifiers import DOI_IN_TEXT
from .records import Fetched, Notice, Work
from .shapes import IDCONV_RECORD, shape_error

TOOL = "evidence-desk"

# CommentsCorrections RefType -> (notice type, relation). "...In": a notice about this record;
# "...Of"/"...For": this record is itself the notice.
ABOUT_THIS = {"RetractionIn": "retraction", "PartialRetractionIn": "partial_retraction", "ErratumIn": "correction",
              "ExpressionOfConcernIn": "expression_of_concern", "UpdateIn": "new_version"}
THIS_IS_NOTICE = {"RetractionOf": "retraction", "PartialRetractionOf": "partial_retraction", "ErratumFor": "correction",
                  "ExpressionOfConcernFor": "expression_of_concern", "UpdateOf": "new_version"}
NOTICE_PUB_TYPES = {"retraction of publication": "retraction", "published erratum": "correction",
                    "expression of concern": "expression_of_concern"}


def _ncbi_params(client: HttpClient) -> list[tuple[str, str]]:
    """NCBI asks every tool to say who it is (tool, email) and takes an API key for 10/s."""
    params = [("tool", TOOL)]
    if client.config.mailto:
        params.append(("email", client.config.mailto))
    if client.config.ncbi_api_key:
        params.append(("api_key", client.config.ncbi_api_key))
    return params


def _text(element: ET.Element | None) -> str | None:
    """All text inside an element: titles carry <i>, <sup> and friends."""
    return clean("".join(element.itertext())) if element is not None else None


def _pub_year(issue: ET.Element | None) -> int | None:
    if issue is None:
        return None
    year = issue.findtext("PubDate/Year")
    if not year:
        year = (re.findall(r"\b(1[89]\d\d|20\d\d)\b", issue.findtext("PubDate/MedlineDate") or "") or [None])[0]
    return int(year) if year and year.isdigit() else None


def expand_pages(value: str | None) -> str | None:
    """MEDLINE abbreviates page ranges ('188-91' means 188-191); expand for comparison."""
    value = pages(value)
    if not value or "-" not in value:
        return value
    start, _, end = value.partition("-")
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return f"{start}-{end}"


def parse_article(article: ET.Element) -> Work:
    """One ``<PubmedArticle>`` as a :class:`Work`, with both kinds of retraction signal."""
    citation = article.find("MedlineCitation")
    pmid = citation.findtext("PMID") if citation is not None else None
    art = citation.find("Article") if citation is not None else None
    journal = art.find("Journal") if art is not None else None
    issue = journal.find("JournalIssue") if journal is not None else None
    authors = []
    for person in (art.findall("AuthorList/Author") if art is not None else []):
        last, fore = person.findtext("LastName"), person.findtext("ForeName") or person.findtext("Initials")
        collective = _text(person.find("CollectiveName"))
        if last:
            authors.append(f"{clean(last)}, {clean(fore)}" if fore else clean(last))
        elif collective:
            authors.append(collective)
    ids = {el.get("IdType"): (el.text or "").strip() for el in article.findall("PubmedData/ArticleIdList/ArticleId")}
    doi = ids.get("doi")
    if not doi and art is not None:
        for loc in art.findall("ELocationID"):
            if loc.get("EIdType") == "doi" and loc.text:
                doi = loc.text.strip()
    pub_types = tuple(clean(p.text) or "" for p in (art.findall("PublicationTypeList/PublicationType") if art is not None else []))
    links = ((cc.get("RefType", ""), clean(cc.findtext("RefSource")), (cc.findtext("PMID") or "").strip() or None)
             for cc in (citation.findall("CommentsCorrectionsList/CommentsCorrections") if citation is not None else []))
    notices = _notices(links, pub_types, pmid, normalise("doi", doi).value if doi else None, _article_date(art, issue))
    medline_pages = art.findtext("Pagination/MedlinePgn") if art is not None else None
    if not medline_pages and art is not None:
        start, end = art.findtext("Pagination/StartPage"), art.findtext("Pagination/EndPage")
        medline_pages = f"{start}-{end}" if start and end else start
    return Work(
        source="pubmed", doi=normalise("doi", doi).value if doi else None, pmid=pmid, pmcid=ids.get("pmc") or None,
        title=_text(art.find("ArticleTitle")) if art is not None else None, authors=tuple(authors),
        year=_pub_year(issue), journal=clean(journal.findtext("Title")) if journal is not None else None,
        journal_abbrev=clean(journal.findtext("ISOAbbreviation")) if journal is not None else None,
        volume=clean(issue.findtext("Volume")) if issue is not None else None,
        issue=clean(issue.findtext("Issue")) if issue is not None else None,
        pages=expand_pages(medline_pages), pub_types=pub_types, notices=tuple(sorted(set(notices))),
        has_abstract=(art.find("Abstract") is not None) if art is not None else None,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None,
    )


def _article_date(art: ET.Element | None, issue: ET.Element | None) -> str | None:
    """The date of a notice record itself: its electronic date, else its issue date."""
    if art is not None:
        el = art.find("ArticleDate")
        if el is not None:
            return iso_date([el.findtext("Year"), el.findtext("Month"), el.findtext("Day")])
    if issue is not None:
        year, month = issue.findtext("PubDate/Year"), (issue.findtext("PubDate/Month") or "")
        month_num = MONTHS.get(month[:3].lower()) if month and not month.isdigit() else (int(month) if month else None)
        return iso_date([year, month_num] if month_num else [year])
    return None


def parse_pubmed(root: ET.Element) -> dict[str, tuple[Work, str]]:
    """Every article of a ``<PubmedArticleSet>``: PMID -> (Work, its XML)."""
    out = {}
    for article in root.findall("PubmedArticle"):
        work = parse_article(article)
        if work.pmid:
            out[work.pmid] = (work, ET.tostring(article, encoding="unicode"))
    return out


def parse_esummary(root: ET.Element) -> dict[str, Work]:
    """Legacy ESummary ``<DocSum>`` records: what ``evidence find`` lists (:mod:`.esummary`).

    A summary has the publication types and identifiers but no abstract. Notices come from
    the publication types ("Retracted Publication"; the record being itself a notice) and
    from the ``References`` list when NCBI fills it (the esummary DTD's ``Reference``:
    ``RefSource``, ``RefType``, ``PMID``; the same ``RefType`` words as EFetch's links).
    """
    out = {}
    for doc in root.findall("DocSum"):
        items = {it.get("Name"): it for it in doc.findall("Item")}
        pmid = (doc.findtext("Id") or "").strip()

        def text(name: str) -> str | None:
            return clean(items[name].text) if name in items else None

        authors = []
        for author in (items["AuthorList"].findall("Item") if "AuthorList" in items else []):
            parts = (clean(author.text) or "").split(" ")
            if len(parts) > 2 and parts[-1] in ("Jr", "Sr", "II", "III", "IV"):
                parts = parts[:-1]  # 'Hambrick GW Jr': the suffix is not the initials
            authors.append(f"{' '.join(parts[:-1])}, {parts[-1]}" if len(parts) > 1 else parts[0])
        pub_types = tuple(clean(p.text) or "" for p in (items["PubTypeList"].findall("Item") if "PubTypeList" in items else []))
        year = re.match(r"(\d{4})", text("PubDate") or "")
        ids = {it.get("Name"): clean(it.text) for it in (items["ArticleIds"].findall("Item") if "ArticleIds" in items else [])}
        doi = ids.get("doi") or text("DOI")
        if not doi:
            located = DOI_IN_TEXT.search(text("ELocationID") or "")
            doi = located.group(1) if located else None
        doi = normalise("doi", doi).value if doi else None
        notices = _notices(_summary_links(items.get("References")), pub_types, pmid, doi,
                           date_in_text(text("PubDate")))
        has_abstract = text("HasAbstract")
        out[pmid] = Work(source="pubmed", pmid=pmid, doi=doi, pmcid=ids.get("pmc"), title=text("Title"),
                         authors=tuple(authors), year=int(year.group(1)) if year else None,
                         journal=text("FullJournalName"), journal_abbrev=text("Source"), volume=text("Volume"),
                         issue=text("Issue"), pages=expand_pages(text("Pages")), pub_types=pub_types,
                         notices=tuple(sorted(set(notices))),
                         has_abstract=(has_abstract == "1") if has_abstract in ("0", "1") else None,
                         url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else None)
    return out


def _summary_links(references: ET.Element | None) -> list[tuple[str, str | None, str | None]]:
    """The esummary ``References`` list as (RefType, RefSource, PMID) links, like EFetch's CommentsCorrections."""
    links = []
    for ref in (references.findall("Item") if references is not None else []):
        fields = {it.get("Name"): clean(it.text) for it in ref.findall("Item")}
        other_pmid = fields.get("PMID") if (fields.get("PMID") or "").isdigit() else None
        links.append((fields.get("RefType") or "", fields.get("RefSource"), other_pmid))
    return links


def _notices(links: Iterable[tuple[str, str | None, str | None]], pub_types: Sequence[str], pmid: str | None,
             doi: str | None, own_date: str | None) -> list[Notice]:
    """A record's notices from its links to other records and its publication types; EFetch and ESummary
    carry the same words, so both parsers come here and their notices cannot drift apart.

    ``links`` are (RefType, RefSource text, other PMID); ``own_date`` dates a notice that is this record.
    """
    notices: list[Notice] = []
    linked: set[str] = set()
    for ref_type, source_text, other_pmid in links:
        other_doi = DOI_IN_TEXT.search(source_text or "")
        other_doi_value = normalise("doi", other_doi.group(1)).value if other_doi else None
        if ref_type in ABOUT_THIS:
            linked.add(ABOUT_THIS[ref_type])
            notices.append(Notice(ABOUT_THIS[ref_type], "pubmed", date_in_text(source_text), other_doi_value,
                                  other_pmid, ref_type, "comments-corrections"))
        elif ref_type in THIS_IS_NOTICE:
            linked.add(f"is:{THIS_IS_NOTICE[ref_type]}")
            target = f"pmid:{other_pmid}" if other_pmid else (f"doi:{other_doi_value}" if other_doi_value else None)
            notices.append(Notice(THIS_IS_NOTICE[ref_type], "pubmed", own_date, doi, pmid, ref_type, "is-notice",
                                  target))
    lowered = {p.lower() for p in pub_types}
    if "retracted publication" in lowered and "retraction" not in linked:
        notices.append(Notice("retraction", "pubmed", None, None, None, "Retracted Publication", "publication-type"))
    for pub_type, kind in NOTICE_PUB_TYPES.items():
        if pub_type in lowered and f"is:{kind}" not in linked:
            notices.append(Notice(kind, "pubmed", own_date, doi, pmid, pub_type, "is-notice"))
    return notices


class PubMed:
    """``efetch.fcgi?db=pubmed``: full PubMed records, 200 PMIDs per request."""

    name = "pubmed"
    kinds = ("pmid",)
    batch_size = 200
    limit = "ncbi"

    def fetch(self, client: HttpClient, idents: Sequence[Identifier], now: str) -> list[Fetched]:
        params = [("db", "pubmed"), ("id", ",".join(i.value for i in idents)), ("retmode", "xml"), *_ncbi_params(client)]
        resp = client.get(client.url("ncbi", "efetch.fcgi"), params, limits=("ncbi",), accept="application/xml")
        problem = check_status(resp)
        try:
            if problem:
                raise BadAnswer(problem)
            records = parse_pubmed(read_xml(resp, "PubmedArticleSet"))
        except BadAnswer as exc:
            return [failed(i, self.name, now, resp, str(exc)) for i in idents]
        out = []
        for ident in idents:
            if ident.value in records:
                work, xml = records[ident.value]
                out.append(found(ident, self.name, now, resp, xml, work))
            else:
                out.append(not_found(ident, self.name, now, resp, "PubMed returned no record for this PMID"))
        return out


def parse_idconv(data: dict[str, Any]) -> dict[str, dict[str, str]]:
    """ID converter records keyed by PMCID (or the requested id); error records keep ``errmsg``."""
    out = {}
    for record in data.get("records") or []:
        key = (record.get("pmcid") or record.get("requested-id") or "").upper()
        if key:
            out[key] = {k: str(v) for k, v in record.items()}
    return out


class PmcIdConverter:
    """The PMC ID converter: PMCID -> PMID and DOI (only for articles in PMC), 200 per request."""

    name = "pmc-idconv"
    kinds = ("pmcid",)
    batch_size = 200
    limit = "ncbi"

    def fetch(self, client: HttpClient, idents: Sequence[Identifier], now: str) -> list[Fetched]:
        params = [("ids", ",".join(i.value for i in idents)), ("format", "json"), *_ncbi_params(client)]
        resp = client.get(client.url("idconv"), params, limits=("ncbi",))
        problem = check_status(resp)
        try:
            if problem:
                raise BadAnswer(problem)
            data = read_json(resp)
            if not isinstance(data, dict) or "records" not in data:
                raise BadAnswer("not an ID converter answer (no 'records')")
            why = shape_error(data["records"], [IDCONV_RECORD], "records")
            if why:
                raise BadAnswer(f"unexpected ID converter answer ({why})")
        except BadAnswer as exc:
            return [failed(i, self.name, now, resp, str(exc)) for i in idents]
        records = parse_idconv(data)
        out = []
        for ident in idents:
            record = records.get(ident.value)
            if not record or record.get("status") == "error" or not (record.get("pmid") or record.get("doi")):
                why = (record or {}).get("errmsg") or "the PMC ID converter does not know this PMCID"
                out.append(not_found(ident, self.name, now, resp, why, raw=record))
                continue
            doi = record.get("doi")
            work = Work(source=self.name, pmcid=ident.value, pmid=record.get("pmid") or None,
                        doi=normalise("doi", doi).value if doi else None)
            out.append(found(ident, self.name, now, resp, record, work))
        return out
