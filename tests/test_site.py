"""The render stage: deterministic, incremental, every internal link and fragment resolves,
and every statement links to its evidence and back."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from evidence.errors import InputError

from evidence import pipeline
from evidence.render.fragments import text_fragment_url
from evidence.render.site import safe_name, site_digest
from evidence.workspace import load_settings

from .conftest import REPO, write

PAGE_KINDS = ["index.html", "matrix.html", "downloads.html", "articles/acne-scars.html", "treatments/subcision.html",
              "conditions/rolling.html", "studies/connolly2017acne.html", "queries/intervention_evidence.html"]


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    """Links, ids, resources, JSON-LD and statement marks of one page, plus well-formedness errors."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.duplicate_ids: list[str] = []
        self.links: list[str] = []
        self.resources: list[str] = []  # what the browser would fetch to show the page
        self.idrefs: list[str] = []  # ids named by aria-labelledby / aria-describedby / label for
        self.marks: list[dict[str, str]] = []
        self.jsonld: list[object] = []
        self.errors: list[str] = []
        self._stack: list[str] = []
        self._in_mark: dict[str, str] | None = None
        self._script: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in VOID:
            self._stack.append(tag)
        if "id" in a:
            (self.duplicate_ids if a["id"] in self.ids else []).append(a["id"])
            self.ids.add(a["id"])
        for attr in ("aria-labelledby", "aria-describedby", "for"):
            self.idrefs.extend((a.get(attr) or "").split())
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
            if self._in_mark is not None:
                self._in_mark["href"] = a["href"]
        if tag in ("img", "script", "iframe", "audio", "video", "source", "embed") and a.get("src"):
            self.resources.append(a["src"])
        if tag == "link" and a.get("href"):
            self.resources.append(a["href"])
        if tag == "mark":
            self._in_mark = {"id": a.get("id", ""), "class": a.get("class", "")}
            self.marks.append(self._in_mark)
        if tag == "script" and a.get("type") == "application/ld+json":
            self._script = ""

    def handle_startendtag(self, tag, attrs):  # <line .../> in SVG: opened and closed at once
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._stack.pop()

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "mark":
            self._in_mark = None
        if tag == "script" and self._script is not None:
            self.jsonld.append(json.loads(self._script))
            self._script = None
        if tag in VOID:
            return
        if not self._stack or self._stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self._stack[-1] if self._stack else 'nothing'}>")
            if tag in self._stack:
                while self._stack.pop() != tag:
                    pass
            return
        self._stack.pop()


def parse(path: Path) -> Page:
    p = Page()
    p.feed(path.read_text(encoding="utf-8"))
    p.close()
    if p._stack:
        p.errors.append(f"unclosed: {p._stack}")
    return p


