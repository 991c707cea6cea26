"""Render stage, the workspace's own templates checked before a page is written.

An editor's template is input like any other: it must be a regular UTF-8 file that really
lies in the workspace (a link to ``/etc/hostname`` would publish that file), and it must
compile. A template that compiles but fails while rendering (a misspelt variable under
``StrictUndefined``) is reported at its file and line, found in the traceback that Jinja
rewrites to point into the template.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from jinja2 import Environment, TemplateError, TemplateSyntaxError

from ..errors import InputError, Problem
from ..files import read_text
from ..workspace import Settings


def _own_dir(settings: Settings) -> Path:
    return settings.root / "site_templates"


def check_templates(settings: Settings) -> None:
    """Raise InputError listing every unreadable or uncompilable workspace template (nothing written)."""
    folder = _own_dir(settings)
    if not folder.is_dir():
        return
    problems: list[Problem] = []
    env = Environment()
    for path in sorted(folder.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        shown = settings.rel(path)
        text, found = read_text(path, settings.root, shown)
        problems += found
        if text is None or path.suffix not in (".html", ".xml", ".css", ".txt", ".js", ".json"):
            continue
        try:
            env.parse(text)
        except TemplateSyntaxError as exc:
            problems.append(Problem(shown, exc.lineno, "bad-template", f"template does not compile: {exc.message}",
                                    "fix the Jinja syntax ({{ }}, {% %}) on this line"))
    if problems:
        raise InputError(problems)


def template_problem(settings: Settings, exc: BaseException) -> Problem | None:
    """A render-time template error as a Problem at the template's file and line (None if not one)."""
    if not isinstance(exc, TemplateError):
        return None
    dirs = [d.resolve() for d in settings.template_dirs]
    where: tuple[Path, int] | None = None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.suffix and any(d in path.resolve().parents for d in dirs):
            where = (path, frame.lineno or 0)  # the innermost template frame wins
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        where = (Path(exc.filename), exc.lineno)
    shown = settings.rel(where[0]) if where else "site_templates/"
    message = getattr(exc, "message", None) or str(exc)
    return Problem(shown, where[1] if where else None, "template-error", f"template failed: {message}",
                   "every variable a template uses must exist in its page context (see README, 'Templates')")
