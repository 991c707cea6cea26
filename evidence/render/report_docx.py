"""Render stage, the Word report: the article's text with a comment on each checked statement.

Made with python-docx (≥ 1.2, which writes real Word comments): each statement's words are a
run of their own and the comment is anchored on them, so Word, LibreOffice and Google Docs
show the verdict, reasons and evidence in the margin beside the sentence. Links inside a
comment are real hyperlinks (a relationship of the comments part).

The file is deterministic: comment dates are left out (they are optional in OOXML) and the
zip entries get a fixed timestamp, so the same check gives the same bytes and the site's
write-if-changed keeps an unchanged report untouched.
"""

from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.comments import Comment
from docx.enum.text import WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from .report import AUTHOR, CheckedStatement, WriterReport

_HEADING_LEVEL = {"h2": 1, "h3": 2, "h4": 3}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry


def _hyperlink(paragraph: DocxParagraph, label: str, url: str) -> None:
    """A clickable link: python-docx reads hyperlinks but has no call to add one."""
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
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


def _fill_comment(comment: Comment, s: CheckedStatement, unplaced: bool) -> None:
    """Verdict and strength, then why, what the sentence says of its source, and the evidence with links."""
    first = comment.paragraphs[0]
    first.add_run(s.heading).bold = True
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
        comment.add_paragraph(line)
    if s.evidence:
        comment.add_paragraph().add_run("Evidence").bold = True
    for e in s.evidence:
        p = comment.add_paragraph()
        p.add_run(f"{e.relation_label}: ").bold = True
        number = f" [{e.number}]" if e.number else ""
        p.add_run(f"{e.summary}{number} “{e.quote}” ({e.locator}). ")
        p.add_run(e.citation).italic = True
        for label, url in e.links:
            p.add_run(" ")
            _hyperlink(p, label, url)
        if e.note:
            p.add_run(f" — {e.note}")
    if s.note:
        comment.add_paragraph(f"Editor's note: {s.note}")
    if s.original_url:
        _hyperlink(comment.add_paragraph(), "This sentence in the original article", s.original_url)


def _deterministic(data: bytes) -> bytes:
    """The same package with every zip entry dated _FIXED_TIME (python-docx stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, _FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def render_docx(report: WriterReport) -> bytes:
    """The article as a Word document with one comment per statement."""
    doc = Document()
    doc.core_properties.title = f"Evidence check: {report.title}"
    doc.core_properties.author = AUTHOR
    doc.core_properties.last_modified_by = AUTHOR
    doc.add_heading(report.title, level=0)
    meta = ", ".join(x for x in (report.outlet, report.published) if x)
    intro = doc.add_paragraph()
    intro.add_run(f"Evidence check{f' of an article from {meta}' if meta else ''}. ")
    if report.url:
        _hyperlink(intro, "Original article", report.url)
        intro.add_run(". ")
    intro.add_run(f"Summary: {report.summary}. Each checked statement is highlighted and carries a comment with "
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
            run = p.add_run(seg.text)
            if seg.statement_id:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                runs.setdefault(seg.statement_id, []).append(run)
                if last[seg.statement_id] == (i, j):
                    tag = p.add_run(f" [{seg.statement_id}]")
                    tag.font.superscript = True
                    tag.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    for sid, host in report.hosts:  # a statement inside another shares its highlight (Word stacks the comments)
        runs[sid] = runs[host]
    homeless = [sid for sid in report.unplaced if sid not in runs]
    if homeless:
        doc.add_heading("Statements not marked in the text", level=1)
        for sid in homeless:
            runs[sid] = [doc.add_paragraph().add_run(f"{sid}: {report.statement(sid).quote}")]
    for s in report.statements:
        comment = doc.add_comment(runs[s.statement_id], text="", author=AUTHOR, initials="ED")
        comment._comment_elm.attrib.pop(qn("w:date"), None)  # optional; a date would make every build differ
        _fill_comment(comment, s, s.statement_id in report.unplaced)
    if report.references:
        doc.add_heading("The article's references", level=1)
        for number, printed, defects in report.references:
            p = doc.add_paragraph(f"{number}. {printed}")
            if defects:
                p.add_run(f" — {'; '.join(defects)}").italic = True
    buffer = io.BytesIO()
    doc.save(buffer)
    return _deterministic(buffer.getvalue())
