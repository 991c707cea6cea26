"""The README's walk-through of a second article is run step by step from its own text: the
draft, the rows and the outputs it shows are what the tool really reads, writes and prints."""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET

import pytest

from evidence import pipeline

from .conftest import REPO, SHARED, missing_recording


def _section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("## A second article, start to finish")
    return readme[start:readme.index("\n## Workspace format", start)]


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", _section(), re.S)


def _append(path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def test_the_walkthrough_runs_as_written(tmp_path, cli):
    ws = pipeline.init(tmp_path / "jdm")
    (draft,) = _blocks("markdown")
    path = tmp_path / "jdm-heart.md"
    path.write_text(draft, encoding="utf-8")
    add_cmd = next(c for c in _blocks("sh") if c.startswith("evidence article add"))
    args = [str(path) if a == "jdm-heart.md" else a for a in shlex.split(add_cmd)[1:]]
    added_out, todo_out, unverified_out, changed_out = _blocks("text")

    result = cli(ws, *args)
    assert result.exit_code == 0
    assert added_out.splitlines() == result.output.splitlines()[:len(added_out.splitlines())]

    result = cli(ws, "todo", "jdm-heart")
    assert (result.exit_code, result.output) == (1, todo_out)

    (bib,) = _blocks("bibtex")
    drafted, studies, claims, links = _blocks("csv")
    assert drafted.split(",")[0] == studies.split(",")[0] == "akgun2025cardiac"
    _append(ws.root / "references/library.bib", "\n" + bib)
    _append(ws.root / "references/studies.csv", studies)  # the editor's row replaces the draft
    _append(ws.root / "references/claims.csv", claims)
    _append(ws.root / "articles/jdm-heart.links.csv", links)
    result = cli(ws, "todo", "jdm-heart")
    assert result.exit_code == 0
    assert result.output.startswith(unverified_out)

    for name in ("studies", "claims"):
        csv_path = ws.root / f"references/{name}.csv"
        csv_path.write_text(csv_path.read_text(encoding="utf-8").replace(",unverified,", ",verified,"),
                            encoding="utf-8")
    result = cli(ws, "todo", "jdm-heart")
    assert result.exit_code == 0
    assert "nothing to do: no problems, every statement has evidence" in result.output

    result = cli(ws, "check", "jdm-heart")
    assert result.exit_code == 0
    assert "S01 SUPPORTED (certainty: very low)" in result.output and "S02 NOT CHECKABLE" in result.output
    assert cli(ws, "publish").exit_code == 0
    assert (ws.site_dir / "articles" / "jdm-heart.html").is_file()

    article = ws.root / "articles/jdm-heart.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "although their ECG and echocardiogram results were normal", "even though their ECG and echocardiogram were normal"),
        encoding="utf-8")
    result = cli(ws, "todo", "jdm-heart")
    assert (result.exit_code, result.output) == (1, changed_out + "\n1 item(s) to do, 1 blocking\n")
    result = cli(ws, "accept", "jdm-heart", "S01")
    assert result.exit_code == 0
    assert "even though" in (ws.root / "articles/jdm-heart.accepted.csv").read_text(encoding="utf-8")
    assert cli(ws, "todo", "jdm-heart").exit_code == 0


def test_the_walkthrough_bibtex_and_study_row_are_what_evidence_add_writes_for_the_real_record(tmp_path):
    recording = SHARED / "external" / "pubmed" / "metapub" / "38909159.xml"
    if not recording.is_file():
        missing_recording(f"the real PubMed record is not at {recording}")
    from evidence.read.tables import STUDIES
    from evidence.resolve.entries import Registry, format_entry, from_work
    from evidence.resolve.ncbi import parse_pubmed
    from evidence.resolve.studyrows import append_rows, draft

    ((pmid, (work, _)),) = parse_pubmed(ET.parse(recording).getroot()).items()
    cand = from_work(work, f"pmid:{pmid}")
    (bib,) = _blocks("bibtex")
    key = Registry([]).citekey(cand)
    assert format_entry(key, cand).rstrip("\n") == bib.rstrip("\n")
    row, _ = draft(key, cand, "add")
    assert row is not None
    studies = tmp_path / "studies.csv"
    # the walkthrough's workspace comes from `evidence init`: its studies.csv has the starter's header
    starter = (REPO / "evidence" / "starter" / "references" / "studies.csv").read_text(encoding="utf-8")
    studies.write_text(starter.splitlines()[0] + "\n", encoding="utf-8")
    append_rows(studies, [row])
    assert studies.read_text(encoding="utf-8").splitlines()[1] == _blocks("csv")[0].rstrip("\n")
    assert "3 of 11 JDM patients" in ET.parse(recording).getroot().findtext(".//AbstractText[@Label='RESULTS']")
