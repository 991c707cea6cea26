"""Nothing a workspace file says can put markup on the site: a script payload in every free-text
column of every input, checked on every page (STYLE: HTML in templates, autoescape on).

A payload that reaches a page must arrive as text (escaped); none may arrive as markup. The test
also shows that the payloads do reach the pages, so that "not found" cannot pass by accident.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest

from evidence import pipeline

from .conftest import minimal_workspace

# (file, columns) of free text; ids, vocabularies and URLs are validated and cannot carry markup
TEXT_COLUMNS = {
    "references/claims.csv": ("measure", "quote", "locator", "summary"),
    "references/studies.csv": ("population", "skin_types", "funding", "notes"),
    "references/treatments.csv": ("label", "description"),
    "references/scar_types.csv": ("label", "description"),
    "articles/example.statements.csv": ("override_reason", "note"),
    "articles/example.links.csv": ("note",),
}
SHOWN = {  # payloads the starter workspace's pages display (so each must be found, escaped, somewhere)
    "claims.csv:measure", "claims.csv:quote", "claims.csv:locator", "claims.csv:summary", "studies.csv:population",
    "scar_types.csv:label", "example.statements.csv:override_reason", "example.links.csv:note",
    "library.bib:title", "library.bib:journal", "library.bib:author", "example.md:title", "example.md:body",
    "example.md:outlet",
}


def payload(where: str) -> str:
    return f'"><script>alert("{where}")</script>'


class Text(HTMLParser):
    """The page's text as a reader sees it, and the content of every script element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.jsonld: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._script = self.jsonld if dict(attrs).get("type") == "application/ld+json" else self.scripts
        self.text.extend(v for _, v in attrs if v)  # attribute values are text too (title=, aria-label=)

    def handle_endtag(self, tag):
        self._script = None

    def handle_data(self, data):
        (self.text if self._script is None else self._script).append(data)


def strings(node) -> str:
    """Every string value of a JSON-LD document."""
    if isinstance(node, dict):
        return "".join(strings(v) for v in node.values())
    if isinstance(node, list):
        return "".join(strings(v) for v in node)
    return node if isinstance(node, str) else ""


def rewrite_csv(path, columns, tag):
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows:
        for col in columns:
            row[col] = payload(f"{tag}:{col}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("escaping")
    settings = minimal_workspace(root / "ws")
    for rel, columns in TEXT_COLUMNS.items():
        rewrite_csv(settings.root / rel, columns, rel.rsplit("/", 1)[1])
    bib = settings.root / "references/library.bib"
    text = bib.read_text(encoding="utf-8")
    text = re.sub(r"title = \{.*\},", "title = {" + payload("library.bib:title") + "},", text)
    text = re.sub(r"journal = \{.*\},", "journal = {" + payload("library.bib:journal") + "},", text)
    text = text.replace("author = {Connolly, Deirdre", "author = {" + payload("library.bib:author") + ", Deirdre")
    bib.write_text(text, encoding="utf-8")
    md = settings.root / "articles/example.md"
    text = md.read_text(encoding="utf-8")
    text = text.replace("title: An example article", "title: '" + payload("example.md:title").replace("'", "''") + "'")
    text = text.replace("outlet: Example Outlet", "outlet: '" + payload("example.md:outlet").replace("'", "''") + "'")
    text = text.replace("See your dermatologist.", "See your dermatologist. " + payload("example.md:body"))
    md.write_text(text, encoding="utf-8")
    pipeline.build(settings)
    out = root / "site"
    pipeline.render(settings, output=out)
    return out


def test_no_payload_is_markup_on_any_page(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 8
    leaks = []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for m in re.finditer(r"<script>alert\(\"([^\"]+)\"\)", html):
            leaks.append(f"{page.relative_to(site)}: {m.group(1)}")
        parsed = Text()
        parsed.feed(html)
        leaks.extend(f"{page.relative_to(site)}: in a script" for s in parsed.scripts if "alert(" in s)
        leaks.extend(f"{page.relative_to(site)}: '<' in JSON-LD" for s in parsed.jsonld if "<" in s)  # must be \u003c
    assert leaks == []


def test_every_payload_that_is_shown_arrives_as_text(site):
    found: dict[str, set[str]] = {}
    for page in sorted(site.rglob("*.html")):
        parsed = Text()
        parsed.feed(page.read_text(encoding="utf-8"))
        text = "".join(parsed.text) + "".join(strings(json.loads(s)) for s in parsed.jsonld)
        for where in re.findall(r'<script>alert\("([^"]+)"\)</script>', text):
            found.setdefault(where, set()).add(str(page.relative_to(site)))
    assert SHOWN <= set(found), sorted(SHOWN - set(found))
