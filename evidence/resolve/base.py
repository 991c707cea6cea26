"""The one small interface every metadata source implements, and the shared answer checks.

A source says which identifier kinds it answers for, how many it can take in one request
(``batch_size``; NCBI takes 200 PMIDs at once, Crossref one DOI per ``/works/{doi}``), and
fetches them, turning every outcome into a :class:`Fetched` (never an exception): a
network failure, a 404, a 200 that is really an HTML error page, malformed JSON.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any, Protocol, Sequence

from .cache import sha256
from .http import HttpClient, Response
from .ids import Identifier, Kind
from .records import Fetched, Work


class Source(Protocol):
    """What a metadata source must provide (manubot's per-source module, reduced to four names)."""

    name: str  # cache folder and the name shown in reports
    kinds: tuple[Kind, ...]  # identifier kinds it answers for
    batch_size: int  # identifiers per request
    limit: str  # the limiter whose concurrency sizes its worker pool

    def fetch(self, client: HttpClient, idents: Sequence[Identifier], now: str) -> list[Fetched]:
        """One request for ``idents``; one :class:`Fetched` per identifier, in any order."""
        ...


class BadAnswer(ValueError):
    """The service answered 2xx, but not with what it documents; the message says what it was."""


def failed(ident: Identifier, source: str, now: str, resp: Response | None, error: str) -> Fetched:
    return Fetched(ident.key, source, "failed", now, url=resp.url if resp else "",
                   http_status=resp.status if resp else None,
                   sha256=sha256(resp.body) if resp and resp.body else None,
                   content_type=resp.content_type if resp else "", error=error)


def check_status(resp: Response) -> str | None:
    """None when the answer is a 2xx to read; else the failure reason (404 is handled by callers)."""
    if resp.error:
        return resp.error
    if resp.status is None or not 200 <= resp.status < 300:
        snippet = resp.body[:80].decode("utf-8", "replace").strip()
        return f"HTTP {resp.status}" + (f": {snippet}" if snippet and not snippet.startswith("<") else "")
    return None


def _looks_like_html(resp: Response) -> bool:
    head = resp.body.lstrip()[:200].lower()
    return "html" in resp.content_type.lower() or head.startswith(b"<!doctype html") or head.startswith(b"<html")


def read_json(resp: Response) -> Any:
    """The JSON body, or :class:`BadAnswer` naming what came instead (HTML page, broken JSON)."""
    if _looks_like_html(resp):
        title = re.search(rb"<title>(.*?)</title>", resp.body, re.I | re.S)
        shown = f" ('{title.group(1).decode('utf-8', 'replace').strip()[:60]}')" if title else ""
        raise BadAnswer(f"expected JSON, got an HTML page{shown} with HTTP {resp.status}")
    try:
        return json.loads(resp.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadAnswer(f"malformed JSON from the service ({str(exc)[:80]})") from None


def read_xml(resp: Response, root: str) -> ET.Element:
    """The XML body with the documented root element, or :class:`BadAnswer`."""
    if _looks_like_html(resp):
        raise BadAnswer(f"expected XML, got an HTML page with HTTP {resp.status}")
    try:
        element = ET.fromstring(resp.body)
    except ET.ParseError as exc:
        raise BadAnswer(f"malformed XML from the service ({exc})") from None
    if element.tag != root:
        message = element.findtext(".//ERROR") or element.tag
        raise BadAnswer(f"expected <{root}>, got <{element.tag}>: {message[:80]}")
    return element


def found(ident: Identifier, source: str, now: str, resp: Response, raw: Any, work: Work) -> Fetched:
    return Fetched(ident.key, source, "found", now, url=resp.url, http_status=resp.status, sha256=sha256(resp.body),
                   content_type=resp.content_type, raw=raw, work=work)


def not_found(ident: Identifier, source: str, now: str, resp: Response, why: str, raw: Any = None) -> Fetched:
    return Fetched(ident.key, source, "not_found", now, url=resp.url, http_status=resp.status,
                   sha256=sha256(resp.body) if resp.body else None, content_type=resp.content_type,
                   raw=raw, error=why)


# -- small text helpers shared by the parsers ------------------------------------------------

_TAG = re.compile(r"<[^>]+>")
MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                      "nov", "dec"], start=1)}


def clean(text: object) -> str | None:
    """Text without markup (Crossref titles carry <i>, <sub>; Europe PMC &amp;), spaces collapsed."""
    if text is None:
        return None
    value = html.unescape(_TAG.sub("", str(text)))
    value = " ".join(value.split())
    return value or None


def first(value: object) -> str | None:
    """Crossref wraps titles in lists; Europe PMC does not."""
    if isinstance(value, list):
        return clean(value[0]) if value else None
    return clean(value)


def iso_date(parts: Sequence[object] | None) -> str | None:
    """[2012, 5, 8] -> '2012-05-08'; partial dates stay partial; [None] -> None."""
    nums = [int(p) for p in (parts or []) if isinstance(p, (int, float)) or (isinstance(p, str) and p.isdigit())]
    if not nums:
        return None
    fmt = ["%04d", "%04d-%02d", "%04d-%02d-%02d"][min(len(nums), 3) - 1]
    return fmt % tuple(nums[:3])


def date_in_text(text: str | None) -> str | None:
    """'Cell Rep. 2022 Jun 28;39(13):111044.' -> '2022-06-28' (PubMed RefSource style)."""
    if not text:
        return None
    match = re.search(r"\b((?:19|20)\d\d)(?:\s+([A-Z][a-z]{2})(?:\s+(\d{1,2}))?)?", text)
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    parts: list[object] = [int(year)]
    if month and month.lower() in MONTHS:
        parts.append(MONTHS[month.lower()])
        if day:
            parts.append(int(day))
    return iso_date(parts)


def pages(value: str | None) -> str | None:
    """One spelling for page ranges: '12--23', '12–23' -> '12-23'."""
    if not value:
        return None
    return re.sub(r"\s*(--|–|—|-)\s*", "-", value.strip()) or None


def today() -> str:
    return date.today().isoformat()
