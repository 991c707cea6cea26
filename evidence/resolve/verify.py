"""Verify stage: each BibTeX record against the metadata the cache holds for it. No network.

For every reference: mismatches (field, library value, source value, which service),
identifiers the library lacks (DOI <-> PMID <-> PMCID), fields it lacks, and notices
(retraction, correction, expression of concern) with their source and date. A reference
with no notice is "none found as of DATE" from the services that answered, never "clean":
the answer is only as good as the day it was fetched, and a service that failed is named.

A field disagrees only when no service agrees with the library (Crossref and PubMed often
differ with each other in small ways); the value shown is the most trusted service's:
Crossref (the publisher's deposit), then PubMed, then Europe PMC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from .compare import same_family, same_journal, same_number, same_pages, same_title
from .ids import Identifier
from .library import Ref
from .records import Fetched, Work

PREFERENCE = ("crossref", "pubmed", "europepmc", "pmc-idconv", "crossref-updates")
NOTICE_SOURCES = ("crossref", "crossref-updates", "pubmed", "europepmc")
# BibTeX field a comparison field is written to by --write
BIB_FIELD = {"title": "title", "first_author": "author", "author_count": "author", "author": "author",
             "journal": "journal", "year": "year", "volume": "volume", "issue": "number", "pages": "pages",
             "doi": "doi", "pmid": "pmid", "pmcid": "pmcid"}
IDENTIFIER_FIELDS = ("doi", "pmid", "pmcid")


@dataclass(frozen=True)
class Mismatch:
    field: str
    library: Any
    source: Any
    service: str
    similarity: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"field": self.field, "library": self.library, "source": self.source, "service": self.service}
        if self.similarity is not None:
            out["similarity"] = self.similarity
        return out


@dataclass(frozen=True)
class Missing:
    """A value the library lacks and a service has (an identifier, or a bibliographic field)."""

    field: str
    value: Any
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "source": self.source}


@dataclass(frozen=True)
class SourceAnswer:
    source: str
    identifier: str
    status: str
    fetched_at: str
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "identifier": self.identifier, "status": self.status,
                "fetched_at": self.fetched_at, "error": self.error}


@dataclass(frozen=True)
class ReferenceReport:
    """Everything verify knows about one reference."""

    citekey: str
    file: str
    line: int
    status: str  # ok | mismatch | notice | retracted | not_found | failed | not_resolved | no_identifier
    identifiers: Mapping[str, str | None]
    sources: tuple[SourceAnswer, ...] = ()
    mismatches: tuple[Mismatch, ...] = ()
    missing_identifiers: tuple[Missing, ...] = ()
    missing_fields: tuple[Missing, ...] = ()
    notices: tuple[Mapping[str, Any], ...] = ()
    notice_check: str = "not checked"
    retracted: bool = False
    curated: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "citekey": self.citekey, "file": self.file, "line": self.line, "status": self.status,
            "identifiers": dict(self.identifiers), "retracted": self.retracted,
            "mismatches": [m.as_dict() for m in self.mismatches],
            "missing_identifiers": [m.as_dict() for m in self.missing_identifiers],
            "missing_fields": [m.as_dict() for m in self.missing_fields],
            "notices": [dict(n) for n in self.notices], "notice_check": self.notice_check,
            "sources": [s.as_dict() for s in self.sources], "curated": list(self.curated),
        }


def curated_fields(ref: Ref) -> tuple[str, ...]:
    """``curated = {title, doi}``: fields an editor verified by hand (never overwritten)."""
    text = ref.fields.get("curated") or ""
    return tuple(sorted({f.strip().lower() for f in str(text).replace(";", ",").split(",") if f.strip()}))


def _ordered(answers: Mapping[tuple[str, Identifier], Fetched]) -> list[Fetched]:
    rank = {name: i for i, name in enumerate(PREFERENCE)}
    return sorted(answers.values(), key=lambda f: (rank.get(f.source, 99), f.identifier))


def _authors(ref: Ref) -> list[str]:
    value = ref.fields.get("authors")
    return list(value) if isinstance(value, (list, tuple)) else []


def compare(ref: Ref, works: Sequence[Work]) -> tuple[list[Mismatch], list[Missing], list[Missing]]:
    """Mismatches, missing identifiers and missing fields of ``ref`` against found ``works``."""
    biblio = [w for w in works if w.source in ("crossref", "pubmed", "europepmc")]
    mismatches: list[Mismatch] = []
    missing_fields: list[Missing] = []
    f = ref.fields
    authors = _authors(ref)
    truncated = bool(authors) and authors[-1].strip().lower() in ("others", "et al.", "et al")

    def check(name: str, mine: Any, theirs: Sequence[tuple[Work, Any]], same) -> None:
        theirs = [(w, v) for w, v in theirs if v not in (None, "", ())]
        if not theirs:
            return
        if mine in (None, "") or (isinstance(mine, float) and mine != mine):
            missing_fields.append(Missing(name, theirs[0][1], theirs[0][0].source))
            return
        results = [same(mine, w, v) for w, v in theirs]
        if any(ok for ok, _ in results):
            return
        mismatches.append(Mismatch(name, mine, theirs[0][1], theirs[0][0].source, results[0][1]))

    check("title", f.get("title"), [(w, w.title) for w in biblio], lambda m, w, v: same_title(m, v))
    first = authors[0] if authors else None
    check("first_author", first.split(",")[0].strip() if first and "," in first else first,
          [(w, w.authors[0].split(",")[0] if w.authors else None) for w in biblio],
          lambda m, w, v: (same_family(m, v), None))
    if authors and not truncated:
        check("author_count", len(authors), [(w, len(w.authors) or None) for w in biblio],
              lambda m, w, v: (m == v, None))
    check("year", f.get("year"), [(w, w.year) for w in biblio], lambda m, w, v: (int(m) == int(v), None))
    check("journal", f.get("journal"), [(w, w.journal) for w in biblio],
          lambda m, w, v: (same_journal(m, w.journal, w.journal_abbrev), None))
    check("volume", f.get("volume"), [(w, w.volume) for w in biblio], lambda m, w, v: (same_number(m, v), None))
    check("issue", f.get("issue"), [(w, w.issue) for w in biblio], lambda m, w, v: (same_number(m, v), None))
    check("pages", f.get("pages"), [(w, w.pages) for w in biblio], lambda m, w, v: (same_pages(m, v), None))
    # a missing author list is offered whole, not as 'first_author'/'author_count'
    missing_fields = [m for m in missing_fields if m.field not in ("first_author", "author_count")]
    if not authors:
        with_authors = [w for w in biblio if w.authors]
        if with_authors:
            missing_fields.append(Missing("author", " and ".join(with_authors[0].authors), with_authors[0].source))
    missing_ids: list[Missing] = []
    for kind in IDENTIFIER_FIELDS:
        mine = f.get(kind)
        theirs = [(w, getattr(w, kind)) for w in works if getattr(w, kind)]
        if not theirs:
            continue
        if not mine:
            missing_ids.append(Missing(kind, theirs[0][1], theirs[0][0].source))
        elif not any(str(v).lower() == str(mine).lower() for _, v in theirs):
            mismatches.append(Mismatch(kind, mine, theirs[0][1], theirs[0][0].source))
    return mismatches, missing_ids, missing_fields


def merge_notices(works: Iterable[Work]) -> list[dict[str, Any]]:
    """One entry per notice, naming every service that reported it."""
    merged: dict[tuple, dict[str, Any]] = {}
    for work in works:
        for n in work.notices:
            key = (n.type, n.relation == "is-notice", n.doi or n.pmid or n.source)
            source = "crossref" if n.source.startswith("crossref") else n.source
            if key in merged:
                entry = merged[key]
                if source not in entry["sources"]:
                    entry["sources"].append(source)
                for k in ("date", "doi", "pmid", "target"):
                    entry[k] = entry[k] or getattr(n, k)
                continue
            merged[key] = {"type": n.type, "source": source, "sources": [source], "date": n.date, "doi": n.doi,
                           "pmid": n.pmid, "label": n.label, "relation": n.relation, "target": n.target,
                           "retraction": n.retracts}
    return sorted(merged.values(), key=lambda e: (not e["retraction"], e["date"] or "", e["type"]))


def verify_reference(ref: Ref, answers: Mapping[tuple[str, Identifier], Fetched],
                     never_fetched: Sequence[str] = ()) -> ReferenceReport:
    """Compare one reference with its cached answers (see the module docstring).

    ``never_fetched`` names the sources it needs that the cache has no answer from (a failed
    fetch is not stored), so "never fetched" is told apart from "not found at the source".
    """
    ids = {kind: ref.fields.get(kind) or None for kind in IDENTIFIER_FIELDS}
    base = dict(citekey=ref.citekey, file=ref.file, line=ref.line, identifiers=ids, curated=curated_fields(ref))
    if not ref.idents:
        return ReferenceReport(status="no_identifier", notice_check="not checked: no DOI, PMID or PMCID", **base)
    fetched = _ordered(answers)
    if not fetched:
        return ReferenceReport(status="not_resolved", notice_check="not checked: run `evidence resolve`", **base)
    states = tuple(SourceAnswer(a.source, a.identifier, a.status, a.fetched_at, a.error) for a in fetched)
    works = [a.work for a in fetched if a.status == "found" and a.work is not None]
    mismatches, missing_ids, missing_fields = compare(ref, works)
    notices = merge_notices(works)
    retracted = any(n["retraction"] for n in notices)
    checked = [a for a in fetched if a.source in NOTICE_SOURCES and a.status == "found"]
    broken = sorted({f"{a.source} ({a.error or a.status})" for a in fetched
                     if a.source in NOTICE_SOURCES and a.status == "failed"}
                    | {f"{s} (never fetched: run `evidence resolve`)" for s in never_fetched if s in NOTICE_SOURCES})
    if notices:
        notice_check = "found"
    elif checked:
        as_of = min(a.fetched_at for a in checked)[:10]
        names = ", ".join(sorted({a.source for a in checked}))
        notice_check = f"none found as of {as_of} ({names})"
        if broken:
            notice_check += "; not checked: " + "; ".join(broken)
    else:
        notice_check = "not checked: " + ("; ".join(broken) if broken else "no service has a record")
    if retracted:
        status = "retracted"
    elif any(n["type"] != "new_version" for n in notices):
        status = "notice"
    elif mismatches:
        status = "mismatch"
    elif works:
        status = "ok"
    elif all(a.status == "failed" for a in fetched):
        status = "failed"
    else:
        status = "not_found"
    return ReferenceReport(status=status, sources=states, mismatches=tuple(mismatches),
                           missing_identifiers=tuple(missing_ids), missing_fields=tuple(missing_fields),
                           notices=tuple(notices), notice_check=notice_check, retracted=retracted, **base)


@dataclass(frozen=True)
class Change:
    """One field ``--write`` set (or refused to set, with the reason)."""

    citekey: str
    file: str
    field: str
    old: Any
    new: Any
    source: str
    written: bool
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"citekey": self.citekey, "file": self.file, "field": self.field, "old": self.old, "new": self.new,
                "source": self.source, "written": self.written, "reason": self.reason}


def planned_changes(report: ReferenceReport, fields: Iterable[str]) -> list[Change]:
    """What ``--write`` would set for the asked ``fields`` (BibTeX names), curated ones refused.

    Missing values are filled; differing bibliographic values are replaced; a differing
    identifier is never replaced (it is what the metadata was looked up by: a person decides).
    """
    asked = {f.lower() for f in fields}
    out: list[Change] = []
    seen: set[str] = set()
    candidates: list[tuple[str, Any, Any, str]] = []
    for m in report.missing_identifiers + report.missing_fields:
        candidates.append((BIB_FIELD.get(m.field, m.field), None, m.value, m.source))
    for mm in report.mismatches:
        bib = BIB_FIELD.get(mm.field, mm.field)
        if mm.field in IDENTIFIER_FIELDS or bib == "author":
            continue  # identifiers: a person decides; authors: the count/first name alone cannot rebuild the list
        candidates.append((bib, mm.library, mm.source, mm.service))
    for bib, old, new, source in candidates:
        if bib not in asked or bib in seen:
            continue
        seen.add(bib)
        if bib in report.curated:
            out.append(Change(report.citekey, report.file, bib, old, new, source, False, "curated"))
        else:
            out.append(Change(report.citekey, report.file, bib, old, new, source, True))
    return out


@dataclass(frozen=True)
class VerifyReport:
    checked_at: str
    references: tuple[ReferenceReport, ...]
    changes: tuple[Change, ...] = ()
    problems: tuple[Any, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.references:
            out[r.status] = out.get(r.status, 0) + 1
        return dict(sorted(out.items()))

    def as_dict(self) -> dict[str, Any]:
        return {"checked_at": self.checked_at, "summary": self.counts(),
                "references": [r.as_dict() for r in self.references],
                "changes": [c.as_dict() for c in self.changes],
                "problems": [str(p) for p in self.problems]}

