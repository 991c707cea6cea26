"""Identifiers as the resolver sees them: a kind and a normalised value.

The rules themselves (what a DOI, PMID or PMCID looks like, and how to explain a bad one)
live in :mod:`evidence.identifiers` and are shared with the BibTeX reader; this module only
parses what a user types (``10.x/y``, ``doi:...``, ``https://doi.org/...``, ``pmid:123``,
``PMC123``) and gives every identifier one spelling, which is also its cache key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..identifiers import explain_doi, explain_pmcid, explain_pmid, normalise_doi, normalise_pmcid, normalise_pmid

Kind = Literal["doi", "pmid", "pmcid"]
KINDS: tuple[Kind, ...] = ("doi", "pmid", "pmcid")


@dataclass(frozen=True, order=True)
class Identifier:
    """A normalised identifier; ``key`` (``doi:10.1/x``) names it in the cache and in reports."""

    kind: Kind
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"

    def __str__(self) -> str:
        return self.key


class BadIdentifier(ValueError):
    """What the user typed is not a DOI, PMID or PMCID; ``hint`` says how to write one."""

    def __init__(self, text: str, message: str, hint: str):
        super().__init__(message)
        self.text = text
        self.message = message
        self.hint = hint


def normalise(kind: Kind, value: str) -> Identifier:
    """One spelling per identifier: bare lower-case DOI, digits-only PMID, upper-case PMCID."""
    if kind == "doi":
        return Identifier("doi", normalise_doi(value))
    if kind == "pmid":
        return Identifier("pmid", normalise_pmid(value))
    return Identifier("pmcid", normalise_pmcid(value))


def explain(ident: Identifier) -> str:
    """Empty when valid, else how to write it (the rules of :mod:`evidence.identifiers`)."""
    return {"doi": explain_doi, "pmid": explain_pmid, "pmcid": explain_pmcid}[ident.kind](ident.value)


_PREFIX = re.compile(r"^\s*(doi|pmid|pmcid)\s*:\s*", re.IGNORECASE)


def parse(text: str) -> Identifier:
    """Parse a user-typed identifier; raise :class:`BadIdentifier` with a fix when it is not one."""
    raw = text.strip()
    match = _PREFIX.match(raw)
    if match:
        kind: Kind = match.group(1).lower()  # type: ignore[assignment]
        ident = normalise(kind, raw[match.end():])
    elif re.match(r"^(https?://(dx\.)?doi\.org/)?10\.", raw, re.IGNORECASE):
        ident = normalise("doi", raw)
    elif re.match(r"^PMC\d+$", raw, re.IGNORECASE):
        ident = normalise("pmcid", raw)
    elif raw.isdigit():
        ident = normalise("pmid", raw)
    else:
        raise BadIdentifier(text, f"'{text}' is not a DOI, PMID or PMCID",
                            "write a DOI (10.1234/abc), pmid:12345678 or pmcid:PMC1234567")
    why = explain(ident)
    if why:
        raise BadIdentifier(text, f"'{text}' is not a valid {ident.kind.upper()}", why)
    return ident


def from_fields(doi: object, pmid: object, pmcid: object) -> list[Identifier]:
    """The valid identifiers of a record (invalid ones are reported by the BibTeX reader)."""
    out = []
    for kind, value in (("doi", doi), ("pmid", pmid), ("pmcid", pmcid)):
        if isinstance(value, str) and value.strip():
            ident = normalise(kind, value)  # type: ignore[arg-type]
            if not explain(ident):
                out.append(ident)
    return out
