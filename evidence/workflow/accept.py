"""Workflow: ``evidence accept ARTICLE S06 [S07 ...]`` — take an article's new wording for
statements an editor has reviewed.

A statement whose quote no longer matches the article is reported as "changed — re-check"
and blocks the check. Once the editor has looked at the new wording and its evidence,
accept writes the article's current text into the statement's ``quote`` (and ``prefix``,
when one is needed to pick the occurrence). Only those cells change: the statements CSV
is rewritten atomically with every other byte as it was (the cells are located in the raw
text, so quoting, spacing and line endings elsewhere survive). The old and new text are
appended to ``articles/<slug>.accepted.csv`` (date, statement, old and new quote and
prefix), a log the build does not read, so the history of a statement's wording is kept
in the workspace and in git.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from ..errors import InputError, Problem
from ..files import write_atomic
from ..read.anchoring import anchor_quote, prefix_before
from ..read.articles import read_article
from ..read.statements import read_statements
from ..workspace import Settings

HISTORY_COLUMNS = ("date", "statement_id", "old_quote", "new_quote", "old_prefix", "new_prefix")


@dataclass(frozen=True)
class Accepted:
    """One statement's outcome: the old and new text, or why nothing changed."""

    statement_id: str
    old_quote: str
    new_quote: str
    old_prefix: str
    new_prefix: str
    changed: bool  # False: the quote already matched the article


def accept(settings: Settings, slug: str, statement_ids: list[str], today: date | None = None) -> list[Accepted]:
    """Re-anchor the given statements on the article's current wording.

    Raises InputError (nothing written) for an unknown article or statement, or a statement
    whose quote is not found at all (there is no new wording to take: edit the quote by hand).
    """
    md = settings.articles_dir / f"{slug}.md"
    st = settings.articles_dir / f"{slug}.statements.csv"
    if not md.is_file() or not st.is_file():
        known = sorted(p.name.removesuffix(".statements.csv") for p in settings.articles_dir.glob("*.statements.csv"))
        raise InputError([Problem(settings.rel(md), None, "unknown-article",
                                  f"no article '{slug}' with a statements file",
                                  f"known articles: {', '.join(known) or 'none'}")])
    article, problems = read_article(md, settings.rel(md))
    if article is None:
        raise InputError(problems)
    statements, _ = read_statements(st, settings.rel(st), article)
    by_id = {s.statement_id: s for s in statements}
    raw = st.read_bytes().decode("utf-8")
    records = scan_csv(raw)
    header = [_cell_value(raw, c) for c in records[0]] if records else []
    problems, results, edits = [], [], []
    for sid in dict.fromkeys(statement_ids):
        s = by_id.get(sid)
        if s is None:
            problems.append(Problem(settings.rel(st), None, "unknown-statement", f"no statement '{sid}' in {slug}",
                                    f"statements: {', '.join(list(by_id)[:12])}"
                                    f"{f' … and {len(by_id) - 12} more' if len(by_id) > 12 else ''}"))
            continue
        if s.anchor == "missing" or s.start is None or s.end is None:
            problems.append(Problem(s.source_file, s.source_line, "quote-not-found",
                                    f"{sid}: its quote is not in the article any more, so there is no new wording "
                                    "to accept", "edit the quote by hand, or delete the statement"))
            continue
        row_prefix = _row_value(raw, records, header, s.source_line, "prefix")
        new_quote = article.body[s.start:s.end]
        new_prefix = row_prefix
        occurrences = article.body.count(new_quote)
        if new_quote != s.quote and (row_prefix or occurrences > 1):
            new_prefix = prefix_before(article.body, s.start)
        if new_quote == s.quote and new_prefix == row_prefix:
            results.append(Accepted(sid, s.quote, new_quote, row_prefix, new_prefix, False))
            continue
        if anchor_quote(article.body, new_quote, new_prefix).start != s.start:
            problems.append(Problem(s.source_file, s.source_line, "ambiguous-quote",
                                    f"{sid}: the new wording occurs more than once and no prefix picks it",
                                    "edit the quote and prefix by hand"))
            continue
        edits.append((s.source_line, "quote", new_quote))
        if new_prefix != row_prefix:
            if "prefix" not in header:
                problems.append(Problem(s.source_file, 1, "missing-column", f"{sid} needs a prefix, but the file "
                                        "has no 'prefix' column", "add the prefix column to the header"))
                continue
            edits.append((s.source_line, "prefix", new_prefix))
        results.append(Accepted(sid, s.quote, new_quote, row_prefix, new_prefix, True))
    if problems:
        raise InputError(problems)
    changed = [r for r in results if r.changed]
    if changed:
        new_raw = rewrite_cells(raw, records, header, edits)
        history = settings.articles_dir / f"{slug}.accepted.csv"
        stamp = (today or datetime.now(timezone.utc).date()).isoformat()
        log = _history_text(history, [[stamp, r.statement_id, r.old_quote, r.new_quote, r.old_prefix, r.new_prefix]
                                      for r in changed])
        write_atomic(history, log.encode("utf-8"))
        write_atomic(st, new_raw.encode("utf-8"))
    return results


