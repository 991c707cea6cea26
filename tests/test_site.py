"""The render stage: deterministic, incremental, every internal link and fragment resolves,
and every statement links to its evidence and back."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from evidence import pipeline
from evidence.site import safe_name, site_digest


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.marks: list[dict[str, str]] = []
        self._in_mark: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
            if self._in_mark is not None:
                self._in_mark["href"] = a["href"]
        if tag == "mark":
            self._in_mark = {"id": a.get("id", ""), "class": a.get("class", "")}
            self.marks.append(self._in_mark)

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = None


def parse(path: Path) -> Page:
    p = Page()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def site(shipped, tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    pipeline.render(shipped, output=out)
    return out


def test_every_internal_link_and_fragment_resolves(site):
    pages = {p: parse(p) for p in site.rglob("*.html")}
    assert len(pages) > 50
    broken = []
    for path, page in pages.items():
        for href in page.links:
            url = urlparse(href)
            if url.scheme in ("http", "https", "mailto"):
                continue
            rel = path.relative_to(site).as_posix()
            target_rel = urlparse(urljoin("/" + rel, href)).path.lstrip("/") if url.path else rel
            target = site / unquote(target_rel)
            if not target.is_file():
                broken.append(f"{rel}: {href} (no file)")
                continue
            if url.fragment and target.suffix == ".html" and url.fragment not in pages[target].ids:
                broken.append(f"{rel}: {href} (no #{url.fragment})")
    assert broken == []


def test_every_statement_links_to_evidence_and_back(site, shipped):
    article = site / "articles" / "acne-scars.html"
    page = parse(article)
    statements = [m for m in page.marks if m["id"].startswith("s-")]
    assert len(statements) >= 30
    for m in statements:
        assert re.search(r"\bv-(supported|partly_supported|unsupported|contradicted|not_checkable)\b", m["class"])
        assert m["href"] == "#ev-" + m["id"][2:] and m["href"][1:] in page.ids
    # evidence rows on study and treatment pages point back to statements on the article page
    backlinks = set()
    for path in list((site / "studies").glob("*.html")) + list((site / "treatments").glob("*.html")):
        for href in parse(path).links:
            if "articles/acne-scars.html#s-" in href:
                backlinks.add(href.split("#")[1])
    linked_statements = {m["id"] for m in statements if m["class"].find("not_checkable") < 0}
    assert backlinks and backlinks <= {m["id"] for m in statements}
    assert len(backlinks) >= len(linked_statements) * 0.7


def test_same_input_gives_a_byte_identical_site(shipped, tmp_path):
    pipeline.render(shipped, output=tmp_path / "a")
    pipeline.render(shipped, output=tmp_path / "b")
    assert site_digest(tmp_path / "a") == site_digest(tmp_path / "b")


def test_unchanged_pages_are_not_rewritten(shipped, tmp_path):
    first = pipeline.render(shipped, output=tmp_path / "s")
    mtimes = {p: p.stat().st_mtime_ns for p in (tmp_path / "s").rglob("*") if p.is_file()}
    second = pipeline.render(shipped, output=tmp_path / "s")
    assert len(first.written) > 50 and second.written == [] and second.unchanged == first.pages
    assert mtimes == {p: p.stat().st_mtime_ns for p in (tmp_path / "s").rglob("*") if p.is_file()}


def test_templates_autoescape_data(ws, tmp_path):
    text = (ws.root / "references/claims.csv").read_text().replace(
        "Atrophic scars are the most common type of acne scar.", "<script>alert(1)</script>")
    (ws.root / "references/claims.csv").write_text(text)
    pipeline.build(ws)
    pipeline.render(ws, output=tmp_path / "s")
    html = (tmp_path / "s/studies/connolly2017acne.html").read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("raw,safe", [("../../etc/passwd", "etc-passwd"), ("A/B C", "a-b-c"), ("", "item"),
                                      ("ok_name-1", "ok_name-1")])
def test_file_names_from_data_are_sanitised(raw, safe):
    assert safe_name(raw) == safe


def test_query_pages_offer_csv_matching_the_query(site, shipped):
    import pandas as pd

    from evidence.queries import discover, run_query

    q = discover(shipped.query_dirs)["treatment_evidence"]
    on_site = pd.read_csv(site / "queries" / "treatment_evidence.csv")
    direct = run_query(shipped.db_path, q)
    assert list(on_site["treatment"]) == list(direct["treatment"])
    assert 'href="treatment_evidence.csv"' in (site / "queries" / "treatment_evidence.html").read_text()
