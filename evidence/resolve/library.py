"""The library as the resolver sees it: each BibTeX record with its valid identifiers.

Read through the same BibTeX reader as the build (:mod:`evidence.read.bibtex`), so the
resolver and the database agree on every field, file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from ..errors import Problem
from ..files import file_problem
from ..read.bibtex import read_bibtex
from .ids import Identifier, from_fields


@dataclass(frozen=True)
class Ref:
    """One library record: its citekey, where it is written, its identifiers and fields."""

    citekey: str
    file: str
    line: int
    idents: tuple[Identifier, ...]
    fields: Mapping[str, Any]

    def ident(self, kind: str) -> Identifier | None:
        return next((i for i in self.idents if i.kind == kind), None)


def bib_paths(settings: Any) -> list[Path]:
    """The library's .bib files; special files and links leading outside the workspace are skipped
    here (the build reports them), so resolve never blocks on a FIFO or reads outside."""
    return [p for p in sorted(Path(settings.references_dir).glob("*.bib"))
            if file_problem(p, Path(settings.root), str(p)) is None]


def default_bib(settings: Any) -> Path:
    """Where ``add`` and ``import`` append: references/library.bib, else the first .bib file."""
    preferred = Path(settings.references_dir) / "library.bib"
    if preferred.is_file():
        return preferred
    paths = bib_paths(settings)
    return paths[0] if paths else preferred


def _clean(value: object) -> object:
    if isinstance(value, list):
        return value
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return None
    except (TypeError, ValueError):
        return value
    return value.item() if hasattr(value, "item") else value  # numpy scalars -> Python (JSON-ready)


def load(settings: Any) -> tuple[list[Ref], pd.DataFrame, list[Problem]]:
    """Every record of ``references/*.bib`` (problems are returned, never raised)."""
    paths = bib_paths(settings)
    frame, problems = read_bibtex(paths, {p: settings.rel(p) for p in paths})
    return refs_of(frame), frame, problems


def refs_of(frame: pd.DataFrame) -> list[Ref]:
    """The records of a bibliography frame, as the build already read it (no second parse)."""
    refs = []
    for row in frame.to_dict("records"):
        fields = {k: _clean(v) for k, v in row.items()}
        refs.append(Ref(str(fields["citekey"]), str(fields["source_file"]), int(fields["source_line"]),
                        tuple(from_fields(fields.get("doi"), fields.get("pmid"), fields.get("pmcid"))), fields))
    return refs