@pytest.fixture(scope="module")
def site(shipped, tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    pipeline.render(shipped, output=out)
    return out


@pytest.fixture(scope="module")
def pages(site):
    return {p: parse(p) for p in site.rglob("*.html")}


def copy_workspace(target: Path):
    """A private copy of the shipped workspace (for tests that edit or rebuild it)."""
    for name in ("evidence.toml", "references", "articles"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, target / name)
    return load_settings(target)


def test_every_internal_link_and_fragment_resolves(site, pages):
    assert len(pages) > 50
    for kind in PAGE_KINDS:
        assert (site / kind).is_file(), kind
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
        broken.extend(f"{path.relative_to(site)}: no id '{ref}' for an ARIA reference"
                      for ref in page.idrefs if ref not in page.ids)
    assert broken == []
    downloads = parse(site / "downloads.html").links
    assert any(h.endswith("claims.parquet") for h in downloads) and any(h.endswith(".duckdb") for h in downloads)


def test_pages_are_well_formed_with_unique_ids(site, pages):
    bad = {str(p.relative_to(site)): pg.errors + [f"duplicate id {i}" for i in pg.duplicate_ids]
           for p, pg in pages.items() if pg.errors or pg.duplicate_ids}
    assert bad == {}
    for kind in PAGE_KINDS:
        text = (site / kind).read_text(encoding="utf-8")
        assert text.startswith("<!doctype html>") and '<html lang="en">' in text and "<title>" in text


def test_no_external_resources_are_needed(site, pages):
    external = [f"{p.relative_to(site)}: {r}" for p, pg in pages.items() for r in pg.resources
                if urlparse(r).scheme not in ("", "data") or r.startswith("//")]
    assert external == []
    css = (site / "static/style.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css
    assert "@media print" in css and "details::details-content" in css


def test_every_statement_links_to_evidence_and_back(site, shipped):
    article = site / "articles" / "acne-scars.html"
    page = parse(article)
    statements = [m for m in page.marks if m["id"].startswith("s-")]
    assert len(statements) >= 30
    for m in statements:
        assert re.search(r"\bv-(supported|partly_supported|overstated|unsupported|contradicted|not_checkable)\b", m["class"])
        assert m["href"] == "#ev-" + m["id"][2:] and m["href"][1:] in page.ids

    # every evidence row, on its study page and on its treatment page, links back to every statement it
    # is linked to (README: "each row linked back to the statements it supports"): all of them, not most
    import duckdb

    with duckdb.connect(str(shipped.db_path), read_only=True) as con:
        links = con.execute("SELECT l.slug, l.statement_id, l.claim_id, c.citekey, c.treatment FROM links l "
                            "JOIN claims c USING (claim_id) ORDER BY ALL").fetchall()
    assert len(links) > 300
    rows: dict[Path, dict[str, str]] = {}

    def row_of(path: Path, claim_id: str, pattern: str) -> str | None:
        if path not in rows:
            html = path.read_text(encoding="utf-8")
            rows[path] = {m.group(1): m.group(0) for m in re.finditer(pattern, html, re.S)}
        return rows[path].get(f"c-{safe_name(claim_id)}")

    missing, shown_on_treatment_pages = [], 0
    for slug, statement_id, claim_id, citekey, treatment in links:
        href = f"articles/{slug}.html#s-{safe_name(statement_id)}"
        study_row = row_of(site / "studies" / f"{safe_name(citekey)}.html", claim_id,
                           r'<section class="claim" id="([^"]+)".*?</section>')
        if study_row is None or f'href="../{href}"' not in study_row:
            missing.append(f"studies/{citekey}.html#{claim_id} -> {statement_id}")
        if treatment:
            treatment_row = row_of(site / "treatments" / f"{safe_name(treatment)}.html", claim_id,
                                   r'<tr id="([^"]+)">.*?</tr>')
            if treatment_row is not None:  # long tables show the best-evidenced rows (and all in CSV)
                shown_on_treatment_pages += 1
                if f'href="../{href}"' not in treatment_row:
                    missing.append(f"treatments/{treatment}.html#{claim_id} -> {statement_id}")
    assert missing == []
    assert shown_on_treatment_pages > 150  # 187 of the links with a treatment are in the tables shown


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
                                      ("ok_name-1", "ok_name-1"), ("x" * 100, "x" * 80)])
def test_file_names_from_data_are_sanitised(raw, safe):
    assert safe_name(raw) == safe


def test_query_pages_offer_csv_matching_the_query(site, shipped):
    import pandas as pd

    from evidence.query.runner import discover, run_query

    q = discover(shipped.query_dirs)["intervention_evidence"]
    on_site = pd.read_csv(site / "queries" / "intervention_evidence.csv")
    direct = run_query(shipped.db_path, q)
    assert list(on_site["intervention"]) == list(direct["intervention"])
    assert 'href="intervention_evidence.csv"' in (site / "queries" / "intervention_evidence.html").read_text()


def test_article_page_lists_its_references_in_ama_with_links_and_defects(site):
    html = (site / "articles/acne-scars.html").read_text(encoding="utf-8")
    refs = re.findall(r'<li id="ref-(\d+)" value="\d+">(.*?)</li>\n(?=  <li id="ref-|</ol>)', html, re.S)
    assert [n for n, _ in refs] == ["1", "2", "3", "4"]
    body = dict(refs)
    assert "An Updated Review of Hypertrophic Scarring. <i>Cells</i>. 2023;12(5):678. doi:10.3390/cells12050678" in body["1"]
    assert "Zhou C, Vempati A, Tam C, et al. Beyond the Surface" in body["2"]
    assert 'href="https://doi.org/10.2147/ccid.s406235"' in body["2"]
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/37008189/"' in body["2"]
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/29344322/"' in body["4"]
    for n, text in refs:  # every entry is marked: how many defects, and each one by code
        assert "defect" in text and "no-identifier" in text or "No defects found" in text, n
    assert "malformed-volume" in body["2"] and "journal-name" in body["3"] and "degenerate-page-range" in body["1"]


