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
