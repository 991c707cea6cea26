"""Read stage: a BibTeX or biblatex file from a reference manager, as import candidates.

Read by the same bibtexparser stack as the workspace's own ``.bib`` files
(:mod:`.bibtex`); an entry bibtexparser cannot parse is an error with its line, so a
damaged file is refused whole rather than imported in part. The source's citekey is kept
when free (``key_hint``); biblatex's ``journaltitle`` and ``date`` are read too.
"""

from __future__ import annotations

import html

import bibtexparser

from ..errors import Problem
from .bibtex import decode, split_authors
from .candidate import Candidate, doi_in, year_in


def read_bib(text: str, origin: str) -> tuple[list[Candidate], list[Problem]]:
    """Every entry as a :class:`Candidate`; an entry without a title is skipped with a warning."""
    library = bibtexparser.parse_string(text)
    problems = [Problem(origin, b.start_line + 1, "bad-bibtex", "could not parse this entry",
                        "fix the entry (braces, commas, '=') and import again") for b in library.failed_blocks]
    out = []
    for entry in library.entries:
        fields = {f.key.lower(): str(f.value) for f in entry.fields}

        def get(*names: str) -> str | None:
            return next((html.unescape(decode(fields[n])) for n in names if fields.get(n)), None)
        title = get("title")
        if not title:
            problems.append(Problem(origin, entry.start_line + 1, "no-title", f"{entry.key}: no title",
                                    "skipped; add a title", severity="warning"))
            continue
        out.append(Candidate(
            f"{origin}:{entry.start_line + 1}", entry.entry_type.lower(), title,
            tuple(split_authors(fields.get("author", ""))), get("journal", "journaltitle"),
            year_in(get("year", "date")), get("volume"), get("number", "issue"), get("pages"),
            doi_in(get("doi")) or get("doi"), get("pmid"), get("pmcid"), get("url"), key_hint=entry.key,
            abstract=get("abstract")).normalised())
    return out, problems
