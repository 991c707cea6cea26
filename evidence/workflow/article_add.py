"""Workflow: ``evidence article add`` — a draft becomes a workspace article with its statements.

It writes ``articles/<slug>.md`` (front matter in the shipped format, then the body and the
printed reference list), ``articles/<slug>.statements.csv`` (one row per checkable sentence
or clause, see :mod:`.statement_kinds`) and an empty ``articles/<slug>.links.csv`` for the
evidence links. Everything is composed and re-read with the workspace's own readers first
(every quote must anchor exactly, once), so what is written always builds; nothing is
written when anything is wrong, or on a dry run, and an existing article is never replaced.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from ..errors import InputError, Problem
from ..files import write_new
from ..read.anchoring import anchor_quote, prefix_before
from ..read.articles import SLUG_RE, read_article
from ..read.statements import read_statements
from ..read.tables import LINKS, STATEMENTS
from ..workspace import Settings
from .drafts import Draft, read_draft
from .sentences import Sentence, clauses, sentences
from .statement_kinds import Assessment, assess

NOTE_PREFIX = "article add:"


@dataclass(frozen=True)
class Registered:
    """One statement as registered: its row and where it stands in the article."""

    statement_id: str
    quote: str
    kind: str
    asserts: str | None
    prefix: str
    details: tuple[str, ...]
    line: int  # line in the article file

    def row(self) -> list[str]:
        note = f"{NOTE_PREFIX} " + "; ".join(self.details) if self.details else ""
        values = {"statement_id": self.statement_id, "quote": self.quote, "kind": self.kind,
                  "asserts": self.asserts or "", "prefix": self.prefix, "note": note}
        return [values.get(name, "") for name in STATEMENTS.names]


@dataclass(frozen=True)
class AddedArticle:
    """What ``article add`` wrote (or would write, on a dry run)."""

    slug: str
    title: str
    article_path: Path
    statements_path: Path
    links_path: Path
    statements: tuple[Registered, ...]
    sentences: int  # sentences read; the difference to len(statements) had nothing to check
    references: int
    written: bool

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.statements:
            out[s.kind] = out.get(s.kind, 0) + 1
        return out


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = "-".join(words)[:60].strip("-")
    return slug or "article"


def add_article(settings: Settings, source: Path, slug: str | None = None, title: str | None = None,
                url: str | None = None, outlet: str | None = None, published: str | None = None,
                dry_run: bool = False) -> AddedArticle:
    """Read ``source``, register its statements and write the article files (unless ``dry_run``).

    Raises InputError (exit 2, nothing written) for an unreadable draft, a bad slug or date,
    or an article that already exists.
    """
    draft, problems = read_draft(source, str(source))
    if draft is None:
        raise InputError(problems)
    title = title or draft.title or source.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    slug = slug or slugify(draft.meta.get("slug", "") or title)
    if not SLUG_RE.match(slug):
        problems.append(Problem("--slug", None, "bad-slug", f"slug '{slug}' is not a safe file name",
                                "use lower-case letters, digits and hyphens"))
    published = published or draft.meta.get("published", "")
    if published and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", published):
        problems.append(Problem("--published", None, "bad-date", f"'{published}' is not a date",
                                "write the year (2024) or the date (2024-05-01)"))
    elif published and len(published) == 10:
        try:
            date.fromisoformat(published)
        except ValueError:
            problems.append(Problem("--published", None, "bad-date", f"'{published}' is not a calendar date",
                                    "write the date as YYYY-MM-DD"))
    art_dir = settings.articles_dir
    paths = [art_dir / f"{slug}.md", art_dir / f"{slug}.statements.csv", art_dir / f"{slug}.links.csv"]
    for path in paths:
        if path.exists():
            problems.append(Problem(settings.rel(path), None, "article-exists", f"{settings.rel(path)} already exists",
                                    "choose another --slug; article add never replaces an article"))
    if problems:
        raise InputError(problems)
    meta = {"slug": slug, "title": title, "outlet": outlet or draft.meta.get("outlet", ""),
            "url": url or draft.meta.get("url", ""), "published": published}
    text = compose_article(meta, draft)
    registered, n_sentences = register_statements(text)
    statements_csv = _csv(STATEMENTS.names, [r.row() for r in registered])
    links_csv = _csv(LINKS.names, [])
    _verify(settings, slug, text, statements_csv)
    if not dry_run:
        art_dir.mkdir(parents=True, exist_ok=True)
        for path, content in zip(paths, (text, statements_csv, links_csv)):
            _write_new(path, content)
    return AddedArticle(slug, title, paths[0], paths[1], paths[2], tuple(registered), n_sentences,
                        len(draft.references), not dry_run)


def compose_article(meta: dict[str, str], draft: Draft) -> str:
    """Front matter in the shipped article's format, '# title', the body, then '## References'."""
    lines = ["---"]
    for key in ("slug", "title", "outlet", "url", "published"):
        if meta.get(key):
            lines.append(yaml.safe_dump({key: meta[key]}, allow_unicode=True, width=10_000, sort_keys=False).strip())
    lines += ["authors: []", "experts: []", "---"]
    body = draft.body
    if not body.startswith("# "):
        body = f"# {meta['title']}\n\n{body}"
    text = "\n".join(lines) + "\n" + body.rstrip() + "\n"
    if draft.references:
        text += "\n## References\n\n" + "\n".join(f"{i}. {r}" for i, r in enumerate(draft.references, 1)) + "\n"
    return text


