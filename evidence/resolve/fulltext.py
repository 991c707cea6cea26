"""Resolve stage, full text: Europe PMC's ``/{PMCID}/fullTextXML`` for open-access articles.

Europe PMC serves the JATS XML of the articles it may redistribute (its search answer says
``isOpenAccess: Y``); for any other PMCID it answers 404. Three outcomes, as for metadata:
a text (``found``), no text at the source (``not_found``, stored), and a failure (network,
an HTML error page, broken XML), which is returned to the caller and never stored.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .abstracts import jats_fulltext
from .base import _looks_like_html, check_status
from .cache import sha256
from .http import HttpClient
from .ids import Identifier
from .texts import SourceText

SOURCE = "europepmc-fulltext"


def fetch_fulltext(client: HttpClient, pmcid: Identifier, now: str) -> tuple[SourceText | None, str | None]:
    """(text, None) when Europe PMC answered, (None, why) when the fetch failed."""
    url = client.url("europepmc", f"{pmcid.value}/fullTextXML")
    resp = client.get(url, limits=("europepmc",), accept="application/xml")
    if resp.status == 404 and not resp.error:
        return SourceText(pmcid.key, SOURCE, "not_found", now, url=resp.url,
                          sha256=sha256(resp.body) if resp.body else None,
                          reason="Europe PMC has no open-access full text for this PMCID"), None
    problem = check_status(resp)
    if problem:
        return None, problem
    if _looks_like_html(resp):
        return None, f"expected JATS XML, got an HTML page with HTTP {resp.status}"
    try:
        root = ET.fromstring(resp.body)
    except ET.ParseError as exc:
        return None, f"malformed XML from the service ({exc})"
    if root.tag != "article":
        return None, f"expected a JATS <article>, got <{root.tag}>"
    sections = tuple(jats_fulltext(resp.body))
    if not sections:
        return SourceText(pmcid.key, SOURCE, "not_found", now, url=resp.url, sha256=sha256(resp.body),
                          reason="the full text has no body text (PDF or scan only)"), None
    return SourceText(pmcid.key, SOURCE, "found", now, url=resp.url, sha256=sha256(resp.body), sections=sections), None
