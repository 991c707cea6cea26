"""Render stage, the Word report: the article's text with a comment on each checked statement.

Made with python-docx (≥ 1.2, which writes real Word comments): each statement's words are a
run of their own and the comment is anchored on them, so Word, LibreOffice and Google Docs
show the verdict, reasons and evidence in the margin beside the sentence. Links inside a
comment are real hyperlinks (a relationship of the comments part).

The file is deterministic: comment dates are left out (they are optional in OOXML) and the
zip entries get a fixed timestamp, so the same check gives the same bytes and the site's
write-if-changed keeps an unchanged report untouched.

python-docx builds every element in Python, and some of its calls search or re-parse as they
go; the quick paths here (_text_run, _styled_run, _comment_paragraph, _Links, _save) write the
same XML and bytes as its own calls for less: about 1 ms per statement instead of 2-4
(tests/test_report_workers.py compares each with python-docx's own).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any
from copy import deepcopy

from docx import Document
from docx.comments import Comment
from docx.enum.text import WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from .report_model import AUTHOR, CheckedStatement, WriterReport

_HEADING_LEVEL = {"h2": 1, "h3": 2, "h4": 3}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry


def _text_run(paragraph: DocxParagraph, text: str) -> Run:
    """``paragraph.add_run(text)``, the same XML, without python-docx's pass over each character.

    python-docx's ``Run.text`` feeds the text through a per-character state machine (for tabs
    and line breaks) after an XPath search for content to clear in the new run: some 0.1 ms a
    run, half the cost of a report. Text without a tab or line break is one ``w:t``, which
    ``CT_R.add_t`` (python-docx's own) writes, ``xml:space`` included; any other text goes
    the usual way.
    """
    if not text or "\t" in text or "\n" in text or "\r" in text:
        return paragraph.add_run(text)
    run = paragraph.add_run()
    run._r.add_t(text)
    return run


def _look(name: str) -> CT_RPr:
    """A run's properties (bold, italic...), set once through python-docx on a run of its own."""
    if name not in _LOOKS:
        run = Run(OxmlElement("w:r"), None)  # type: ignore[arg-type]
        if name == "bold":
            run.bold = True
        elif name == "italic":
            run.italic = True
        elif name == "highlight":
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        elif name == "tag":
            run.font.superscript = True
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        _LOOKS[name] = run._r.rPr
    return _LOOKS[name]  # type: ignore[return-value]


_LOOKS: dict[str, BaseOxmlElement] = {}


def _styled_run(paragraph: DocxParagraph, text: str, look: str) -> Run:
    """A text run with one of _look's property sets, copied rather than set property by property.

    Setting ``run.bold`` makes python-docx search the run's properties for where ``w:b`` goes
    among some forty possible siblings, each time; the same ``w:rPr``, copied, is the same XML
    (a run's properties are its first child).
    """
    run = _text_run(paragraph, text)
    run._r.insert(0, deepcopy(_look(look)))
    return run


def _comment_paragraph(comment: Comment, text: str = "") -> DocxParagraph:
    """``comment.add_paragraph(text)``: a paragraph of style CommentText, its ``w:pPr`` copied (as in _styled_run)."""
    if "comment" not in _LOOKS:
        template = OxmlElement("w:p")
        template.style = "CommentText"  # what Comment.add_paragraph sets, through python-docx
        _LOOKS["comment"] = template.pPr
    p = comment._comment_elm.add_p()
    p.insert(0, deepcopy(_LOOKS["comment"]))
    paragraph = DocxParagraph(p, comment)
    if text:
        _text_run(paragraph, text)
    return paragraph


class _Links:
    """Each part's hyperlink relationships by URL: ``part.relate_to(url, ...)``, without its search.

    python-docx finds an existing relationship to the URL by testing every relationship of the
    part, so a report's links cost O(n²): a few seconds for an article of some hundred
    statements with their DOI, PubMed and PMC links. The rId of a URL already related is
    remembered here; a new one gets the rId python-docx would give it (``_next_rId``: the
    lowest free ``rId<n>``), found without counting from 1 each time.
    """

    def __init__(self) -> None:
        self.r_ids: dict[tuple[int, str], str] = {}
        self.parts: list[Any] = []  # held, so that no id() is reused while this lives
        self.free: dict[int, int] = {}  # per part: no rId below rId<n> is free

    def r_id(self, part: Any, url: str) -> str:
        if not any(p is part for p in self.parts):  # the part's own links first, as relate_to would find them
            self.parts.append(part)
            for rel in part.rels.values():
                if rel.is_external and rel.reltype == RT.HYPERLINK:
                    self.r_ids.setdefault((id(part), rel.target_ref), rel.rId)
        key = (id(part), url)
        if key not in self.r_ids:
            rels = part.rels
            n = self.free.get(id(part), 1)  # relationships are only added: the lowest free number only rises
            while f"rId{n}" in rels:
                n += 1
            rels.add_relationship(RT.HYPERLINK, url, f"rId{n}", is_external=True)
            self.r_ids[key], self.free[id(part)] = f"rId{n}", n + 1
        return self.r_ids[key]


def _hyperlink(paragraph: DocxParagraph, label: str, url: str, links: _Links) -> None:
    """A clickable link: python-docx reads hyperlinks but has no call to add one."""
    r_id = links.r_id(paragraph.part, url)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "0563C1")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(colour)
    props.append(underline)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = label
    text.set(qn("xml:space"), "preserve")
    run.append(text)
    link.append(run)
    paragraph._p.append(link)


