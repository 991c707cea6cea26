"""The fast citation path prints exactly what plain citeproc-py prints, and the cache of formatted
references redoes only what changed.

"Plain citeproc-py" here is the library used the obvious way, as render/citations.py did before
it was made faster: citeproc-py's own lookups (no csl_lookups memo), the style without the
settled ``cs:name``, the style's default locale, one bibliography of every entry, citeproc's own
CitationItem. The libraries are the shipped workspace and the real BibTeX, RIS, nbib and
CSL-JSON exports under ../shared/external (read in place, through the read stage). Not timed.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from pathlib import Path

import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from evidence.read.detect import read_references
from evidence.render import citations, csl_lookups
from evidence.render.citations import STYLES, CitationFormatter, csl_item
from evidence.render.context import load_site_data
from tests.conftest import external_dir

REAL_FOLDERS = ("bibtex", "medical-reflists", "ris", "csl-json", "pubmed")


def plain_citeproc(items: list[dict], style: str, monkeypatch) -> list[str]:
    """citeproc-py as it comes, on one bibliography; then the formatter's own post-processing."""
    csl_lookups.uninstall()
    monkeypatch.setattr(csl_lookups, "install", lambda: None)
    try:
        bib = CitationStylesBibliography(
            CitationStylesStyle(io.BytesIO(citations._style_source(style, settled=False)), validate=False),
            CiteProcJSON([dict(i) for i in items]), formatter.html)
        for item in items:
            bib.register(Citation([CitationItem(str(item["id"]))]))
        return [citations._safe_html(citations._tidy(str(entry))) for entry in bib.bibliography()]
    finally:
        monkeypatch.undo()
        csl_lookups.install()


def real_library_items() -> list[dict]:
    """Every record the read stage takes from the real exports, as CSL items (ids made unique here)."""
    root = external_dir()
    items = []
    for folder in REAL_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix.lower() not in (".bib", ".ris", ".nbib", ".json") or "derived" in path.parts:
                continue
            candidates, _, fmt = read_references(path)
            for n, c in enumerate(candidates):
                items.append(csl_item({**asdict(c), "citekey": f"{folder}-{path.name}-{n}"}))
    return items


def assert_fast_equals_plain(items: list[dict], monkeypatch) -> None:
    monkeypatch.setattr(citations, "BATCH", 7)  # several bibliographies, each a fresh citeproc object
    fast = CitationFormatter(None, workers=1).format(items)
    for style in STYLES:
        plain = plain_citeproc(items, style, monkeypatch)
        assert [fast[str(i["id"])].html[style] for i in items] == plain, style


def test_fast_path_prints_what_plain_citeproc_prints_for_the_shipped_library(shipped, monkeypatch):
    items = [csl_item(b) for b in load_site_data(shipped.db_path).bibliography]
    assert len(items) > 10
    assert_fast_equals_plain(items, monkeypatch)


def test_fast_path_prints_what_plain_citeproc_prints_for_real_exports(monkeypatch):
    items = real_library_items()
    assert len(items) > 200 and len({i["id"] for i in items}) == len(items)
    assert any(len(i.get("author", [])) > 6 for i in items) and any("author" not in i for i in items)
    assert_fast_equals_plain(items, monkeypatch)


def test_settling_adds_one_name_only_where_citeproc_would():
    """A bare cs:name goes first into each cs:names that has none, except those a cs:substitute holds."""
    from lxml import etree

    ns = {"cs": "http://purl.org/net/xbiblio/csl"}
    for style in STYLES:
        plain, settled = (citations._style_source(style, settled=s) for s in (False, True))
        assert settled.decode().replace("<name/>", "") == plain.decode() and b"<name/>" in settled
        for before, after in zip(etree.fromstring(plain).iterfind(".//cs:names", ns),
                                 etree.fromstring(settled).iterfind(".//cs:names", ns)):
            added = len(after.findall("cs:name", ns)) - len(before.findall("cs:name", ns))
            in_substitute = before.getparent().tag.endswith("}substitute")
            assert added == (0 if in_substitute or before.find("cs:name", ns) is not None else 1)
            if added:
                assert after[0].tag.endswith("}name") and not after[0].attrib


