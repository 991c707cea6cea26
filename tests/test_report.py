"""Reports for writers: `evidence report ARTICLE --format docx|markdown|html -o FILE`, and the
reports `publish` writes beside the site. The .docx is read back with python-docx (and its
comments.xml unzipped) to check that each statement carries its verdict and citations."""

from __future__ import annotations

import os
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest

from tests.conftest import append, write


@pytest.fixture(scope="module")
def shipped_docx(shipped, tmp_path_factory):
    from click.testing import CliRunner

    from evidence.cli import main

    out = tmp_path_factory.mktemp("report") / "acne-scars.docx"
    result = CliRunner().invoke(main, ["-w", str(shipped.root), "report", "acne-scars", "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def verdicts(shipped):
    """The check's own verdicts for the shipped article: what the report must repeat, not a copy of them."""
    from evidence import pipeline

    (report,) = pipeline.check(shipped, "acne-scars").reports
    return report


def heading(report, sid: str) -> str:
    from evidence.render.labels import VERDICT_LABEL

    v = next(v for v in report.verdicts if v.statement_id == sid)
    return f"{sid} · {VERDICT_LABEL[v.verdict]} · certainty: {v.strength}"


def comments_by_statement(path: Path) -> dict[str, object]:
    return {c.paragraphs[0].text.split(" · ")[0]: c for c in docx.Document(str(path)).comments}


def test_docx_has_a_comment_on_every_statement_with_verdict_strength_and_citation(shipped_docx, verdicts):
    comments = comments_by_statement(shipped_docx)
    assert len(comments) == 98 and {"S01", "S61", "S98"} <= set(comments)  # the shipped article's 98 statements
    s61 = comments["S61"]
    assert s61.paragraphs[0].text == heading(verdicts, "S61") and "Contradicted" in heading(verdicts, "S61")
    assert s61.author == "evidence-desk"
    # the evidence cites the meta-analysis by AMA citation, with a working DOI link
    assert "Husein-ElAhmed H, Steinhoff M. Comparative appraisal with meta-analysis of erbium vs. CO2 lasers" in s61.text
    urls = {h.url for p in s61.paragraphs for h in p.hyperlinks}
    assert "https://doi.org/10.1111/ddg.14546" in urls
    s04 = comments["S04"]  # an attribution the check disputes: "A 2023 study" citing a narrative review
    assert "design: the article says a study, but zhou2023beyond is a narrative review" in s04.text


def test_docx_comments_are_anchored_on_the_statement_text(shipped_docx):
    with zipfile.ZipFile(shipped_docx) as z:
        document = z.read("word/document.xml").decode("utf-8")
        comments_xml = z.read("word/comments.xml").decode("utf-8")
    assert document.count("<w:commentRangeStart ") == 98 == document.count("<w:commentRangeEnd ")
    assert comments_xml.count("<w:comment ") == 98
    body = docx.Document(str(shipped_docx))
    text = "\n".join(p.text for p in body.paragraphs)
    assert "those zits often leave behind scars that last long after your pimples have flattened and healed [S01]" in text


def test_docx_is_deterministic(shipped, cli, tmp_path, shipped_docx):
    again = tmp_path / "again.docx"
    assert cli(shipped, "report", "acne-scars", "-o", str(again)).exit_code == 0
    assert again.read_bytes() == shipped_docx.read_bytes()


def test_markdown_report_marks_statements_and_lists_their_evidence(shipped, cli, verdicts):
    from evidence.render.labels import VERDICT_LABEL

    result = cli(shipped, "report", "acne-scars", "--format", "markdown")
    assert result.exit_code == 0
    md = result.stdout
    assert md.startswith("# Evidence check: How To Treat and Remove Acne Scars For Best Results")
    counts = verdicts.counts()
    summary = ", ".join(f"{counts.get(k, 0)} {label.lower()}" for k, label in VERDICT_LABEL.items())
    assert f"**Summary:** {summary}." in md
    assert f"### {heading(verdicts, 'S61')}" in md
    assert "[DOI 10.1111/ddg.14546](<https://doi.org/10.1111/ddg.14546>)" in md
    assert "\\[S01\\]" in md  # the tag after the statement, escaped so Markdown does not read a link


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])


