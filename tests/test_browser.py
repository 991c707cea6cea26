"""The site in a real headless Chromium (Debian's, driven by Playwright): statements open their
evidence, evidence rows lead back to statements, CSV downloads match the CLI, axe-core finds no
serious or critical accessibility violation, and screenshots land in test-artifacts/."""

from __future__ import annotations

import functools
import io
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from evidence import pipeline

from .conftest import minimal_workspace, REPO

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"

if not CHROMIUM.exists():
    if os.environ.get("EVIDENCE_REQUIRE_BROWSER"):
        raise RuntimeError("EVIDENCE_REQUIRE_BROWSER is set but /usr/bin/chromium is missing: apt-get install -y chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture(scope="module")
def server(shipped, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser-site")
    pipeline.render(shipped, output=out)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()


def test_activating_a_statement_shows_its_evidence(page, server):
    page.goto(server + "articles/acne-scars.html")
    panel = page.locator("#ev-s61")
    expect(panel).not_to_have_attribute("open", "")
    page.locator("#s-s61 a.stmt-ref").click()
    expect(panel).to_have_attribute("open", "")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Contradicted")
    expect(panel.locator("a[href*='studies/']").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=False)


def test_keyboard_reaches_and_opens_a_panel(page, server):
    page.goto(server + "articles/acne-scars.html")
    summary = page.locator("#ev-s01 > summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#ev-s01")).to_have_attribute("open", "")


def test_an_evidence_row_leads_back_to_its_statement(page, server):
    page.goto(server + "treatments/fractional_co2_laser.html")
    link = page.locator("table.evidence a.stmt-link", has_text="S61").first
    link.click()
    page.wait_for_url("**/articles/acne-scars.html#s-s61")
    mark = page.locator("#s-s61")
    expect(mark).to_be_in_viewport()
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server + "treatments/fractional_co2_laser.html")
    page.screenshot(path=str(ARTIFACTS / "treatment.png"), full_page=False)


def test_query_csv_download_matches_the_cli(page, server, shipped, cli):
    page.goto(server + "queries/intervention_evidence.html")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    downloaded = pd.read_csv(info.value.path())
    result = cli(shipped, "query", "intervention_evidence", "--format", "csv")
    assert result.exit_code == 0
    from_cli = pd.read_csv(io.StringIO(result.output))
    pd.testing.assert_frame_equal(downloaded, from_cli)


def test_print_shows_the_evidence_of_every_statement(page, server):
    page.goto(server + "articles/acne-scars.html")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # the script opens every panel to print
    expect(page.locator("#ev-s61")).to_have_attribute("open", "")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")  # and closes them again afterwards
    expect(page.locator("#ev-s61")).not_to_have_attribute("open", "")
    if not page.evaluate("CSS.supports('selector(::details-content)')"):
        pytest.skip("this Chromium predates ::details-content; printing opens panels by script instead")
    panel = page.locator("#ev-s61 .panel")
    expect(panel).to_be_hidden()
    page.emulate_media(media="print")
    expect(panel).to_be_visible()
    expect(page.locator("header.site")).to_be_hidden()


def test_the_effect_plot_is_an_image_with_a_text_alternative(page, server):
    page.goto(server + "treatments/fractional_co2_laser.html")
    plot = page.get_by_role("img", name="Risk ratios")
    expect(plot).to_be_visible()
    expect(page.locator("figure.forest ul.estimates li").first).to_contain_text("95% CI")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("figure.forest").first.screenshot(path=str(ARTIFACTS / "plot.png"))


def test_parquet_download_holds_the_claims_table(page, server, shipped):
    import duckdb

    page.goto(server + "downloads.html")
    with page.expect_download() as info:
        page.get_by_role("link", name="claims.parquet").click()
    with duckdb.connect(str(shipped.db_path), read_only=True) as con:
        expected = con.execute("SELECT * FROM claims ORDER BY ALL").fetchall()
        assert con.execute(f"SELECT * FROM read_parquet('{info.value.path()}')").fetchall() == expected


PAGE_KINDS = ["index.html", "articles/acne-scars.html", "treatments/subcision.html",
              "treatments/fractional_co2_laser.html", "studies/connolly2017acne.html", "conditions/rolling.html",
              "queries/intervention_evidence.html", "matrix.html", "downloads.html"]


@pytest.mark.parametrize("path", PAGE_KINDS)
def test_axe_finds_no_serious_or_critical_violations(page, server, path):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(server + path)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")  # check panels too
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], "; ".join(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in bad)


def test_a_workspace_without_a_condition_vocabulary_in_the_browser(page, tmp_path):
    """No condition heading, no matrix in the menu, and every menu link leads to a page that exists."""
    from .test_labels import without_conditions

    settings = without_conditions(minimal_workspace(tmp_path / "ws"))
    pipeline.publish(settings)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(settings.site_dir)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}/"
        page.goto(base + "index.html")
        expect(page.locator("#treatments-h")).to_have_text("Interventions")
        expect(page.locator("#scars-h")).to_have_count(0)
        menu = page.locator("nav[aria-label='Site'] a")
        expect(menu).to_have_count(3)
        assert "matrix" not in " ".join(menu.all_inner_texts()).lower()
        for href in [a.get_attribute("href") for a in menu.all()]:
            assert page.request.get(base + href.split("#")[0]).status == 200, href
        assert page.request.get(base + "matrix.html").status == 404
    finally:
        httpd.shutdown()
