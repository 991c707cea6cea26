"""The README's walk-through of a second article is run step by step from its own text: the
draft, the rows and the outputs it shows are what the tool really reads, writes and prints.
PubMed is the local server of the find tests (the real EFetch record of PMID 38909159; the
ESearch answer and the ESummary DocSums derived from the real records are marked there)."""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET

import pytest

from evidence import pipeline

from bench.walkthrough import editor_edit, editor_verifies

from .conftest import EXTERNAL, REPO, missing_recording
from .test_find import ncbi  # noqa: F401
from .test_resolve_support import local_server, replay, settings_for, srv  # noqa: F401


def _section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("## A second article, start to finish")
    return readme[start:readme.index("\n## Workspace format", start)]


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", _section(), re.S)


def _append(path, text: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def _point_at(ws, server) -> None:
    """The walkthrough's workspace, with PubMed at the local server (as a mirror would be configured)."""
    toml = ws.root / "evidence.toml"
    table = settings_for(ws.root, server).resolve
    toml.write_text(toml.read_text(encoding="utf-8").split("[resolve]")[0] + "[resolve]\n"
                    + "".join(f'{k} = "{v}"\n' for k, v in table.items()), encoding="utf-8")


def test_the_walkthrough_runs_as_written(tmp_path, cli, replay, ncbi):
    ws = pipeline.init(tmp_path / "jdm")
    _point_at(ws, replay.server)
    (draft,) = _blocks("markdown")
    path = tmp_path / "jdm-heart.md"
    path.write_text(draft, encoding="utf-8")
    commands = [shlex.split(c.strip()) for c in _blocks("sh")]
    add_cmd = next(c for c in commands if c[:3] == ["evidence", "article", "add"])
    args = [str(path) if a == "jdm-heart.md" else a for a in add_cmd[1:]]
    added_out, todo_out, suggest_out, unverified_out, changed_out = _blocks("text")

    result = cli(ws, *args)
    assert result.exit_code == 0
    assert added_out.splitlines() == result.output.splitlines()[:len(added_out.splitlines())]

    result = cli(ws, "todo", "jdm-heart")
    assert (result.exit_code, result.output) == (1, todo_out)
    result = cli(ws, "find", "--statement", "jdm-heart:S01")  # the command todo names: no vocabulary terms yet
    assert result.exit_code == 2 and "names no intervention or condition of the vocabularies" in result.output

    (bib,) = _blocks("bibtex")
    drafted, studies, claims, links = _blocks("csv")
    finds = [c for c in commands if c[:2] == ["evidence", "find"]]
    listed = cli(ws, *finds[0][1:])
    assert listed.exit_code == 0
    assert "  1. [systematic_review] 2025 Cardiac evaluation of patients with juvenile dermatomyositis." in listed.output
    assert finds[1][-2:] == ["--add", "1"] and cli(ws, *finds[1][1:]).exit_code == 0
    assert bib in (ws.root / "references/library.bib").read_text(encoding="utf-8")
    assert (ws.root / "references/studies.csv").read_text(encoding="utf-8").endswith(drafted)

    suggest = next(c for c in commands if c[:3] == ["evidence", "claims", "suggest"])
    result = cli(ws, *suggest[1:])
    assert result.exit_code == 0
    assert result.output.startswith(suggest_out)
    editor_edit(ws.root, studies, claims, links)  # the editor's part, from the rows shown
    result = cli(ws, "todo", "jdm-heart")
    assert result.exit_code == 0
    assert result.output.startswith(unverified_out)

    editor_verifies(ws.root, "akgun2025cardiac")
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


def test_the_walkthrough_bibtex_is_what_evidence_add_writes_for_the_real_record():
    recording = EXTERNAL / "pubmed" / "metapub" / "38909159.xml"
    if not recording.is_file():
        missing_recording(f"the real PubMed record is not at {recording}")
    from evidence.resolve.entries import Registry, format_entry, from_work
    from evidence.resolve.ncbi import parse_pubmed

    ((pmid, (work, _)),) = parse_pubmed(ET.parse(recording).getroot()).items()
    cand = from_work(work, f"pmid:{pmid}")
    (bib,) = _blocks("bibtex")
    key = Registry([]).citekey(cand)
    assert format_entry(key, cand).rstrip("\n") == bib.rstrip("\n")
    assert "3 of 11 JDM patients" in ET.parse(recording).getroot().findtext(".//AbstractText[@Label='RESULTS']")
