"""CLI output: printed exactly as written (no emoji or markup substitution), one JSON shape for
`check --format json`, and truncated lists that say how to see the rest."""

from __future__ import annotations

import json

from tests.conftest import write


def _article_with_warning_on_line(ws, line: int, sentence: str) -> None:
    """Pad the starter article so that an unregistered checkable sentence stands on ``line``."""
    path = ws.root / "articles/example.md"
    text = path.read_text(encoding="utf-8")
    head, refs = text.split("\n## References", 1)
    pad = line - (head.count("\n") + 1)  # head ends on line head.count("\n") + 1; each newline moves one down
    assert pad > 0
    write(ws, "articles/example.md", head + "\n" * pad + sentence + "\n\n## References" + refs)


def test_check_verbose_prints_file_and_line_100_without_an_emoji(ws, cli):
    # The reported bug: rich turned "acne-scars.md:100:" into "acne-scars.md💯".
    _article_with_warning_on_line(ws, 100, "Studies show that 9 in 10 people [bold]improve[/bold] within :smile: weeks.")
    result = cli(ws, "check", "-v")
    assert "💯" not in result.output and "😄" not in result.output
    assert "articles/example.md:100: [uncovered-sentence]" in result.output
    assert "[bold]improve[/bold]" in result.output and ":smile:" in result.output  # markup printed as typed


def test_check_json_has_one_shape_with_and_without_an_article(ws, cli):
    one = json.loads(cli(ws, "check", "example", "--format", "json").output)
    every = json.loads(cli(ws, "check", "--format", "json").output)
    assert set(one) == {"articles"} and set(every) == {"articles"}
    assert [a["article"]["slug"] for a in one["articles"]] == ["example"]
    assert one["articles"] == every["articles"]  # the workspace has one article
    first = one["articles"][0]
    assert {"article", "summary", "blocking", "statements", "references", "problems"} <= set(first)


def test_truncated_lists_say_how_many_more_and_how_to_see_them(shipped, cli):
    short = cli(shipped, "check", "acne-scars").output
    full = cli(shipped, "check", "acne-scars", "-v").output
    hidden = [line.strip() for line in short.splitlines() if line.strip().startswith("… and ")]
    assert hidden and all(line.endswith(" more (use -v)") for line in hidden)
    assert "(use -v)" not in full
    assert len(full.splitlines()) > len(short.splitlines())


def test_every_console_and_progress_column_prints_text_as_written():
    """A guard for new commands: rich's Console and TextColumn substitute emoji and markup unless told not to."""
    import re

    from tests.conftest import REPO

    calls = []
    for path in sorted((REPO / "evidence").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for m in re.finditer(r"\b(Console|TextColumn)\(", source):
            depth, end = 0, m.end() - 1
            for end in range(m.end() - 1, len(source)):  # the whole call, up to its closing parenthesis
                depth += {"(": 1, ")": -1}.get(source[end], 0)
                if depth == 0:
                    break
            calls.append((path.relative_to(REPO).as_posix(), m.group(1), source[m.start():end + 1]))
    assert calls  # the CLI has consoles; if this fails the scan is broken, not the code
    for where, kind, call in calls:
        assert "markup=False" in call, (where, call)
        if kind == "Console":
            assert "emoji=False" in call, (where, call)
