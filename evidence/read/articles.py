"""Read stage for articles: YAML front matter, a plain body, and the printed reference list.

The body is kept byte for byte: statements are anchored by character offsets in it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml

from ..errors import Problem
from ..model import Article, PrintedReference

REFERENCES_HEADING = re.compile(r"^##\s+References\s*$", re.MULTILINE)
_NUMBERED = re.compile(r"^\s*(\d+)\.\s+(.*\S)\s*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def read_article(path: Path, shown: str) -> tuple[Article | None, list[Problem]]:
    text = path.read_text(encoding="utf-8")
    problems: list[Problem] = []
    meta: dict[str, object] = {}
    body_start = 0
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end < 0:
            return None, [Problem(shown, 1, "bad-front-matter", "front matter has no closing '---' line",
                                  "end the YAML front matter with a line containing only ---")]
        try:
            loaded = yaml.safe_load(text[4:end]) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark else 1
            return None, [Problem(shown, line, "bad-front-matter", f"front matter is not valid YAML: {exc}",
                                  "fix the YAML syntax (quote values containing ':')")]
        if not isinstance(loaded, dict):
            return None, [Problem(shown, 2, "bad-front-matter", "front matter must be a mapping of keys to values",
                                  "write key: value lines")]
        meta = loaded
        body_start = end + 5
    else:
        problems.append(Problem(shown, 1, "no-front-matter", "the article has no front matter",
                                "start the file with ---, title: ..., ---", severity="warning"))
    rest = text[body_start:]
    ref_match = REFERENCES_HEADING.search(rest)
    body = rest[: ref_match.start()] if ref_match else rest
    references: list[PrintedReference] = []
    if ref_match:
        ref_line = text.count("\n", 0, body_start + ref_match.end()) + 1
        for i, line in enumerate(rest[ref_match.end():].splitlines()):
            m = _NUMBERED.match(line)
            if m:
                references.append(PrintedReference(int(m.group(1)), m.group(2), ref_line + i))
    stem = path.name.removesuffix(".md")
    slug = str(meta.get("slug", stem))
    if not SLUG_RE.match(slug):
        problems.append(Problem(shown, 2, "bad-slug", f"slug '{slug}' is not a safe file name",
                                "use lower-case letters, digits and hyphens", field="slug"))
        slug = re.sub(r"[^a-z0-9-]+", "-", slug.lower()).strip("-") or "article"
    title = str(meta.get("title") or "")
    if not title:
        problems.append(Problem(shown, 1, "missing-title", "the article has no title", "add title: to the front matter"))
    experts = meta.get("experts") or []
    if isinstance(experts, str):
        experts = [e.strip() for e in experts.split(";") if e.strip()]
    article = Article(
        slug=slug,
        title=title,
        outlet=str(meta.get("outlet") or ""),
        url=str(meta.get("url") or ""),
        published=str(meta.get("published") or ""),
        experts=tuple(str(e) for e in experts),
        body=body,
        body_line=text.count("\n", 0, body_start) + 1,
        references=tuple(references),
        source_file=shown,
        text_hash=hashlib.sha256(body.encode("utf-8")).hexdigest(),
    )
    return article, problems
