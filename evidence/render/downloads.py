"""Render stage, downloads: the whole database as Parquet and CSV files, and the DuckDB file.

DuckDB writes the Parquet and CSV files (``db.export_tables``), sorted and single-threaded,
so the same data gives the same bytes. The DuckDB file itself is not byte-reproducible
(DuckDB stamps a random database identifier into its header on every build), so it is copied
only when the exported data changed: an unchanged database never rewrites the download.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..load.database import export_tables

FOLDER = "downloads"
DATABASE_NAME = "evidence.duckdb"
TABLE_DOC = {
    "bibliography": "One row per bibliographic record (BibTeX), with identifiers and the source file and line.",
    "studies": "One row per study that is evidence: design, evidence level, participants, population, follow-up.",
    "claims": "One row per finding extracted from a study: intervention, comparator, condition, outcome, numbers, quote, locator.",
    "articles": "One row per checked article, with its text.",
    "article_references": "One row per entry of an article's own reference list: as printed, matched record, defects.",
    "statements": "One row per checkable statement of an article, anchored by character offsets.",
    "links": "One row per statement–claim pair, with the relation (supports, partly, contradicts, context).",
    "verdicts": "One row per statement: verdict, strength and the reasons that produced it.",
    "interventions": "The intervention vocabulary (id, label, kind: intervention or comparator, parent, synonyms).",
    "conditions": "The condition vocabulary (id, label, parent, synonyms).",
    "problems": "Problems found by the check (reference defects, numbers that disagree, ...).",
    "uncovered": "Sentences that look checkable but have no registered statement.",
    "metadata": "Metadata fetched from Crossref, NCBI and Europe PMC, with notices (retractions, corrections).",
    "build_info": "Facts about the build.",
    "intervention_summary": "Per intervention: studies, designs, participants, conditions and ranges (pre-aggregated at build).",
    "condition_summary": "Per condition: studies, claims, interventions and efficacy range (pre-aggregated at build).",
    "intervention_condition_summary": "Per intervention and condition: studies, claims, best evidence level (pre-aggregated at build).",
}


@dataclass(frozen=True)
class DownloadFile:
    href: str  # relative to the downloads page
    size: str  # "12.3 kB"


@dataclass(frozen=True)
class TableDownload:
    name: str
    description: str
    rows: int
    columns: tuple[tuple[str, str], ...]
    parquet: DownloadFile
    csv: DownloadFile


@dataclass(frozen=True)
class DownloadsPage:
    tables: list[TableDownload]
    database: DownloadFile
    example_table: str


def human_size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    for unit in ("kB", "MB", "GB"):
        n_f = n / 1000
        if n_f < 1000 or unit == "GB":
            return f"{n_f:.1f} {unit}"
        n = int(n_f)
    return f"{n} B"


class Output(Protocol):
    """What the downloads need of the site writer."""

    root: Path

    def write(self, rel: str, content: str | bytes) -> bool: ...

    def copy(self, rel: str, source: Path) -> None: ...

    def keep(self, rel: str) -> None: ...


def write_downloads(db_path: Path, out: Output) -> DownloadsPage:
    """Export every table through the writer (write-if-changed), then the DuckDB file.

    The DuckDB file is copied when any export changed or the copy is missing; otherwise it is
    only kept, so an unchanged database never rewrites a multi-megabyte download.
    """
    tables = []
    changed = False
    with tempfile.TemporaryDirectory(prefix="evidence-export-") as tmp:
        for t in export_tables(db_path, Path(tmp)):
            files = []
            for path in (t.parquet, t.csv):
                data = path.read_bytes()
                changed |= out.write(f"{FOLDER}/{path.name}", data)
                files.append(DownloadFile(path.name, human_size(len(data))))
            tables.append(TableDownload(t.name, TABLE_DOC.get(t.name, ""), t.rows, t.columns, files[0], files[1]))
    rel = f"{FOLDER}/{DATABASE_NAME}"
    if changed or not (out.root / rel).is_file():
        out.copy(rel, db_path)
        size = human_size(db_path.stat().st_size)
    else:
        out.keep(rel)
        size = human_size((out.root / rel).stat().st_size)
    example = "claims" if any(t.name == "claims" for t in tables) else (tables[0].name if tables else "")
    return DownloadsPage(tables, DownloadFile(DATABASE_NAME, size), example)
