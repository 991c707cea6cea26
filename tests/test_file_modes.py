"""Files the toolkit writes for an editor get the permissions any editor's program would give them.

``mkstemp`` makes its temp files 0600; renamed into place, a new claims or statements file was
then unreadable to everyone else on a shared newsroom drive. A new file gets 0666 less the
umask, an edited file keeps its own mode, and no temp file is left behind either way.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from evidence.files import new_file_mode, write_atomic, write_new
from evidence.resolve.cache import write_json


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_mode_is_0666_less_the_umask(umask_022):
    assert new_file_mode() == 0o644
    os.umask(0o077)
    assert new_file_mode() == 0o600
    assert os.umask(0o022) == 0o077  # asking for the mask left it as it was


def test_a_new_file_written_atomically_gets_the_umask_mode(tmp_path, umask_022):
    target = tmp_path / "claims.csv"
    write_atomic(target, b"claim_id\n")
    assert _mode(target) == 0o644 and target.read_bytes() == b"claim_id\n"
    assert [p.name for p in tmp_path.iterdir()] == ["claims.csv"]


def test_an_edited_file_keeps_its_own_mode(tmp_path, umask_022):
    target = tmp_path / "claims.csv"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    write_atomic(target, b"new\n")
    assert _mode(target) == 0o640 and target.read_bytes() == b"new\n"


def test_write_new_refuses_an_existing_file_and_keeps_its_bytes(tmp_path, umask_022):
    target = tmp_path / "a.md"
    write_new(target, b"first\n")
    assert _mode(target) == 0o644
    with pytest.raises(FileExistsError):
        write_new(target, b"second\n")
    assert target.read_bytes() == b"first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]  # the temp file is gone


def test_cache_json_is_written_whole_with_the_umask_mode(tmp_path, umask_022):
    target = tmp_path / "crossref" / "doi" / "x.json"
    write_json(target, {"b": 1, "a": "é"})
    assert target.read_text(encoding="utf-8") == '{\n "a": "é",\n "b": 1\n}\n'
    assert _mode(target) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["x.json"]


def test_article_add_creates_files_the_team_can_read(ws, cli, tmp_path, umask_022):
    draft = tmp_path / "walking.md"
    draft.write_text("# Walking\n\nAdults should walk for 150 minutes a week.\n", encoding="utf-8")
    result = cli(ws, "article", "add", str(draft))
    assert result.exit_code == 0, result.output
    made = sorted(p for p in ws.articles_dir.iterdir() if p.name.startswith("walking"))
    assert [p.name for p in made] == ["walking.links.csv", "walking.md", "walking.statements.csv"]
    assert {p.name: _mode(p) for p in made} == {p.name: 0o644 for p in made}
