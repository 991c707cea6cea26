"""Read stage for an article's statements and evidence links (CSV), anchored in its text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import Problem
from ..model import Article, Statement
from .cache import ParseCache
from .quantities import parse_quantity
from .anchoring import anchor_quote, describe_difference, nearest_passage
from .tables import LINKS, NOT_CHECKABLE_KINDS, STATEMENTS, UNITS, read_table, split_list


def read_statements(path: Path, shown: str, article: Article, cache: ParseCache | None = None
                    ) -> tuple[list[Statement], list[Problem]]:
    df, problems = read_table(path, STATEMENTS, shown, cache)
    problems = list(problems)
    statements: list[Statement] = []
    for number, row in enumerate(df.itertuples(index=False), start=1):
        line = int(row.source_line)
        quote = row.quote or ""
        if row.asserts:
            try:
                parse_quantity(row.asserts, UNITS)
            except ValueError as exc:
                problems.append(Problem(shown, line, "bad-quantity", f"{row.statement_id}: {exc}",
                                        "see 'asserts' under Workspace format in README.md", field="asserts"))
        if row.override_verdict and not row.override_reason:
            problems.append(Problem(shown, line, "override-without-reason",
                                    f"{row.statement_id}: override_verdict needs an override_reason",
                                    "say why the computed verdict is wrong", field="override_reason"))
        anchor = anchor_quote(article.body, quote, row.prefix or "")
        if anchor.status == "missing" and quote:
            near = nearest_passage(article.body, quote)
            problems.append(Problem(shown, line, "quote-not-found",
                                    f"{row.statement_id}: quote not found in {article.source_file}: '{quote[:70]}'"
                                    + (f"; nearest passage: '{near[:90]}': {describe_difference(quote, near)}"
                                       if near else ""),
                                    "copy the quote exactly from the article text (only typography such as curly "
                                    "quotes, dashes and spaces may differ), or delete the statement if the text is gone",
                                    field="quote"))
        elif anchor.status == "ambiguous":
            problems.append(Problem(shown, line, "ambiguous-quote",
                                    f"{row.statement_id}: quote occurs more than once in the article",
                                    "fill 'prefix' with the text just before the intended occurrence",
                                    field="quote", severity="warning"))
        statements.append(Statement(
            slug=article.slug, statement_id=row.statement_id or f"row{line}", number=number, quote=quote,
            kind=row.kind or "claim", asserts=row.asserts, cites=tuple(split_list(row.cites)),
            start=anchor.start, end=anchor.end, prefix=anchor.prefix, suffix=anchor.suffix,
            anchor=anchor.status, current_text=anchor.text, score=anchor.score,
            override_verdict=row.override_verdict, override_reason=row.override_reason, note=row.note,
            source_file=shown, source_line=line, outcome=getattr(row, "outcome", None),
            measure=getattr(row, "measure", None),
        ))
    return statements, problems


def read_links(path: Path, shown: str, slug: str, cache: ParseCache | None = None
               ) -> tuple[pd.DataFrame, list[Problem]]:
    """The links; a row whose relation is still empty is a pending suggestion, not an error.

    ``evidence claims suggest --statement --write`` leaves the relation for an editor to
    choose; until then the link is left out of every verdict and listed as a warning.
    """
    df, problems = read_table(path, LINKS, shown, cache)
    pending = df["relation"].isna() & df["statement_id"].notna() & df["claim_id"].notna()
    lines = set(df.loc[pending, "source_line"].astype(int))
    kept = [p for p in problems if not (p.code == "missing-value" and p.field == "relation" and p.line in lines)]
    for row in df[pending].itertuples(index=False):
        kept.append(Problem(shown, int(row.source_line), "pending-link",
                            f"{row.statement_id} -> {row.claim_id}: relation not chosen yet; the link is left out",
                            "set relation to supports, partly, contradicts or context", field="relation",
                            severity="warning"))
    df = df[~pending].reset_index(drop=True)
    df.insert(0, "slug", slug)
    return df, kept


__all__ = ["read_statements", "read_links", "NOT_CHECKABLE_KINDS"]