def scan_csv(text: str) -> list[list[tuple[int, int, int]]]:
    """Records of a CSV text as cells (start, end, line): the raw span of each cell, quotes included,
    and the physical line its record starts on. RFC 4180 quoting, as Python's csv module reads it."""
    records: list[list[tuple[int, int, int]]] = []
    cells: list[tuple[int, int, int]] = []
    i, n, line, start, record_line = 0, len(text), 1, 0, 1
    in_quotes = False
    while i < n:
        ch = text[i]
        if in_quotes:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                in_quotes = False
            elif ch == "\n":
                line += 1
            i += 1
            continue
        if ch == '"':
            in_quotes = True
        elif ch == ",":
            cells.append((start, i, record_line))
            start = i + 1
        elif ch in "\r\n":
            cells.append((start, i, record_line))
            if cells != [(start, i, record_line)] or i > start:
                records.append(cells)
            cells = []
            if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            line += 1
            record_line = line
            start = i + 1
        i += 1
    if start < n:
        cells.append((start, n, record_line))
        records.append(cells)
    return records


def _cell_value(text: str, cell: tuple[int, int, int]) -> str:
    raw = text[cell[0]:cell[1]]
    return next(csv.reader([raw])) [0].strip() if raw else ""


def _row_value(text: str, records: list[list[tuple[int, int, int]]], header: list[str], line: int, column: str) -> str:
    if column not in header:
        return ""
    for record in records[1:]:
        if record and record[0][2] == line:
            index = header.index(column)
            return _cell_value(text, record[index]) if index < len(record) else ""
    return ""


def _quoted(value: str) -> str:
    """A cell as Python's csv writer would write it (QUOTE_MINIMAL)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([value])
    out = buffer.getvalue()
    return f'"{out}"' if value != value.strip() and not out.startswith('"') else out


def rewrite_cells(text: str, records: list[list[tuple[int, int, int]]], header: list[str],
                  edits: list[tuple[int, str, str]]) -> str:
    """Replace the cells (record line, column) -> value; every other byte stays as it was."""
    spans = []
    for line, column, value in edits:
        record = next(r for r in records[1:] if r and r[0][2] == line)
        index = header.index(column)
        if index >= len(record):  # a short row: the cell does not exist yet, append it
            end = record[-1][1]
            spans.append((end, end, "," * (index - len(record) + 1) + _quoted(value)))
        else:
            spans.append((record[index][0], record[index][1], _quoted(value)))
    for start, end, replacement in sorted(spans, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _history_text(path: Path, rows: list[list[str]]) -> str:
    existing = path.read_bytes().decode("utf-8") if path.is_file() else ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if not existing:
        writer.writerow(HISTORY_COLUMNS)
    elif not existing.endswith("\n"):
        buffer.write("\n")
    writer.writerows(rows)
    return existing + buffer.getvalue()
