"""Identifier rules (DOI, PMID, PMCID): normalise, and explain what is wrong with a bad one.

Shared by the BibTeX reader, the reference-list checks and the metadata resolvers.
"""

from __future__ import annotations

import re

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
PMID_RE = re.compile(r"^[1-9]\d{0,8}$")
PMCID_RE = re.compile(r"^PMC\d{1,9}$")


def normalise_doi(value: str) -> str:
    """Bare, lower-case DOI: DOIs are case-insensitive, and URL or 'doi:' prefixes are common."""
    value = value.strip()
    value = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", value, flags=re.IGNORECASE)
    return value.rstrip(".,;").lower()


def normalise_pmid(value: str) -> str:
    """Digits only, no leading zeros."""
    value = value.strip()
    return value.lstrip("0") or value


def normalise_pmcid(value: str) -> str:
    """Upper case with its 'PMC' prefix ('5749614' and 'pmc5749614' -> 'PMC5749614')."""
    pmc = value.strip().upper()
    return pmc if pmc.startswith("PMC") else "PMC" + pmc


def explain_doi(value: str) -> str:
    if not value.startswith("10."):
        return "a DOI starts with '10.' (write it bare, without https://doi.org/)"
    if not DOI_RE.match(value):
        return "a DOI looks like 10.NNNN/suffix, with no spaces"
    return ""


def explain_pmid(value: str) -> str:
    return "" if PMID_RE.match(value) else "a PMID is 1 to 9 digits, with no prefix"


def explain_pmcid(value: str) -> str:
    return "" if PMCID_RE.match(value.upper()) else "a PMCID is 'PMC' followed by digits, e.g. PMC5749614"


_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f<>\"`\\]")


def is_safe_url(value: str) -> bool:
    """The one URL rule for anything that reaches an ``href``, a ``src`` or JSON-LD.

    Only absolute ``http``/``https`` addresses with a host, and no spaces, quotes, angle
    brackets, backslashes or control characters: ``javascript:``, ``data:``, ``vbscript:``,
    protocol-relative ``//host`` and every obfuscated spelling of them are refused (browsers
    strip tabs and newlines inside a scheme, so those are refused too).
    """
    if not isinstance(value, str) or _URL_FORBIDDEN.search(value):
        return False
    match = re.match(r"^(https?)://([^/?#@]*@)?([^/?#:]+)(:\d{1,5})?([/?#].*)?$", value, re.IGNORECASE)
    return bool(match and match.group(3) and not match.group(3).startswith("."))
