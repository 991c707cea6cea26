"""Workflow: the todo list written out as plain text, Markdown (a checklist to paste into an
issue or a pull request) or JSON. Plain strings only: the CLI prints them as they are."""

from __future__ import annotations

import json

from .todo import CATEGORIES, TodoItem


def summary(items: list[TodoItem]) -> dict[str, int]:
    counts = {c: 0 for c in CATEGORIES}
    for i in items:
        counts[i.category] += 1
    return counts


def _headline(items: list[TodoItem]) -> str:
    blocking = sum(1 for i in items if i.blocking)
    if not items:
        return "nothing to do: no problems, every statement has evidence"
    return f"{len(items)} item(s) to do, {blocking} blocking"


def _label(item: TodoItem) -> str:
    who = f"{item.statement} " if item.statement else ""
    art = f" (article line {item.article_line})" if item.article_line and item.article_line != item.line else ""
    return f"{who}{item.where()}{art}"


def as_text(items: list[TodoItem]) -> str:
    lines: list[str] = []
    counts = summary(items)
    for category, label in CATEGORIES.items():
        group = [i for i in items if i.category == category]
        if not group:
            continue
        lines.append(f"{label} ({counts[category]}){' - blocking' if any(i.blocking for i in group) else ''}")
        for i in group:
            lines.append(f"  {_label(i)}: {i.message}")
            if i.fix:
                lines.append(f"      -> {i.fix}")
        lines.append("")
    lines.append(_headline(items))
    return "\n".join(lines)


def as_markdown(items: list[TodoItem]) -> str:
    lines = ["# To do", "", _headline(items), ""]
    for category, label in CATEGORIES.items():
        group = [i for i in items if i.category == category]
        if not group:
            continue
        lines += [f"## {label}{' (blocking)' if any(i.blocking for i in group) else ''}", ""]
        for i in group:
            text = i.message.replace("|", "\\|")
            lines.append(f"- [ ] `{_label(i)}` {text}" + (f" — fix: {i.fix}" if i.fix else ""))
        lines.append("")
    return "\n".join(lines)


def as_json(items: list[TodoItem], articles: list[str]) -> str:
    return json.dumps({"articles": articles, "blocking": sum(1 for i in items if i.blocking),
                       "summary": summary(items), "items": [i.as_dict() for i in items]},
                      indent=2, ensure_ascii=False)