def test_a_csl_element_inserted_into_a_style_drops_every_remembered_lookup():
    CitationFormatter(None, workers=1).format([csl_item({"citekey": "a", "title": "A title", "year": 2001})])
    assert csl_lookups.size() > 0
    from citeproc import model

    names = model.Names()  # citeproc's own Name() has a bare tag and leaves the memo alone
    names.insert(0, model.Name())
    assert csl_lookups.size() > 0
    element = next(iter(citations.CitationFormatter(None)._style("ama").root.iter("{*}names")))
    element.insert(0, element.makeelement("{http://purl.org/net/xbiblio/csl}name"))
    assert csl_lookups.size() == 0


# --- the cache of formatted references ---------------------------------------------------------------------------

@pytest.fixture
def library(shipped):
    return [csl_item(b) for b in load_site_data(shipped.db_path).bibliography][:8]


def test_an_edited_entry_is_formatted_again_and_the_others_are_not(tmp_path, library):
    cache = tmp_path / "citations.json"
    cold = CitationFormatter(cache)
    first = cold.format(library)
    assert cold.formatted == 2 * len(library)
    edited = [dict(library[0], title=library[0]["title"] + " (corrected)"), *library[1:]]
    warm = CitationFormatter(cache)
    again = warm.format(edited)
    assert warm.formatted == 2  # the edited entry, in each style; nothing else went through citeproc
    assert again == CitationFormatter(None).format(edited)  # the same as without any cache
    assert "(corrected)" in again[library[0]["id"]].text["ama"]
    assert all(again[i["id"]] == first[i["id"]] for i in library[1:])
    unchanged = CitationFormatter(cache)
    assert unchanged.format(edited) == again and unchanged.formatted == 0


def test_the_cache_keeps_only_the_entries_in_use(tmp_path, library):
    cache = tmp_path / "citations.json"
    CitationFormatter(cache).format(library)
    CitationFormatter(cache).format(library[:3])
    assert len(json.loads(cache.read_text(encoding="utf-8"))) == 2 * 3
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file, replaced atomically


def test_a_damaged_cache_is_ignored_and_written_anew(tmp_path, library):
    cache = tmp_path / "citations.json"
    good = CitationFormatter(cache).format(library)
    for damage in ("{not json", json.dumps({"k": "not a pair"}), json.dumps([1, 2]), ""):
        cache.write_text(damage, encoding="utf-8")
        formatter_ = CitationFormatter(cache)
        assert formatter_.format(library) == good and formatter_.formatted == 2 * len(library)
        assert len(json.loads(cache.read_text(encoding="utf-8"))) == 2 * len(library)  # rewritten whole


def test_a_new_citeproc_style_or_locale_formats_everything_again(tmp_path, library, monkeypatch):
    cache = tmp_path / "citations.json"
    CitationFormatter(cache).format(library)
    monkeypatch.setattr(citations, "_locale_digest", lambda: "another locale file")
    changed = CitationFormatter(cache)
    changed.format(library)
    assert changed.formatted == 2 * len(library)
    monkeypatch.setattr(citations, "version", lambda name: "0.0-another")
    again = CitationFormatter(cache)
    again.format(library)
    assert again.formatted == 2 * len(library)


def test_many_small_messages_to_workers_give_the_same_entries_in_order(shipped, monkeypatch):
    import os

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: the formatter rightly stays in this process")
    items = [csl_item(b) for b in load_site_data(shipped.db_path).bibliography]
    serial = CitationFormatter(None, workers=1).format(items)
    monkeypatch.setattr(citations, "CHUNK", 7)
    spread = CitationFormatter(None, parallel_min=5, workers=2)
    assert spread.format(items) == serial
    assert spread.worker_pids and os.getpid() not in spread.worker_pids
    assert spread.formatted == 2 * len(items)
