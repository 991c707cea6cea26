"""`evidence serve`: a preview on 127.0.0.1 only, rebuilt when a workspace file changes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from evidence.cli.serve import register
from evidence.workflow.serve import Preview, changed_files, snapshot

from .conftest import REPO


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode("utf-8"), dict(response.headers)


def wait_for(predicate, timeout: float = 20.0, step: float = 0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def test_preview_binds_to_loopback_serves_the_site_and_rebuilds_on_change(ws):
    messages: list[str] = []
    preview = Preview(ws, port=0, interval=0.1, log=messages.append)
    try:
        url = preview.start()
        assert preview.server.server_address[0] == "127.0.0.1" and url.startswith("http://127.0.0.1:")
        status, body, headers = fetch(url + "index.html")
        assert status == 200 and "An example article" in body and headers["Cache-Control"] == "no-store"
        builds = preview.builds
        md = ws.root / "articles/example.md"
        md.write_text(md.read_text(encoding="utf-8").replace("An example article", "A renamed article"),
                      encoding="utf-8")
        wait_for(lambda: preview.builds > builds)
        assert "A renamed article" in fetch(url + "index.html")[1]
        # bad input: the problems are reported and the last good site stays up
        (ws.root / "references/studies.csv").write_text("citekey\n", encoding="utf-8")
        wait_for(lambda: any("still serving the previous site" in m for m in messages))
        assert "A renamed article" in fetch(url + "index.html")[1]
    finally:
        preview.stop()


def test_only_source_files_are_watched(ws):
    before = snapshot(ws)
    assert ws.root / "evidence.toml" in before and ws.root / "articles/example.md" in before
    (ws.root / "site").mkdir(exist_ok=True)
    (ws.root / "site/index.html").write_text("x")
    (ws.root / "articles/.example.md.swp").write_text("x")
    assert changed_files(before, snapshot(ws)) == []
    (ws.root / "site_templates").mkdir()
    (ws.root / "site_templates/base.html").write_text("x")
    assert changed_files(before, snapshot(ws)) == [ws.root / "site_templates/base.html"]


@pytest.fixture
def group() -> click.Group:
    """A stand-in for the `evidence` group: the same -w option, with serve registered on it."""

    @click.group()
    @click.option("-w", "--workspace", type=click.Path(file_okay=False, path_type=Path), default=None)
    @click.pass_context
    def main(ctx: click.Context, workspace: Path | None) -> None:
        ctx.obj = workspace

    register(main)
    return main


def test_serve_command_is_registered_with_its_options(group):
    result = CliRunner().invoke(group, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "127.0.0.1" in result.output


def test_serve_command_serves_index_html_on_loopback(ws, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = tmp_path / "run_serve.py"
    script.write_text(
        "import sys\nfrom pathlib import Path\nimport click\nfrom evidence.cli.serve import register\n"
        "@click.group()\n@click.option('-w', 'workspace', type=click.Path(path_type=Path))\n@click.pass_context\n"
        "def main(ctx, workspace):\n    ctx.obj = workspace\n"
        "register(main)\nmain(sys.argv[1:])\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(script), "-w", str(ws.root), "serve", "--port", str(port),
                             "--interval", "0.2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        def up():
            try:
                return fetch(f"http://127.0.0.1:{port}/index.html")
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                return None

        status, body, _ = wait_for(up, timeout=60)
        assert status == 200 and "<!doctype html>" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert f"at http://127.0.0.1:{port}/" in proc.stderr.read().decode()


def test_serve_refuses_a_port_in_use(ws, group):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        result = CliRunner().invoke(group, ["-w", str(ws.root), "serve", "--port", str(s.getsockname()[1])])
    assert result.exit_code == 2 and "try --port 0" in result.output


def test_the_evidence_command_has_serve():
    from evidence.cli import main

    assert "serve" in main.commands
    assert CliRunner().invoke(main, ["serve", "--help"]).exit_code == 0