def register_statements(text: str) -> tuple[list[Registered], int]:
    """A statement for every checkable sentence, or for each checkable clause when a sentence
    holds more than one; returns them and the number of sentences read."""
    body_start = text.find("\n---\n", 4) + 5
    refs = re.search(r"^##\s+References\s*$", text[body_start:], re.MULTILINE)
    body = text[body_start: body_start + refs.start()] if refs else text[body_start:]
    body_line = text.count("\n", 0, body_start) + 1
    found: list[tuple[Sentence, Assessment]] = []
    all_sentences = sentences(body)
    for sentence in all_sentences:
        parts = [(c, assess(c.text)) for c in clauses(sentence)]
        checkable = [(c, a) for c, a in parts if a.registered]
        if len(parts) > 1 and len(checkable) > 1:
            found.extend(checkable)
        else:
            whole = assess(sentence.text)
            if whole.registered:
                found.append((sentence, whole))
    registered = []
    width = max(2, len(str(len(found))))
    for number, (piece, a) in enumerate(found, start=1):
        anchor = anchor_quote(body, piece.text)
        prefix = ""
        if anchor.status == "ambiguous" or anchor.start != piece.start:
            prefix = prefix_before(body, piece.start)
        registered.append(Registered(f"S{number:0{width}d}", piece.text, a.kind or "claim", a.asserts, prefix,
                                     a.details, body_line + body.count("\n", 0, piece.start)))
    return registered, len(all_sentences)


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _verify(settings: Settings, slug: str, text: str, statements_csv: str) -> None:
    """Re-read what would be written with the workspace's readers: every quote anchors exactly."""
    with tempfile.TemporaryDirectory() as tmp:
        md, st = Path(tmp) / f"{slug}.md", Path(tmp) / f"{slug}.statements.csv"
        md.write_text(text, encoding="utf-8")
        st.write_text(statements_csv, encoding="utf-8")
        shown = settings.rel(settings.articles_dir / md.name)
        article, problems = read_article(md, shown)
        if article is not None:
            statements, found = read_statements(st, settings.rel(settings.articles_dir / st.name), article)
            problems += found
            problems += [Problem(s.source_file, s.source_line, "not-anchored", f"{s.statement_id} does not anchor "
                                 f"exactly ({s.anchor})", "report this draft: article add should have caught it")
                         for s in statements if s.anchor != "exact"]
        errors = [p for p in problems if p.severity == "error" or p.code == "ambiguous-quote"]
        if errors:
            raise InputError(errors)


def _write_new(path: Path, content: str) -> None:
    """Write a new file atomically, never replacing one that appeared meanwhile."""
    try:
        write_new(path, content.encode("utf-8"))
    except FileExistsError:
        raise InputError([Problem(str(path), None, "article-exists", f"{path.name} appeared while writing",
                                  "run article add again with another --slug")]) from None
