"""Crossref REST: works by DOI, the notices that update a DOI, and bibliographic search.

Retractions hide in two places and either alone misses some: a work's own ``updated-by``
(written when the publisher links the notice to the article) and notices whose ``update-to``
names the work, found with ``/works?filter=updates:{doi}`` (written when the notice is
deposited on its own). So a DOI is looked up both ways, by two sources that share the
Crossref budget: ``crossref`` and ``crossref-updates``. The filter takes several DOIs at
once (``filter=updates:A,updates:B`` is an OR), so one list query serves 20 DOIs.
"""

from __future__ import annotations

from typing import Any, Sequence
from urllib.parse import quote

from .base import BadAnswer, check_status, clean, failed, first, found, iso_date, not_found, pages, read_json
from .http import HttpClient
from .ids import Identifier, normalise
from .records import Fetched, Notice, Work, notice_type
from .shapes import CROSSREF_SEARCH_ITEM, CROSSREF_UPDATE_ITEM, CROSSREF_WORK, shape_error

WORK_LIMITS = ("crossref",)
SEARCH_LIMITS = ("crossref", "crossref-search")  # a list query takes a slot of both budgets


def _params(client: HttpClient, extra: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    params = list(extra)
    if client.config.mailto:  # the polite pool: Crossref wants a contact, in the UA and as mailto=
        params.append(("mailto", client.config.mailto))
    return params


def _year(message: dict[str, Any]) -> int | None:
    for key in ("issued", "published-print", "published-online", "published"):
        parts = ((message.get(key) or {}).get("date-parts") or [[None]])[0] or [None]
        if parts and isinstance(parts[0], int):
            return parts[0]
    return None


def _doi(value: object) -> str | None:
    return normalise("doi", str(value)).value if value else None


def parse_work(message: dict[str, Any]) -> Work:
    """A Crossref ``work`` message as a :class:`Work`, with its notices."""
    doi = _doi(message.get("DOI"))
    title = first(message.get("title"))
    subtitle = first(message.get("subtitle"))
    if title and subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    authors = []
    for person in message.get("author") or []:
        family, given, name = clean(person.get("family")), clean(person.get("given")), clean(person.get("name"))
        if family:
            authors.append(f"{family}, {given}" if given else family)
        elif name:
            authors.append(name)
    notices = []
    for update in message.get("updated-by") or []:
        other = _doi(update.get("DOI"))
        if other == doi:  # a record "updated by itself" (PLOS new_version) says nothing about another text
            continue
        notices.append(Notice(notice_type(update.get("type", "")), "crossref",
                              iso_date(((update.get("updated") or {}).get("date-parts") or [[]])[0]),
                              other, None, update.get("label") or "", "updated-by"))
    for update in message.get("update-to") or []:
        target = _doi(update.get("DOI"))
        if target == doi:
            continue
        notices.append(Notice(notice_type(update.get("type", "")), "crossref",
                              iso_date(((update.get("updated") or {}).get("date-parts") or [[]])[0]),
                              doi, None, update.get("label") or "", "is-notice", f"doi:{target}"))
    return Work(
        source="crossref", doi=doi, title=title, authors=tuple(authors), year=_year(message),
        journal=first(message.get("container-title")), journal_abbrev=first(message.get("short-container-title")),
        volume=clean(message.get("volume")), issue=clean(message.get("issue")), pages=pages(clean(message.get("page"))),
        pub_types=(message["type"],) if message.get("type") else (), notices=tuple(sorted(set(notices))),
        has_abstract=bool(message.get("abstract")) if message else None, url=message.get("URL"),
    )


class CrossrefWorks:
    """``/works/{doi}``: the record of one DOI."""

    name = "crossref"
    kinds = ("doi",)
    batch_size = 1
    limit = "crossref"

    def fetch(self, client: HttpClient, idents: Sequence[Identifier], now: str) -> list[Fetched]:
        return [self._one(client, ident, now) for ident in idents]

    def _one(self, client: HttpClient, ident: Identifier, now: str) -> Fetched:
        url = client.url("crossref", "works/" + quote(ident.value, safe="/:;()[]._-"))
        resp = client.get(url, _params(client), limits=WORK_LIMITS)
        if resp.status == 404 and not resp.error:
            return not_found(ident, self.name, now, resp, "Crossref has no record of this DOI",
                             raw=resp.body.decode("utf-8", "replace")[:200])
        problem = check_status(resp)
        if problem:
            return failed(ident, self.name, now, resp, problem)
        try:
            data = read_json(resp)
            if not isinstance(data, dict) or data.get("message-type") != "work" or not isinstance(data.get("message"), dict):
                raise BadAnswer("not a Crossref work record (no message-type 'work')")
            why = shape_error(data["message"], CROSSREF_WORK, "message")
            if why:
                raise BadAnswer(f"unexpected Crossref record ({why})")
            work = parse_work(data["message"])
        except BadAnswer as exc:
            return failed(ident, self.name, now, resp, str(exc))
        return found(ident, self.name, now, resp, data, work)


def parse_updates(items: Sequence[dict[str, Any]], wanted: set[str]) -> dict[str, list[Notice]]:
    """Notices among list ``items`` whose ``update-to`` names one of ``wanted`` DOIs.

    The list is filtered again here: a server (or a mirror) that ignores the filter must not
    make an unrelated notice look like one about our DOI.
    """
    out: dict[str, list[Notice]] = {doi: [] for doi in wanted}
    for item in items:
        notice_doi = _doi(item.get("DOI"))
        for update in item.get("update-to") or []:
            target = _doi(update.get("DOI"))
            if target in out and target != notice_doi:
                out[target].append(Notice(notice_type(update.get("type", "")), "crossref",
                                          iso_date(((update.get("updated") or {}).get("date-parts") or [[]])[0]),
                                          notice_doi, None, update.get("label") or "", "updates-filter"))
    return out


class CrossrefUpdates:
    """``/works?filter=updates:{doi}``: notices deposited about a DOI (a list query)."""

    name = "crossref-updates"
    kinds = ("doi",)
    batch_size = 20
    limit = "crossref-search"

    def fetch(self, client: HttpClient, idents: Sequence[Identifier], now: str) -> list[Fetched]:
        filters = ",".join(f"updates:{i.value}" for i in idents)
        params = _params(client, [("filter", filters), ("rows", "1000"), ("select", "DOI,type,title,update-to")])
        resp = client.get(client.url("crossref", "works"), params, limits=SEARCH_LIMITS)
        problem = check_status(resp)
        try:
            if problem:
                raise BadAnswer(problem)
            data = read_json(resp)
            if not isinstance(data, dict) or data.get("message-type") != "work-list":
                raise BadAnswer("not a Crossref work list (no message-type 'work-list')")
            items = data["message"].get("items") or []
            why = shape_error(items, [CROSSREF_UPDATE_ITEM], "message.items")
            if why:
                raise BadAnswer(f"unexpected Crossref work list ({why})")
        except (BadAnswer, KeyError, AttributeError) as exc:
            return [failed(i, self.name, now, resp, str(exc)) for i in idents]
        by_doi = parse_updates(items, {i.value for i in idents})
        out = []
        for ident in idents:
            notices = tuple(sorted(set(by_doi[ident.value])))
            raw = {"filter": f"updates:{ident.value}",
                   "items": [it for it in items if any(_doi(u.get("DOI")) == ident.value
                                                       for u in it.get("update-to") or [])]}
            out.append(found(ident, self.name, now, resp, raw, Work(source=self.name, doi=ident.value, notices=notices)))
        return out


def search(client: HttpClient, text: str, rows: int = 5) -> tuple[list[tuple[Work, float]], str | None]:
    """Bibliographic search for a printed reference: candidates with Crossref's relevance score.

    The score is Crossref's, not a probability; callers compare titles themselves before
    accepting a match (a low score is reported for an editor to confirm, never accepted).
    """
    params = _params(client, [("query.bibliographic", text), ("rows", str(rows)),
                              ("select", "DOI,title,subtitle,author,issued,container-title,volume,issue,page,type,score")])
    resp = client.get(client.url("crossref", "works"), params, limits=SEARCH_LIMITS)
    problem = check_status(resp)
    if problem:
        return [], problem
    try:
        data = read_json(resp)
        items = data["message"]["items"]
        if not isinstance(items, list):
            raise BadAnswer("unexpected Crossref search answer (items is not a list)")
    except (BadAnswer, KeyError, TypeError) as exc:
        return [], str(exc)
    usable = [item for item in items if shape_error(item, CROSSREF_SEARCH_ITEM) is None]  # skip malformed items
    return [(parse_work(item), float(item.get("score") or 0.0)) for item in usable], None