def test_html_report_is_escaped_and_its_links_resolve(ws, cli, tmp_path):
    # written for this test: a statement and an editor's note holding markup that must print as text
    text = (ws.root / "articles/example.statements.csv").read_text(encoding="utf-8")
    write(ws, "articles/example.statements.csv", text.replace(
        "S02,See your dermatologist.,advice,,,,,,", "S02,See your dermatologist.,advice,,,,,,<script>alert(1)</script>"))
    out = tmp_path / "example.html"
    result = cli(ws, "report", "example", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "S01 · Supported · certainty: " in html
    parser = _Links()
    parser.feed(html)
    internal = [h[1:] for h in parser.hrefs if h.startswith("#")]
    assert internal and all(i in parser.ids for i in internal)
    assert "https://pubmed.ncbi.nlm.nih.gov/29344322/" in parser.hrefs


def test_report_refuses_to_write_over_a_workspace_input(ws, cli):
    target = ws.root / "articles/example.md"
    before = target.read_bytes()
    result = cli(ws, "report", "example", "--format", "markdown", "-o", str(target))
    assert result.exit_code == 2 and "output-is-input" in result.output
    assert target.read_bytes() == before
    assert cli(ws, "report", "example", "-o", str(ws.root / "references/x.docx")).exit_code == 2
    assert not (ws.root / "references/x.docx").exists()


def test_report_exit_codes(ws, cli, tmp_path):
    assert cli(ws, "report", "nope", "-o", str(tmp_path / "x.md")).exit_code == 2
    assert not (tmp_path / "x.md").exists() and not ws.db_path.exists()  # nothing written, not even the database
    assert cli(ws, "report", "example", "--format", "docx").exit_code == 2  # a .docx needs a file
    assert cli(ws, "report", "example", "-o", str(tmp_path / "x.docx")).exit_code == 0
    assert len(docx.Document(str(tmp_path / "x.docx")).comments) == 2


def test_statements_inside_other_statements_and_changed_wording_still_get_their_comments(ws, cli, tmp_path):
    # S03 lies inside S01's words, so it cannot have a highlight of its own; S01's wording is then edited
    append(ws, "articles/example.statements.csv", "S03,the sunken kind,definition,,,,,,\n")
    path = ws.root / "articles/example.md"
    write(ws, "articles/example.md", path.read_text(encoding="utf-8").replace(
        "Most acne scars are atrophic, the sunken kind.", "Most acne scars are atrophic; the sunken kind."))
    assert cli(ws, "report", "example", "-o", str(tmp_path / "x.docx")).exit_code == 0
    comments = comments_by_statement(tmp_path / "x.docx")
    assert set(comments) == {"S01", "S02", "S03"}
    assert "This comment is about the words “the sunken kind”, inside another statement." in comments["S03"].text
    with zipfile.ZipFile(tmp_path / "x.docx") as z:
        document = z.read("word/document.xml").decode("utf-8")
    # S03's comment is anchored on S01's highlighted words: both ranges start before the same run
    assert '<w:commentRangeStart w:id="0"/><w:commentRangeStart w:id="2"/>' in document.replace(" />", "/>")
    assert "The wording changed since the check; it now reads: “Most acne scars are atrophic; the sunken kind.”" \
        in comments["S01"].text


def test_publish_writes_each_articles_report_beside_the_site(ws, cli):
    assert cli(ws, "publish").exit_code == 0
    reports = ws.site_dir / "reports"
    assert sorted(p.name for p in reports.iterdir()) == ["example.docx", "example.md"]
    assert len(docx.Document(str(reports / "example.docx")).comments) == 2
    page = (ws.site_dir / "articles/example.html").read_text(encoding="utf-8")
    assert 'href="../reports/example.docx"' in page
    before = (reports / "example.docx").stat().st_mtime_ns
    assert cli(ws, "publish").exit_code == 0
    assert (reports / "example.docx").stat().st_mtime_ns == before  # unchanged bytes are not rewritten


def test_site_reports_follow_edits_and_leave_an_editors_own_files(ws, cli):
    assert cli(ws, "publish").exit_code == 0
    (ws.site_dir / "notes.md").write_text("the editor's own notes\n", encoding="utf-8")
    # written for this test: an editor's note on S01, which the Word comment must then show
    text = (ws.root / "articles/example.statements.csv").read_text(encoding="utf-8")
    write(ws, "articles/example.statements.csv", text.replace(
        "S01,\"Most acne scars are atrophic, the sunken kind.\",claim,,connolly2017acne,,,,",
        "S01,\"Most acne scars are atrophic, the sunken kind.\",claim,,connolly2017acne,,,,Checked twice."))
    assert cli(ws, "publish").exit_code == 0
    comments = comments_by_statement(ws.site_dir / "reports/example.docx")
    assert "Editor's note: Checked twice." in comments["S01"].text
    assert (ws.site_dir / "notes.md").read_text(encoding="utf-8") == "the editor's own notes\n"
    cached = list((ws.root / ".evidence-cache/site/reports").glob("*.docx"))
    assert len(cached) == 1  # the report before the edit was pruned from the cache


def test_libreoffice_opens_the_docx_with_every_comment_and_link(ws, cli, tmp_path):
    if shutil.which("soffice") is None:
        reason = "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui"
        if os.environ.get("EVIDENCE_REQUIRE_LIBREOFFICE"):
            pytest.fail(f"EVIDENCE_REQUIRE_LIBREOFFICE is set but {reason}", pytrace=False)
        pytest.skip(reason)
    import re
    import subprocess

    out = tmp_path / "example.docx"
    assert cli(ws, "report", "example", "-o", str(out)).exit_code == 0
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--convert-to", "odt", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=240)
    with zipfile.ZipFile(tmp_path / "example.odt") as z:
        content = z.read("content.xml").decode("utf-8")
    notes = re.findall(r"<office:annotation[ >].*?</office:annotation>", content, re.S)
    assert len(notes) == 2 == content.count("<office:annotation-end")  # each comment keeps its anchored range
    s01 = next(n for n in notes if "S01 · Supported" in n)
    assert 'xlink:href="https://pubmed.ncbi.nlm.nih.gov/29344322/"' in s01
