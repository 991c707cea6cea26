"""Reports for writers made in worker processes are the files made in this process, byte for byte.

The workspace is the benchmark's synthetic one (``bench/generate.py``, marked synthetic, never
shipped). Not timed: correctness only.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from evidence import pipeline
from evidence.render.report import DocxCache, load_report, render_report


@pytest.fixture
def reports(tmp_path: Path):
    from bench.generate import generate

    settings = generate(tmp_path / "ws", studies=20, claims=120, articles=3, statements=6)
    pipeline.build(settings)
    return [load_report(settings, f"synthetic-{i}") for i in range(3)]


def test_docx_made_in_worker_processes_equal_those_made_here(reports, tmp_path):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: the reports are rightly made in this process")
    here = [render_report(r, "docx") for r in reports]
    cache = DocxCache(tmp_path / "cache")
    pending = cache.start(reports, workers=2)
    assert pending.pool is not None and len(pending.futures) == 3  # nothing cached yet: all three in workers
    assert pending.result() == here
    assert sorted(p.stem for p in (tmp_path / "cache").glob("*.docx")) == sorted(cache.used)
    again = DocxCache(tmp_path / "cache").start(reports, workers=2)
    assert again.pool is None and again.result() == here  # all cached: no worker started


def test_a_changed_report_is_made_again_and_pruning_drops_the_old_file(reports, tmp_path):
    from dataclasses import replace

    cache = DocxCache(tmp_path / "cache")
    cache.start(reports, workers=1).result()
    changed = [replace(reports[0], title=reports[0].title + " (edited)"), *reports[1:]]
    fresh = DocxCache(tmp_path / "cache")
    pending = fresh.start(changed, workers=2)
    assert pending.pool is None  # one missing file is made here, not in a worker
    assert pending.result()[0] == render_report(changed[0], "docx") != render_report(reports[0], "docx")
    fresh.prune()
    assert len(list((tmp_path / "cache").glob("*.docx"))) == 3


@pytest.mark.parametrize("text", ["Plain words.", " leading and trailing ", "a\ttab", "two\nlines", "cr\r", "",
                                  "“quoted” — 5 µg & <b>"])
def test_the_quick_runs_write_what_python_docx_writes(text):
    """report_docx builds runs and comment paragraphs without python-docx's slow paths; the XML must be
    exactly what add_run(text), run.bold = True... and comment.add_paragraph() make."""
    import docx
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import RGBColor
    from lxml import etree

    from evidence.render import report_docx as rd

    doc = docx.Document()
    ours, theirs = doc.add_paragraph(), doc.add_paragraph()
    rd._text_run(ours, text)
    theirs.add_run(text)
    rd._styled_run(ours, text, "bold")
    theirs.add_run(text).bold = True
    rd._styled_run(ours, text, "italic")
    theirs.add_run(text).italic = True
    rd._styled_run(ours, text, "highlight")
    theirs.add_run(text).font.highlight_color = WD_COLOR_INDEX.YELLOW
    rd._styled_run(ours, text, "tag")
    tag = theirs.add_run(text)
    tag.font.superscript = True
    tag.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    assert etree.tostring(ours._p) == etree.tostring(theirs._p)

    comment = doc.add_comment(doc.paragraphs[0].runs or [ours.runs[0]], text="", author="a")
    rd._comment_paragraph(comment, text)
    comment.add_paragraph(text)
    mine, python_docx = comment._comment_elm.xpath("./w:p")[-2:]
    assert etree.tostring(mine) == etree.tostring(python_docx)



def test_hyperlink_relationships_are_the_ones_python_docx_would_make():
    """_Links gives each URL the rId part.relate_to gives it: repeats share one, new ones take the lowest
    free rId, also when other relationships were added in between. URLs written for this test."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    from evidence.render import report_docx as rd

    urls = [f"https://example.org/{n % 7}" for n in range(40)]  # synthetic, never fetched
    ours, theirs = docx.Document(), docx.Document()
    links = rd._Links()
    for n, url in enumerate(urls):
        if n == 10:  # someone else relates a part's link in between
            for d in (ours, theirs):
                d.part.relate_to("https://example.org/other", RT.HYPERLINK, is_external=True)
        assert links.r_id(ours.part, url) == theirs.part.relate_to(url, RT.HYPERLINK, is_external=True)
    assert {r: (v.target_ref, v.reltype) for r, v in ours.part.rels.items() if v.is_external} == \
        {r: (v.target_ref, v.reltype) for r, v in theirs.part.rels.items() if v.is_external}


def test_the_package_is_written_as_python_docx_writes_it_dated_1980(reports):
    """_save writes python-docx's package through its own PackageWriter steps, dated 1980-01-01: the same
    entries, in the same order, with the same bytes as doc.save(), only the dates differ."""
    import io
    import zipfile

    import docx

    from evidence.render import report_docx as rd

    doc = docx.Document()
    doc.add_paragraph("A paragraph.")
    ours = zipfile.ZipFile(io.BytesIO(rd._save(doc)))
    buffer = io.BytesIO()
    doc.save(buffer)
    theirs = zipfile.ZipFile(buffer)
    assert [i.filename for i in ours.infolist()] == [i.filename for i in theirs.infolist()]
    assert all(ours.read(n) == theirs.read(n) for n in ours.namelist())
    assert {i.date_time for i in ours.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert render_report(reports[0], "docx") == render_report(reports[0], "docx")
