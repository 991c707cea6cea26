"""Resolve stage, source text parsers: each service's abstract or full text as titled sections.

Pure functions from what a service returned (already cached as the metadata answer, or the
full-text XML) to :class:`~.texts.Section` s, with inline markup (``<i>``, ``<sup>``,
``<jats:italic>``, Europe PMC's HTML) flattened to its text and whitespace collapsed, so the
text reads as the web page shows it and a pasted quote can be found in it.

- PubMed EFetch XML: ``<AbstractText Label="RESULTS" NlmCategory="RESULTS">``, one section each.
- Europe PMC ``abstractText``: HTML, structured abstracts as ``<h4>Label</h4>text``.
- Crossref ``abstract``: JATS (``<jats:sec><jats:title>…</jats:title><jats:p>…``).
- Europe PMC ``fullTextXML``: JATS ``<article>``: abstract, then every body section under its
  title path ("Results — Efficacy"), then tables and figures by their label and caption.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any, Iterable

from .texts import Section

# Label words -> category, for PubMed's NlmCategory and the free labels of other sources.
_CATEGORY_WORDS = (
    ("results", ("result", "finding")),
    ("conclusions", ("conclusion", "interpretation", "implication", "impact", "significance", "discussion",
                     "so what")),
    ("methods", ("method", "design", "setting", "participant", "patient", "material", "intervention",
                 "measure", "procedure", "data source", "study selection", "data extraction", "search")),
    ("objective", ("objective", "aim", "purpose", "goal", "question")),
    ("background", ("background", "introduction", "context", "issue", "rationale", "importance")),
)
_NLM = {"BACKGROUND": "background", "OBJECTIVE": "objective", "METHODS": "methods", "RESULTS": "results",
        "CONCLUSIONS": "conclusions"}
_TAG = re.compile(r"<[^>]+>")
_BLOCKS = frozenset({"p", "td", "th", "tr", "title", "caption", "label", "list-item", "sec", "AbstractText"})
_SPACE = re.compile(r"\s+")


def category(label: str, nlm: str = "") -> str:
    """'CONCLUSION' / 'Conclusions' / 'Interpretation' -> 'conclusions'; unknown -> ''."""
    if nlm.upper() in _NLM:
        return _NLM[nlm.upper()]
    lowered = label.lower()
    for name, words in _CATEGORY_WORDS:
        if any(w in lowered for w in words):
            return name
    return ""


def flatten(text: str) -> str:
    """One line of text: whitespace runs collapsed to one space, ends trimmed."""
    return _SPACE.sub(" ", text).strip()


def _text_of(element: ET.Element, skip: Iterable[str] = ()) -> str:
    """All text inside ``element`` (markup flattened), leaving out children tagged ``skip``."""
    skipped = set(skip)
    parts: list[str] = []

    def walk(el: ET.Element) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            name = _local(child.tag)
            if name not in skipped:
                walk(child)
                if name in _BLOCKS:  # a table cell or paragraph ends a word even without a space
                    parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return flatten("".join(parts))


def _local(tag: object) -> str:
    """'{http://…JATS1}title' -> 'title'; 'jats:title' -> 'title'."""
    name = str(tag)
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def pubmed_abstract(article_xml: str) -> list[Section]:
    """The sections of a ``<PubmedArticle>`` (or book article) abstract; [] when it has none."""
    try:
        root = ET.fromstring(article_xml)
    except ET.ParseError:
        return []
    abstract = next((el for el in root.iter() if el.tag == "Abstract"), None)
    if abstract is None:
        return []
    out = []
    for part in abstract.findall("AbstractText"):
        text = _text_of(part)
        if not text:
            continue
        label = (part.get("Label") or "").strip()
        if label.upper() == "UNLABELLED":
            label = ""
        out.append(Section("abstract", label, category(label, part.get("NlmCategory") or ""), text))
    return out


def html_text(fragment: str) -> str:
    """Europe PMC's HTML (``<i>``, ``<sub>``, ``&amp;``) as plain text."""
    return flatten(html.unescape(_TAG.sub("", fragment)))


