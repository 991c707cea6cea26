"""Workflow, article add: read a writer's draft (Markdown, plain text or saved HTML) into the
workspace's article format.

The article format is deliberately small (``#`` headings, paragraphs, ``- `` bullets, a
numbered ``## References`` section) because statements are anchored by offsets in it; so
inline Markdown (emphasis, links, images) is reduced to its text, wrapped lines are joined
and other list marks become ``- ``. Saved HTML goes through trafilatura, a maintained
main-content extractor (no network: it reads the file only), which drops menus, ads and
footers and returns Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import Problem

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text",
            ".html": "html", ".htm": "html"}
_REFERENCES = re.compile(r"^(?:#{1,6}\s*)?(?:references|sources|citations|bibliography)\s*:?\s*$", re.I)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BULLET = re.compile(r"^\s*(?:[-*+•–]|\d{1,3}[.)])\s+(.*)$")
_TEXT_BULLET = re.compile(r"^\s*[-*•–]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\[?(\d{1,3})[.)\]]\s*(.*\S)\s*$")


@dataclass(frozen=True)
class Draft:
    """A draft reduced to the article format: metadata found in it, body lines and references as printed."""

    title: str
    body: str  # headings, paragraphs and bullets, blocks separated by blank lines
    references: tuple[str, ...]
    meta: dict[str, str] = field(default_factory=dict)  # url, outlet, published found in the file


def read_draft(path: Path, shown: str) -> tuple[Draft | None, list[Problem]]:
    """The draft at ``path``; a Problem (never an exception) when it cannot be read."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        return None, [Problem(shown, None, "unknown-format", f"cannot read '{path.suffix or path.name}' files",
                              "give a Markdown (.md), plain-text (.txt) or saved HTML (.html) file")]
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(shown, None, "bad-encoding", f"not UTF-8 ({exc.reason})", "save the file as UTF-8")]
    meta: dict[str, str] = {}
    if fmt == "html":
        raw, meta = _from_html(raw)
        fmt = "markdown"
    elif fmt == "markdown" and raw.startswith("---\n") and (end := raw.find("\n---\n", 4)) > 0:
        try:
            loaded = yaml.safe_load(raw[4:end]) or {}
        except yaml.YAMLError as exc:
            return None, [Problem(shown, 1, "bad-front-matter", f"front matter is not valid YAML: {exc}",
                                  "fix the YAML or remove the front matter")]
        if isinstance(loaded, dict):
            meta = {k: str(v) for k, v in loaded.items() if k in ("title", "url", "outlet", "published") and v}
        raw = raw[end + 5:]
    draft = _from_markdown(raw, meta) if fmt == "markdown" else _from_text(raw, meta)
    if not draft.body.strip():
        return None, [Problem(shown, None, "empty-article", "no article text found in the file",
                              "check that the file holds the article (for HTML: the saved page, not a link)")]
    return draft, []


def _from_html(html: str) -> tuple[str, dict[str, str]]:
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    text = trafilatura.extract(html, output_format="markdown", include_comments=False, include_tables=False,
                               include_images=False, include_links=False, include_formatting=True,
                               favor_recall=True) or ""
    meta: dict[str, str] = {}
    found = trafilatura.extract_metadata(html, extensive=False)
    if found is not None:
        for key, value in (("title", found.title), ("outlet", found.sitename), ("url", found.url)):
            if value:
                meta[key] = str(value)
    return text, meta


def inline_text(text: str) -> str:
    """Markdown inline syntax reduced to the words a reader sees."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links
    text = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", text)  # reference links
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    text = re.sub(r"</?[a-zA-Z][^>]*>", "", text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!>])", r"\1", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _from_markdown(raw: str, meta: dict[str, str]) -> Draft:
    blocks: list[str] = []
    references: list[str] = []
    paragraph: list[str] = []
    in_refs = False
    title = meta.get("title", "")

    def flush() -> None:
        if paragraph:
            blocks.append(inline_text(" ".join(paragraph)))
            paragraph.clear()

    for line in raw.splitlines():
        stripped = line.strip()
        if _REFERENCES.match(stripped) and (stripped.startswith("#") or not paragraph):
            flush()
            in_refs = True
            continue
        if in_refs:
            if m := _NUMBERED.match(stripped) or _MD_BULLET.match(stripped):
                references.append(inline_text(m.group(m.lastindex or 1)))
            elif stripped and references:
                references[-1] += " " + inline_text(stripped)
            continue
        if not stripped or re.fullmatch(r"[-*_=]{3,}", stripped):
            flush()
            continue
        if h := _MD_HEADING.match(stripped):
            flush()
            level = min(len(h.group(1)), 3)
            text = inline_text(h.group(2))
            if level == 1 and not title:
                title = text
            blocks.append(f"{'#' * level} {text}")
        elif b := _MD_BULLET.match(line):
            flush()
            blocks.append(f"- {inline_text(b.group(1))}")
        elif stripped.startswith(">"):
            paragraph.append(stripped.lstrip("> "))
        elif blocks and blocks[-1].startswith("- ") and not paragraph and line[:1].isspace():
            blocks[-1] += " " + inline_text(stripped)  # a bullet's continuation line
        else:
            paragraph.append(stripped)
    flush()
    return Draft(title, _join(blocks), tuple(r for r in references if r), meta)


def _from_text(raw: str, meta: dict[str, str]) -> Draft:
    """Plain text: blank lines separate paragraphs; a short line without final punctuation standing
    alone is a heading (the first one, the title); '-', '*' or '•' lines are bullets."""
    blocks: list[str] = []
    references: list[str] = []
    title = meta.get("title", "")
    in_refs = False
    for chunk in re.split(r"\n\s*\n", raw.replace("\r\n", "\n")):
        lines = [ln.strip() for ln in chunk.split("\n") if ln.strip()]
        if not lines:
            continue
        if len(lines) == 1 and _REFERENCES.match(lines[0]):
            in_refs = True
            continue
        if in_refs:
            for ln in lines:
                m = _NUMBERED.match(ln)
                references.append(m.group(2) if m else ln)
            continue
        numbered = [_NUMBERED.match(ln) for ln in lines]
        if all(numbered) and all(re.search(r"\b(?:19|20)\d{2}\b", m.group(2)) for m in numbered if m):
            in_refs = True  # a numbered list of citations with no heading: the reference list
            references.extend(m.group(2) for m in numbered if m)
            continue
        if all(numbered):
            blocks.extend("- " + m.group(2) for m in numbered if m)
            continue
        if all(_TEXT_BULLET.match(ln) for ln in lines):
            blocks.extend("- " + _TEXT_BULLET.match(ln).group(1).strip() for ln in lines)  # type: ignore[union-attr]
            continue
        text = " ".join(lines)
        if len(lines) == 1 and len(text) <= 90 and not re.search(r"[.!:;,\"”]$", text):
            if not title:
                title = text
                blocks.append(f"# {text}")
            elif text != title:  # scraped pages often repeat the title
                blocks.append(f"## {text}")
            continue
        blocks.append(re.sub(r"[ \t]+", " ", text))
    return Draft(title, _join(blocks), tuple(references), meta)


def _join(blocks: list[str]) -> str:
    """Blocks separated by a blank line, except consecutive bullets (one list)."""
    out: list[str] = []
    for block in blocks:
        if out and block.startswith("- ") and out[-1].startswith("- "):
            out[-1] += "\n" + block
        else:
            out.append(block)
    return "\n\n".join(out)
