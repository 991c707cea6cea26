"""Read stage for articles: YAML front matter, a plain body, and the printed reference list.

The body is kept byte for byte: statements are anchored by character offsets in it.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from pathlib import Path

import yaml

from ..errors import Problem
from ..files import read_text
from ..identifiers import is_safe_url
from ..model import Article, PrintedReference

REFERENCES_HEADING = re.compile(r"^##\s+References\s*$", re.MULTILINE)
_NUMBERED = re.compile(r"^\s*(\d+)\.\s+(.*\S)\s*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as written: an impossible date is then a located problem, not a crash."""


_Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                   for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
# What each front-matter key may hold; anything else is an error at the key's line, not a str() of it.
FIELD_TYPES = {"title": (str,), "slug": (str,), "outlet": (str,), "url": (str,), "published": (str, int),
               "experts": (str, list)}


def _key_line(text: str, key: str, offset: int) -> int:
    match = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 + offset if match else 1 + offset


def _front_matter_problems(meta: dict[object, object], front: str, shown: str) -> list[Problem]:
    """Types, dates and URLs of the front matter, each at its line."""
    problems = []
    for key, allowed in FIELD_TYPES.items():
        value = meta.get(key)
        if value is None:
            continue
        line = _key_line(front, key, 1)
        wrong = not isinstance(value, allowed) or isinstance(value, bool)
        if wrong or (isinstance(value, list) and not all(isinstance(v, str) for v in value)):
            problems.append(Problem(shown, line, "bad-front-matter", f"{key} must be text, not {type(value).__name__}",
                                    f"write {key}: followed by text (quote it if it looks like a number or list)",
                                    field=key))
            del meta[key]
    published = meta.get("published")
    if isinstance(published, str) and re.match(r"^\d{4}-\d\d-\d\d", published):
        try:
            datetime.date.fromisoformat(published[:10])
        except ValueError as exc:
            problems.append(Problem(shown, _key_line(front, "published", 1), "bad-date",
                                    f"published '{published}' is not a real date ({exc})",
                                    "write the date as YYYY-MM-DD", field="published"))
    url = meta.get("url")
    if isinstance(url, str) and url and not is_safe_url(url):
        problems.append(Problem(shown, _key_line(front, "url", 1), "bad-url",
                                f"url '{url[:80]}' is not an http(s) address", "write the article's address "
                                "starting with https:// (other schemes could run script in a reader's browser)",
                                field="url"))
        del meta["url"]
    return problems


def read_article(path: Path, shown: str) -> tuple[Article | None, list[Problem]]:
    text, problems = read_text(path, None, shown)
    if text is None:
        return None, problems
    meta: dict[str, object] = {}
    body_start = 0
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end < 0:
            return None, [Problem(shown, 1, "bad-front-matter", "front matter has no closing '---' line",
                                  "end the YAML front matter with a line containing only ---")]
        try:
            loaded = yaml.load(text[4:end], Loader=_Loader) or {}  # noqa: S506 - a SafeLoader subclass
        except RecursionError:
            return None, [Problem(shown, 2, "bad-front-matter", "front matter is nested too deeply",
                                  "write plain key: value lines")]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark else 1
            return None, [Problem(shown, line, "bad-front-matter", f"front matter is not valid YAML: {exc}",
                                  "fix the YAML syntax (quote values containing ':')")]
        if not isinstance(loaded, dict):
            return None, [Problem(shown, 2, "bad-front-matter", "front matter must be a mapping of keys to values",
                                  "write key: value lines")]
        meta = loaded
        problems += _front_matter_problems(meta, text[4:end], shown)
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