def europepmc_abstract(result: dict[str, Any]) -> list[Section]:
    """The sections of a Europe PMC search result's ``abstractText``; [] when it has none."""
    raw = str(result.get("abstractText") or "")
    if not raw.strip():
        return []
    pieces = re.split(r"<h4>(.*?)</h4>", raw, flags=re.S | re.I)
    out = []
    if html_text(pieces[0]):
        out.append(Section("abstract", "", "", html_text(pieces[0])))
    for title, body in zip(pieces[1::2], pieces[2::2]):
        label, text = html_text(title), html_text(body)
        if text:
            out.append(Section("abstract", label, category(label), text))
    return out


def crossref_abstract(message: dict[str, Any]) -> list[Section]:
    """The sections of a Crossref work's JATS ``abstract``; [] when it has none."""
    raw = str(message.get("abstract") or "")
    if not raw.strip():
        return []
    try:
        root = ET.fromstring(f'<root xmlns:jats="http://www.ncbi.nlm.nih.gov/JATS1" '
                             f'xmlns:mml="http://www.w3.org/1998/Math/MathML" '
                             f'xmlns:xlink="http://www.w3.org/1999/xlink">{raw}</root>')
    except ET.ParseError:
        text = html_text(raw)
        return [Section("abstract", "", "", text)] if text else []
    secs = [el for el in root.iter() if _local(el.tag) == "sec"]
    if secs:
        out = []
        for sec in secs:
            title = next((c for c in sec if _local(c.tag) == "title"), None)
            label = _text_of(title) if title is not None else ""
            text = " ".join(_text_of(c) for c in sec if _local(c.tag) == "p")
            if text:
                out.append(Section("abstract", label, category(label), flatten(text)))
        return out
    text = " ".join(_text_of(el) for el in root if _local(el.tag) != "title") or _text_of(root, skip=("title",))
    return [Section("abstract", "", "", flatten(text))] if text.strip() else []


# -- full text (JATS, as Europe PMC's fullTextXML serves it) ----------------------------------

_NOT_PROSE = ("sec", "title", "label", "table-wrap", "fig", "ref-list", "table", "graphic", "media",
              "supplementary-material", "disp-formula")


def _sections(sec: ET.Element, path: tuple[str, ...], out: list[Section]) -> None:
    title_el = sec.find("title")
    title = _text_of(title_el) if title_el is not None else ""
    here = path + ((title,) if title else ())
    label = " — ".join(here)
    paragraphs = [_text_of(child, skip=("table-wrap", "fig")) for child in sec
                  if child.tag not in _NOT_PROSE]
    text = flatten(" ".join(p for p in paragraphs if p))
    if text:
        top = here[0] if here else ""
        out.append(Section("body", label, category(top), text))
    for child in sec.findall("sec"):
        _sections(child, here, out)


def jats_fulltext(xml: bytes | str) -> list[Section]:
    """A JATS ``<article>``: abstract sections, body sections by title path, then tables and figures."""
    root = ET.fromstring(xml)
    out: list[Section] = []
    meta = root.find("front/article-meta")
    abstract = meta.find("abstract") if meta is not None else None
    if abstract is not None:
        secs = abstract.findall("sec")
        for sec in secs:
            title_el = sec.find("title")
            label = _text_of(title_el) if title_el is not None else ""
            text = _text_of(sec, skip=("title",))
            if text:
                out.append(Section("abstract", label, category(label), text))
        if not secs:
            text = _text_of(abstract, skip=("title",))
            if text:
                out.append(Section("abstract", "", "", text))
    body = root.find("body")
    if body is not None:
        loose = [_text_of(child) for child in body if child.tag not in _NOT_PROSE]
        if any(loose):
            out.append(Section("body", "", "", flatten(" ".join(p for p in loose if p))))
        for sec in body.findall("sec"):
            _sections(sec, (), out)
        for wrap in [el for el in body.iter() if el.tag in ("table-wrap", "fig")]:
            label_el = wrap.find("label")
            label = _text_of(label_el) if label_el is not None else ("Table" if wrap.tag == "table-wrap" else "Figure")
            text = _text_of(wrap, skip=("label",))
            if text:
                out.append(Section("body", label, "results", text))
    return out