def test_json_ld_reviews_every_statement_and_cites_the_studies(site, pages):
    article = pages[site / "articles/acne-scars.html"]
    graph = article.jsonld[0]["@graph"]
    reviews = [n for n in graph if n["@type"] == "ClaimReview"]
    marks = {m["id"]: m["class"] for m in article.marks if m["id"].startswith("s-")}
    assert len(reviews) == len(marks)
    names = {"Supported": "v-supported", "Partly supported": "v-partly_supported", "Overstated": "v-overstated",
             "Unsupported": "v-unsupported",
             "Contradicted": "v-contradicted", "Not checkable": "v-not_checkable"}
    for r in reviews:
        fragment = r["url"].split("#")[1]
        assert names[r["reviewRating"]["alternateName"]] in marks[fragment]
        assert r["claimReviewed"] and r["itemReviewed"]["@type"] == "Claim"
    node = next(n for n in graph if n["@type"] == "Article")
    cited = {c["name"]: c for c in node["citation"]}
    assert cited["An Updated Review of Hypertrophic Scarring"]["@id"] == "https://doi.org/10.3390/cells12050678"
    assert all(c["@type"] == "ScholarlyArticle" for c in cited.values()) and len(cited) == 4
    study = pages[site / "studies/connolly2017acne.html"].jsonld[0]
    assert study["@type"] == "ScholarlyArticle" and study["@context"] == "https://schema.org"
    assert {"@type": "PropertyValue", "propertyID": "PMID", "value": "29344322"} in study["identifier"]
    assert study["author"][0]["familyName"] == "Connolly" and study["subjectOf"]


def test_treatment_page_plots_effect_estimates_with_a_text_alternative(site, shipped):
    import duckdb

    with duckdb.connect(str(shipped.db_path), read_only=True) as con:
        estimates = con.execute("SELECT value, low, high FROM claims WHERE treatment = 'fractional_co2_laser' AND "
                                "value IS NOT NULL AND low IS NOT NULL AND high IS NOT NULL").fetchall()
    html = (site / "treatments/fractional_co2_laser.html").read_text(encoding="utf-8")
    assert estimates and html.count('<circle class="pt"') == len(estimates)
    svg = re.search(r'<svg class="forest-svg"[^>]*role="img"[^>]*>.*?</svg>', html, re.S).group(0)
    desc = re.search(r"<desc [^>]*>(.*?)</desc>", svg, re.S).group(1)
    for value, low, high in estimates:  # every estimate and its interval is stated in words
        assert f"{value:g} (95% CI {low:g} to {high:g})" in desc
    assert "line at 1 marks no difference" in desc
    for section in ("The evidence in brief", "Evidence table", "Article statements that cite this evidence"):
        assert section in html
    for header in ("Study", "Design", "Scar type", "Outcome", "Result", "Follow-up", "Notices", "Statements"):
        assert f'<th scope="col">{header}</th>' in html


def test_study_page_has_citations_identifiers_claims_and_statements(site):
    html = (site / "studies/zhou2023beyond.html").read_text(encoding="utf-8")
    assert "<dt>AMA</dt>" in html and "<dt>Vancouver (NLM)</dt>" in html
    assert 'href="https://pmc.ncbi.nlm.nih.gov/articles/PMC10053888/"' in html
    assert "Statements resting on this study" in html and "articles/acne-scars.html#s-s04" in html
    assert '<span class="locator">(Abstract)</span>' in html and "No retraction, correction" in html


