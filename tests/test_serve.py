"""`evidence serve`: a preview on 127.0.0.1 only, rebuilt when a workspace file changes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

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


def test_the_evidence_command_has_serve_with_its_options():
    """The real `evidence` group (pyproject: evidence = "evidence.cli:main"), not a stand-in."""
    from evidence.cli import main

    assert "serve" in main.commands
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert result.output.startswith("Usage: main serve [OPTIONS]")
    for option in ("--port", "--interval"):
        assert option in result.output
    assert "127.0.0.1" in result.output


def test_serve_command_serves_index_html_on_loopback(ws, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the installed console script when there is one (pip install -e), else the same entry point by import
    script = Path(sys.executable).with_name("evidence")
    command = [str(script)] if script.is_file() else [sys.executable, "-c",
                                                      "import sys; from evidence.cli import main; sys.exit(main())"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([*command, "-w", str(ws.root), "serve", "--port", str(port), "--interval", "0.2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
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


def test_serve_refuses_a_port_in_use(ws):
    from evidence.cli import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = CliRunner().invoke(main, ["-w", str(ws.root), "serve", "--port", str(port)])
    assert result.exit_code == 2 and "try --port 0" in result.output and str(port) in result.output


def test_the_address_is_announced_before_any_request_can_be_answered(ws):
    """A watcher that sees the page must already have seen the URL (the race behind a flaky CLI test)."""
    preview = Preview(ws, port=0, interval=60, log=lambda message: None)
    heard: list[tuple[str, int]] = []
    try:
        url = preview.start(ready=lambda address: heard.append((address, len(preview._threads))))
    finally:
        preview.stop()
    assert heard == [(url, 0)]  # told once, with the right address, before the serving thread existed
