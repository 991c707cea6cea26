"""New library entries: one record shape for every way in, stable citekeys, duplicate rules,
clean BibTeX text, and an atomic append.

``evidence add`` (from fetched metadata) and ``evidence import`` (from RIS, CSL-JSON or
BibTeX) both turn what they read into a :class:`Candidate`, refuse it when the library
already has the work (same DOI, PMID or PMCID, or the same normalised title + first author
+ year) naming the entry it duplicates, and append the rest in the library's own style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

from .bibwrite import write_atomic
from .compare import family, fold
from ..read.candidate import Candidate
from .ids import normalise
from .library import Ref
from .records import Work

STOPWORDS = frozenset("a an the of on in and for to with from by at is are as its it into vs versus".split())
TYPE_FROM_CROSSREF = {"journal-article": "article", "proceedings-article": "inproceedings", "book-chapter": "incollection",
                      "book": "book", "monograph": "book", "report": "techreport", "dissertation": "phdthesis"}
FIELD_ORDER = ("author", "title", "journal", "year", "volume", "number", "pages", "doi", "pmid", "pmcid", "url")


def from_work(work: Work, origin: str, extra: Iterable[Work] = ()) -> Candidate:
    """A candidate from fetched metadata; ``extra`` works only fill identifiers it lacks."""
    entry_type = TYPE_FROM_CROSSREF.get(work.pub_types[0], "article") if work.source == "crossref" and work.pub_types \
        else "article"
    cand = Candidate(origin, entry_type, work.title, work.authors, work.journal, work.year, work.volume, work.issue,
                     work.pages, work.doi, work.pmid, work.pmcid,
                     f"https://doi.org/{work.doi}" if work.doi else work.url,
                     pub_types=work.pub_types if work.source != "crossref" else ())  # Crossref's are work types
    for other in extra:
        cand = replace(cand, doi=cand.doi or other.doi, pmid=cand.pmid or other.pmid, pmcid=cand.pmcid or other.pmcid,
                       pub_types=cand.pub_types or other.pub_types)
    return cand.normalised()


@dataclass(frozen=True)
class Duplicate:
    citekey: str
    where: str
    reason: str

    def __str__(self) -> str:
        return f"duplicates {self.citekey} ({self.where}): {self.reason}"


def _signature(title: object, first_author: object, year: object) -> tuple[str, str, str] | None:
    t, a = fold(str(title or "")).rstrip(), family(str(first_author or ""))
    return (t, a, str(year)) if t and a and year else None  # no year (None, "" or 0): the rule cannot apply


def _page(title: object, url: object) -> tuple[str, str] | None:
    """Title + URL: how a web page with no author, year or identifier is recognised again."""
    t = fold(str(title or ""))
    u = re.sub(r"^(https?:)?//(www\.)?", "", str(url or "").strip()).rstrip("/").lower()
    return (t, u) if t and u else None


class Registry:
    """What the library holds, for duplicate checks; grows as entries are accepted."""

    def __init__(self, refs: Sequence[Ref]):
        self.by_id: dict[tuple[str, str], tuple[str, str]] = {}
        self.by_sig: dict[tuple[str, str, str], tuple[str, str]] = {}
        self.by_page: dict[tuple[str, str], tuple[str, str]] = {}
        self.keys: set[str] = set()
        for ref in refs:
            f = ref.fields
            authors = f.get("authors") or []
            self._add(ref.citekey, f"{ref.file}:{ref.line}", f.get("doi"), f.get("pmid"), f.get("pmcid"),
                      f.get("title"), authors[0] if authors else None, f.get("year"), f.get("url"))

    def _add(self, key: str, where: str, doi: object, pmid: object, pmcid: object, title: object,
             first_author: object, year: object, url: object = None) -> None:
        page = _page(title, url)
        if page:
            self.by_page.setdefault(page, (key, where))
        self.keys.add(key)
        for kind, value in (("doi", doi), ("pmid", pmid), ("pmcid", pmcid)):
            if value:
                self.by_id.setdefault((kind, normalise(kind, str(value)).value), (key, where))  # type: ignore[arg-type]
        sig = _signature(title, first_author, year)
        if sig:
            self.by_sig.setdefault(sig, (key, where))

    def duplicate(self, cand: Candidate) -> Duplicate | None:
        for kind in ("doi", "pmid", "pmcid"):
            value = getattr(cand, kind)
            if value and (kind, value) in self.by_id:
                key, where = self.by_id[(kind, value)]
                return Duplicate(key, where, f"same {kind.upper()} {value}")
        sig = _signature(cand.title, cand.authors[0] if cand.authors else None, cand.year)
        if sig and sig in self.by_sig:
            key, where = self.by_sig[sig]
            return Duplicate(key, where, "same title, first author and year")
        page = _page(cand.title, cand.url)
        if page and page in self.by_page:
            key, where = self.by_page[page]
            return Duplicate(key, where, "same title and URL")
        return None

    def accept(self, cand: Candidate, key: str, where: str) -> None:
        self._add(key, where, cand.doi, cand.pmid, cand.pmcid, cand.title,
                  cand.authors[0] if cand.authors else None, cand.year, cand.url)

    def citekey(self, cand: Candidate) -> str:
        """``firstauthorYEARword`` in lower-case ASCII (docs/workspace-format.md); b, c... on collision.

        Stable: the same metadata gives the same key, so re-running an import is predictable.
        """
        hint = cand.key_hint
        if hint and re.fullmatch(r"[A-Za-z0-9_.:+-]+", hint) and hint not in self.keys:
            return hint
        name = re.sub(r"[^a-z]", "", family(cand.authors[0]) if cand.authors else "") or "anon"
        words = [w for w in fold(cand.title or "").split() if w not in STOPWORDS and w.isalnum()]
        base = f"{name}{cand.year or 'nd'}{words[0] if words else ''}"
        key, n = base, 1
        while key in self.keys:
            n += 1
            key = base + chr(ord("a") + n - 1)  # smith2017trial, smith2017trialb, ...
        return key


def _escape(value: str) -> str:
    """Text fields: LaTeX specials the reader decodes back (``\\&`` -> ``&``)."""
    return re.sub(r"(?<!\\)([&%#])", r"\\\1", value)


def format_entry(key: str, cand: Candidate) -> str:
    """Clean BibTeX in the library's layout: two-space indent, '=' aligned, fixed field order."""
    values = {
        "author": " and ".join(cand.authors) if cand.authors else None,
        "title": _escape(cand.title) if cand.title else None,
        "journal": _escape(cand.journal) if cand.journal else None,
        "year": str(cand.year) if cand.year else None,
        "volume": cand.volume, "number": cand.issue,
        "pages": re.sub(r"\s*[-–—]+\s*", "--", cand.pages) if cand.pages else None,
        "doi": cand.doi, "pmid": cand.pmid, "pmcid": cand.pmcid, "url": cand.url,
    }
    present = [(k, values[k]) for k in FIELD_ORDER if values.get(k)]
    width = max((len(k) for k, _ in present), default=4)
    body = ",\n".join(f"  {k.ljust(width)} = {{{v}}}" for k, v in present)
    return f"@{cand.entry_type}{{{key},\n{body}\n}}\n"


def append_entries(path: Path, texts: Sequence[str]) -> None:
    """Append entries atomically; the existing bytes are kept as they are."""
    if not texts:
        return
    old = path.read_bytes() if path.exists() else b""
    newline = b"\r\n" if b"\r\n" in old else b"\n"
    if not old or old.endswith(newline * 2):
        sep = b""
    elif old.endswith(newline):
        sep = newline  # one blank line between entries, as the library has
    else:
        sep = newline * 2
    data = old + sep + (newline.join(t.replace("\n", newline.decode()).encode("utf-8") for t in texts))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