def test_downloads_hold_the_whole_database(site, shipped):
    import duckdb

    with duckdb.connect(str(shipped.db_path), read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        for name in tables:
            expected = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for ext in ("parquet", "csv"):
                path = site / "downloads" / f"{name}.{ext}"
                got = con.execute(f"SELECT count(*) FROM read_{ext}('{path}')").fetchone()[0]
                assert got == expected, path.name
        claims = con.execute("SELECT * FROM claims ORDER BY ALL").fetchall()
        assert con.execute(f"SELECT * FROM '{site}/downloads/claims.parquet'").fetchall() == claims
    with duckdb.connect(str(site / "downloads/evidence.duckdb"), read_only=True) as copy:
        assert copy.execute("SELECT count(*) FROM claims").fetchone()[0] == len(claims)


def test_rebuilding_the_same_input_gives_the_same_site_parquet_included(tmp_path):
    sites = []
    for name in ("a", "b"):
        settings = copy_workspace((tmp_path / name).mkdir() or tmp_path / name)
        pipeline.build(settings)
        pipeline.render(settings, output=tmp_path / name / "site")
        sites.append(tmp_path / name / "site")
    files = sorted(p.relative_to(sites[0]) for p in sites[0].rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(sites[1]) for p in sites[1].rglob("*") if p.is_file())
    # DuckDB stamps a random database id into every file it builds: the one file that may differ
    differ = [str(f) for f in files if (sites[0] / f).read_bytes() != (sites[1] / f).read_bytes()]
    assert differ in ([], ["downloads/evidence.duckdb"])
    assert any(f.suffix == ".parquet" for f in files)


def test_one_claim_change_rewrites_only_the_files_that_show_it(tmp_path):
    settings = copy_workspace(tmp_path)
    pipeline.build(settings)
    out = tmp_path / "site"
    pipeline.render(settings, output=out)
    pipeline.build(settings)  # same input, new database file: nothing on the site changes, not even the download
    assert pipeline.render(settings, output=out).written == []
    claims = settings.references_dir / "claims.csv"
    text = claims.read_text(encoding="utf-8")
    old = "Atrophic scars are the most common type of acne scar; no percentage is given"
    assert old in text
    claims.write_text(text.replace(old, "Atrophic scars are the commonest acne scars; no percentage is given"),
                      encoding="utf-8")
    pipeline.build(settings)
    written = {str(p.relative_to(out)) for p in pipeline.render(settings, output=out).written}
    assert {"studies/connolly2017acne.html", "downloads/claims.parquet", "downloads/claims.csv",
            "downloads/evidence.duckdb"} <= written
    assert "index.html" not in written and "studies/zhou2023beyond.html" not in written
    assert len(written) < 15, sorted(written)


def test_statements_link_to_the_original_sentence_by_text_fragment(ws, tmp_path):
    md = ws.root / "articles/example.md"
    md.write_text(md.read_text().replace("slug: example", "slug: example\nurl: https://news.example.org/acne#top"))
    pipeline.build(ws)
    pipeline.render(ws, output=tmp_path / "s")
    html = (tmp_path / "s/articles/example.html").read_text(encoding="utf-8")
    expected = "https://news.example.org/acne#:~:text=Most%20acne%20scars%20are%20atrophic%2C%20the%20sunken%20kind."
    assert f'href="{expected}"' in html
    assert 'id="s-s01"' in html and 'href="#ev-s01"' in html  # the stable fragment ids of our own page
    page = Page()
    page.feed(html)
    review = next(n for n in page.jsonld[0]["@graph"] if n["@type"] == "ClaimReview")
    assert review["itemReviewed"]["url"] == expected


@pytest.mark.parametrize("quote,prefix,directive", [
    ("short one", "", "text=short%20one"),
    ("a-b, c & d", "", "text=a%2Db%2C%20c%20%26%20d"),
    ("one two three four five six seven eight nine ten", "", "text=one%20two%20three%20four,seven%20eight%20nine%20ten"),
    ("dup", "some words before it", "text=words%20before%20it-,dup"),
])
def test_text_fragment_directives(quote, prefix, directive):
    assert text_fragment_url("https://x.org/a", quote, prefix) == "https://x.org/a#:~:" + directive
    assert text_fragment_url("", quote) == ""


def test_retraction_notices_are_shown_with_source_and_date(ws, tmp_path):
    import duckdb

    notices = json.dumps([{"type": "retraction", "source": "crossref", "date": "2024-05-02",
                           "doi": "10.9999/retraction.1", "label": "Retraction notice", "relation": "updated-by"}])
    pipeline.build(ws)
    with duckdb.connect(str(ws.db_path)) as con:
        con.execute("INSERT INTO metadata (identifier, source, citekey, fetched_at, status, retracted, notices) "
                    "VALUES ('29344322', 'pubmed', 'connolly2017acne', '2025-01-03T10:00:00Z', 'found', true, ?)",
                    [notices])
    pipeline.render(ws, output=tmp_path / "s")
    html = (tmp_path / "s/studies/connolly2017acne.html").read_text(encoding="utf-8")
    assert '<p class="alert" role="note"><strong>Retraction.</strong>' in html
    assert "2024-05-02" in html and 'href="https://doi.org/10.9999/retraction.1"' in html
    assert "reported by crossref; checked 2025-01-03" in html
    table = (tmp_path / "s/conditions/atrophic.html").read_text(encoding="utf-8")
    assert 'href="../studies/connolly2017acne.html#notices">Retraction</a>' in table


def test_a_workspace_template_overrides_a_packaged_one(ws, tmp_path):
    write(ws, "site_templates/downloads.html", '{% extends "default:downloads.html" %}'
          '{% block title %}Our data{% endblock %}')
    pipeline.build(ws)
    pipeline.render(ws, output=tmp_path / "s")
    assert "<title>Our data</title>" in (tmp_path / "s/downloads.html").read_text(encoding="utf-8")


def test_pages_of_removed_things_are_pruned_and_nothing_else(ws, tmp_path):
    pipeline.build(ws)
    out = tmp_path / "s"
    pipeline.render(ws, output=out)
    stale = [out / "studies/gone2020study.html", out / "conditions/gone.html", out / "downloads/gone.parquet"]
    for path in stale:
        path.write_text("old")
    (out / "notes").mkdir()
    (out / "notes/keep.csv").write_text("mine")
    result = pipeline.render(ws, output=out)
    assert result.removed == 3 and not any(p.exists() for p in stale)
    assert (out / "notes/keep.csv").exists() and (out / "downloads/evidence.duckdb").exists()


def test_a_render_that_fails_midway_leaves_the_previous_site(ws, tmp_path):
    """Pages are staged and swapped in only when all are written (a broken template fails late)."""
    pipeline.build(ws)
    out = tmp_path / "site"
    pipeline.render(ws, output=out)
    before = site_digest(out)
    (ws.root / "site_templates").mkdir()
    (ws.root / "site_templates" / "study.html").write_text("{{ no_such_variable.attribute }}")
    with pytest.raises(InputError) as caught:  # jinja2's UndefinedError, late in the render, as a located problem
        pipeline.render(ws, output=out)
    assert [(p.file, p.line) for p in caught.value.problems] == [("site_templates/study.html", 1)]
    assert "no_such_variable" in caught.value.problems[0].message
    assert site_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "ws"]  # no staging folder left behind