def _fill_comment(comment: Comment, s: CheckedStatement, unplaced: bool, links: _Links) -> None:
    """Verdict and strength, then why, what the sentence says of its source, and the evidence with links."""
    first = comment.paragraphs[0]
    _styled_run(first, s.heading, "bold")
    lines: list[str] = []
    if unplaced:
        lines.append(f"This comment is about the words “{s.quote}”, inside another statement.")
    if s.changed_to:
        lines.append(f"The wording changed since the check; it now reads: “{s.changed_to}”")
    if s.override_reason:
        lines.append(f"Editor's verdict; the computed one is {s.computed_label}: {s.override_reason}")
    lines += [f"• {r}" for r in s.reasons]
    lines += [f"• {a}" for a in s.attribution]
    for line in lines:
        _comment_paragraph(comment, line)
    if s.evidence:
        _styled_run(_comment_paragraph(comment), "Evidence", "bold")
    for e in s.evidence:
        p = _comment_paragraph(comment)
        _styled_run(p, f"{e.relation_label}: ", "bold")
        number = f" [{e.number}]" if e.number else ""
        _text_run(p, f"{e.summary}{number} “{e.quote}” ({e.locator}). ")
        _styled_run(p, e.citation, "italic")
        for label, url in e.links:
            _text_run(p, " ")
            _hyperlink(p, label, url, links)
        if e.note:
            _text_run(p, f" — {e.note}")
    if s.note:
        _comment_paragraph(comment, f"Editor's note: {s.note}")
    if s.original_url:
        _hyperlink(_comment_paragraph(comment), "This sentence in the original article", s.original_url, links)


class _FixedTimeZip:
    """python-docx's physical package writer, with every zip entry dated _FIXED_TIME.

    python-docx's own writer stamps the current time on each entry, so the same check would
    give other bytes each build; writing the package once, through python-docx's
    ``PackageWriter`` steps, costs less than saving it and re-zipping it (8 ms a report).
    """

    def __init__(self, out: io.BytesIO):
        self.zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri: Any, blob: bytes) -> None:
        entry = zipfile.ZipInfo(pack_uri.membername, _FIXED_TIME)
        entry.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(entry, blob)

    def close(self) -> None:
        self.zip.close()


def _save(doc: Any) -> bytes:
    """``doc.save()`` (OpcPackage.save: before_marshal, then PackageWriter.write) into a _FixedTimeZip."""
    package = doc.part.package
    for part in package.parts:
        part.before_marshal()
    parts = package.parts  # listed again after marshalling, as OpcPackage.save does
    out = io.BytesIO()
    writer = _FixedTimeZip(out)
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    writer.close()
    return out.getvalue()


def render_docx(report: WriterReport) -> bytes:
    """The article as a Word document with one comment per statement."""
    doc = Document()
    links = _Links()
    doc.core_properties.title = f"Evidence check: {report.title}"
    doc.core_properties.author = AUTHOR
    doc.core_properties.last_modified_by = AUTHOR
    doc.add_heading(report.title, level=0)
    meta = ", ".join(x for x in (report.outlet, report.published) if x)
    intro = doc.add_paragraph()
    _text_run(intro, f"Evidence check{f' of an article from {meta}' if meta else ''}. ")
    if report.url:
        _hyperlink(intro, "Original article", report.url, links)
        _text_run(intro, ". ")
    _text_run(intro, f"Summary: {report.summary}. Each checked statement is highlighted and carries a comment with "
                  "its verdict, the reasons and the evidence.")
    runs: dict[str, list[Run]] = {}
    last = {seg.statement_id: (i, j) for i, para in enumerate(report.paragraphs)
            for j, seg in enumerate(para.segments) if seg.statement_id}  # a statement's tag follows its last words
    for i, para in enumerate(report.paragraphs):
        if para.kind in _HEADING_LEVEL:
            p = doc.add_heading("", level=_HEADING_LEVEL[para.kind])
        else:
            p = doc.add_paragraph(style="List Bullet" if para.kind == "li" else None)
        for j, seg in enumerate(para.segments):
            run = _styled_run(p, seg.text, "highlight") if seg.statement_id else _text_run(p, seg.text)
            if seg.statement_id:
                runs.setdefault(seg.statement_id, []).append(run)
                if last[seg.statement_id] == (i, j):
                    _styled_run(p, f" [{seg.statement_id}]", "tag")
    for sid, host in report.hosts:  # a statement inside another shares its highlight (Word stacks the comments)
        runs[sid] = runs[host]
    homeless = [sid for sid in report.unplaced if sid not in runs]
    if homeless:
        doc.add_heading("Statements not marked in the text", level=1)
        for sid in homeless:
            runs[sid] = [_text_run(doc.add_paragraph(), f"{sid}: {report.statement(sid).quote}")]
    for s in report.statements:
        comment = doc.add_comment(runs[s.statement_id], text="", author=AUTHOR, initials="ED")
        comment._comment_elm.attrib.pop(qn("w:date"), None)  # optional; a date would make every build differ
        _fill_comment(comment, s, s.statement_id in report.unplaced, links)
    if report.references:
        doc.add_heading("The article's references", level=1)
        for number, printed, defects in report.references:
            p = doc.add_paragraph()
            _text_run(p, f"{number}. {printed}")
            if defects:
                _styled_run(p, f" — {'; '.join(defects)}", "italic")
    return _save(doc)
