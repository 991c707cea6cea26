"""Script payloads in every field the site shows, loaded in real headless Chromium: nothing runs.

Every text an editor or a source can put on a page (site title and description, article
title, outlet, experts, body and reference list, statement and link notes, BibTeX title,
authors, journal and pages, study population, skin types, funding and notes, claim measure,
quote, locator and summary, vocabulary labels, synonyms and descriptions, a query's title,
description and SQL) carries script tags, event handlers and ``javascript:`` text. Each
payload would set ``window.__xss``; the test loads every page, hovers and focuses every
element that could carry a handler, and asserts the flag stays unset, no dialog opens, and
no ``javascript:`` link or inline handler was emitted. (The payloads are test data, not a
recording.)
"""

from __future__ import annotations

import functools
import os
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from evidence import pipeline

from .conftest import minimal_workspace, write
from .hostile import replace_in, set_cell

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    if os.environ.get("EVIDENCE_REQUIRE_BROWSER"):
        raise RuntimeError("EVIDENCE_REQUIRE_BROWSER is set but /usr/bin/chromium is missing: apt-get install -y chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

PAYLOAD = ("<script>window.__xss=1</script><img src=x onerror=\"window.__xss=1\">"
           "<svg onload=window.__xss=1></svg>' onmouseover='window.__xss=1' \" onfocus=\"window.__xss=1\" "
           "javascript:window.__xss=1")
YAML = PAYLOAD.replace("'", "''")  # inside a single-quoted YAML scalar


def _poison(ws) -> None:
    root = ws.root
    replace_in(root / "evidence.toml", 'title = "My evidence workspace"',
               "title = '''" + PAYLOAD + "'''\ndescription = '''" + PAYLOAD + "'''")
    article = root / "articles" / "example.md"
    replace_in(article, "title: An example article", f"title: '{YAML}'")
    replace_in(article, "outlet: Example Outlet", f"outlet: '{YAML}'\nurl: https://example.org/article")
    replace_in(article, "experts: []", f"experts: ['{YAML}']")
    replace_in(article, "See your dermatologist.", "See your dermatologist. " + PAYLOAD)
    with article.open("a", encoding="utf-8") as fh:
        fh.write("2. " + PAYLOAD + "\n")
    set_cell(root / "articles" / "example.statements.csv", 1, "note", PAYLOAD)
    set_cell(root / "articles" / "example.links.csv", 1, "note", PAYLOAD)
    bib = root / "references" / "library.bib"
    replace_in(bib, "Acne Scarring---Pathogenesis, Evaluation, and Treatment Options", PAYLOAD)
    replace_in(bib, "The Journal of Clinical and Aesthetic Dermatology", PAYLOAD)
    replace_in(bib, "Saedi, Nazanin", "Saedi, Nazanin and " + PAYLOAD.replace(" ", "_"))
    replace_in(bib, "12--23", "12--23" + PAYLOAD.replace(" ", ""))
    studies = root / "references" / "studies.csv"
    for column in ("population", "skin_types", "funding", "notes"):
        set_cell(studies, 1, column, PAYLOAD)
    claims = root / "references" / "claims.csv"
    for column in ("measure", "locator", "summary"):
        set_cell(claims, 1, column, PAYLOAD)
    set_cell(claims, 1, "quote", "This review focuses on atrophic scars. " + PAYLOAD[:120])
    scars = root / "references" / "scar_types.csv"
    lines = scars.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("atrophic,"))
    for column in ("label", "description"):
        set_cell(scars, row, column, PAYLOAD + " atrophic")
    write(ws, "queries/poisoned.sql", f"-- title: {PAYLOAD}\n-- description: {PAYLOAD}\n"
          f"SELECT '{PAYLOAD.replace(chr(39), chr(39) * 2)}' AS \"{PAYLOAD.replace(chr(34), '')}\"\n")


@pytest.fixture(scope="module")
def poisoned_site(tmp_path_factory):
    ws = minimal_workspace(tmp_path_factory.mktemp("xss") / "ws")
    _poison(ws)
    pipeline.publish(ws)
    out = ws.site_dir
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def test_payloads_reach_the_pages_as_text(poisoned_site):
    """The payloads are really on the pages (escaped), so the browser test below means something."""
    out, _ = poisoned_site
    pages = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*.html")}
    shown = [rel for rel, html in pages.items() if "&lt;script&gt;window.__xss=1" in html]
    assert {"index.html", "articles/example.html", "studies/connolly2017acne.html", "conditions/atrophic.html",
            "queries/poisoned.html"} <= set(shown)


def test_no_javascript_link_or_inline_handler_is_emitted(poisoned_site):
    out, _ = poisoned_site
    for path in out.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", html, re.I), path
        assert "<script>window.__xss" not in html and "<img src=x" not in html, path
        assert _handlers(html) == [], path


def _handlers(html: str) -> list[str]:
    """Inline event-handler attributes, as an HTML parser sees them (escaped text is not an attribute)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):  # noqa: ANN001
            found.extend(f"{tag} {name}" for name, _ in attrs if name.startswith("on"))

    Parser().feed(html)
    return found


def test_nothing_runs_in_chromium(poisoned_site):
    out, base = poisoned_site
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for rel in pages:
                page.goto(base + rel, wait_until="load")
                page.wait_for_timeout(50)
                # everything that could carry a handler gets hovered and focused
                page.evaluate("""() => { for (const el of document.querySelectorAll('body *')) {
                    for (const t of ['mouseover', 'focus', 'click']) {
                        if (t === 'click' && el.tagName === 'A') continue;
                        el.dispatchEvent(new Event(t, {bubbles: true})); } } }""")
                assert page.evaluate("() => window.__xss") is None, rel
                bad = page.evaluate("""() => [...document.querySelectorAll('*')].flatMap(el =>
                    [...el.attributes].filter(a => a.name.startsWith('on') ||
                        (['href', 'src', 'action', 'formaction'].includes(a.name) &&
                         a.value.trim().toLowerCase().startsWith('javascript:'))).map(a => el.tagName + ' ' + a.name))""")
                assert bad == [], (rel, bad)
        finally:
            browser.close()
    assert dialogs == []
    assert len(pages) > 10