def test_files_an_editor_put_in_the_site_folder_are_kept_and_stale_pages_dropped(ws, tmp_path):
    pipeline.build(ws)
    out = tmp_path / "site"
    pipeline.render(ws, output=out)
    (out / "CNAME").write_text("evidence.example.org\n")
    (out / "studies" / "gone2020.html").write_text("<p>a study that was removed</p>")
    result = pipeline.render(ws, output=out)
    assert (out / "CNAME").read_text() == "evidence.example.org\n"
    assert not (out / "studies" / "gone2020.html").exists() and result.removed == 1


def test_refuses_to_render_over_a_workspace(ws):
    pipeline.build(ws)
    with pytest.raises(InputError) as caught:
        pipeline.render(ws, output=ws.root)
    assert caught.value.problems[0].code == "output-over-input"


def test_long_evidence_tables_are_cut_to_the_best_evidence_and_complete_in_csv(tmp_path):
    import pandas as pd

    from bench.generate import generate
    from evidence.render.context import TABLE_LIMIT

    settings = generate(tmp_path / "big", studies=100, claims=2500, articles=1, statements=6)
    pipeline.build(settings)
    out = tmp_path / "site"
    pipeline.render(settings, output=out)
    html = (out / "treatments/intervention_0.html").read_text()
    full = pd.read_csv(out / "treatments/intervention_0.csv")
    assert len(full) > TABLE_LIMIT
    assert html.count('<tr id="c-') == TABLE_LIMIT
    assert f"The {TABLE_LIMIT} best-evidenced of {len(full)} findings" in html
    assert list(full["evidence_level"]) == sorted(full["evidence_level"])
