"""Records of the resolve stage, as frozen dataclasses with plain-dict round trips.

``Work`` is one source's view of a publication, in the shape the BibTeX side uses (authors
as "Family, Given", pages as "12-23"), so verification compares like with like. ``Notice``
is a retraction, correction or expression of concern *about* a work. ``Fetched`` is one
answer of one source for one identifier, exactly what the cache stores.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Status = Literal["found", "not_found", "failed"]

# Notice types after normalisation; Crossref's vocabulary, PubMed's mapped onto it.
RETRACTING = frozenset({"retraction", "partial_retraction", "withdrawal", "removal"})
NOTICE_TYPES = {
    "retraction": "retraction", "partial_retraction": "partial_retraction", "withdrawal": "withdrawal",
    "removal": "removal", "correction": "correction", "erratum": "correction", "corrigendum": "correction",
    "expression_of_concern": "expression_of_concern", "new_version": "new_version", "addendum": "addendum",
    "clarification": "clarification",
}


def notice_type(raw: str) -> str:
    """Crossref writes 'expression_of_concern', Europe PMC 'Expression of concern in': one spelling."""
    key = raw.strip().lower().replace("-", "_").replace(" ", "_")
    return NOTICE_TYPES.get(key, key)


@dataclass(frozen=True, order=True)
class Notice:
    """A notice about a work: what it is, who said so, when, and the notice's own identifiers.

    ``relation`` says how it was found: ``updated-by`` (Crossref record of the work),
    ``updates-filter`` (a Crossref notice whose ``update-to`` names the work),
    ``publication-type`` / ``comments-corrections`` (PubMed, Europe PMC), or ``is-notice``
    when the cited record is *itself* a notice about another work (``target``).
    """

    type: str
    source: str
    date: str | None = None
    doi: str | None = None
    pmid: str | None = None
    label: str = ""
    relation: str = ""
    target: str | None = None

    @property
    def retracts(self) -> bool:
        return self.type in RETRACTING and self.relation != "is-notice"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Work:
    """One source's metadata for one publication; absent values are None."""

    source: str
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None
    journal: str | None = None
    journal_abbrev: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    pub_types: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()
    has_abstract: bool | None = None
    open_access: bool | None = None
    url: str | None = None

    @property
    def retracted(self) -> bool:
        return any(n.retracts for n in self.notices)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["pub_types"] = list(self.pub_types)
        data["notices"] = [n.as_dict() for n in self.notices]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Work":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["authors"] = tuple(values.get("authors") or ())
        values["pub_types"] = tuple(values.get("pub_types") or ())
        notice_fields = {f.name for f in fields(Notice)}
        values["notices"] = tuple(Notice(**{k: v for k, v in n.items() if k in notice_fields})
                                  for n in values.get("notices") or ())
        return cls(**values)


@dataclass(frozen=True)
class Fetched:
    """One source's answer for one identifier: what the cache stores, one file each.

    ``status`` keeps three outcomes apart: ``found`` (a record, maybe with no notice),
    ``not_found`` (the service says it has no such record) and ``failed`` (we could not ask,
    or could not read the answer; ``error`` says why). Absence of a notice is only ever
    "none found as of ``fetched_at``" from a ``found`` answer.
    """

    identifier: str
    source: str
    status: Status
    fetched_at: str
    url: str = ""
    http_status: int | None = None
    sha256: str | None = None
    content_type: str = ""
    raw: Any = None
    error: str | None = None
    work: Work | None = None
    from_cache: bool = field(default=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": 1, "identifier": self.identifier, "source": self.source, "status": self.status,
            "fetched_at": self.fetched_at, "url": self.url, "http_status": self.http_status,
            "sha256": self.sha256, "content_type": self.content_type, "error": self.error,
            "work": self.work.as_dict() if self.work else None, "raw": self.raw,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Fetched":
        work = data.get("work")
        return cls(identifier=data["identifier"], source=data["source"], status=data["status"],
                   fetched_at=data["fetched_at"], url=data.get("url", ""), http_status=data.get("http_status"),
                   sha256=data.get("sha256"), content_type=data.get("content_type", ""), raw=data.get("raw"),
                   error=data.get("error"), work=Work.from_dict(work) if work else None, from_cache=True)
