"""Render stage, downloads: the whole database as Parquet and CSV files, and the DuckDB file.

DuckDB writes the Parquet and CSV files (``db.export_tables``), sorted and single-threaded,
so the same data gives the same bytes; only the tables whose content digest changed are
exported again. The DuckDB file itself is not byte-reproducible (DuckDB stamps a random
database identifier into its header on every build), so it is copied only when the database's
content digest changed: an unchanged database never rewrites the download.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..load.database import export_tables, table_facts

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
    """What the downloads need of the site's files (``pages.Pages``): plan a file, make it, copy one."""

    def plan(self, rel: str, template: str, inputs: str) -> str | None: ...

    def made(self, rel: str, inputs: str, produce, digest: str | None = None) -> None: ...

    def copied(self, rel: str, source: Path, digest: str) -> None: ...

    def size(self, rel: str) -> int: ...


def write_downloads(db_path: Path, out: Output, database_digest: str) -> DownloadsPage:
    """Export the tables whose content changed (write-if-changed), then the DuckDB file if it changed.

    Each table's files are made from its content digest (``table_facts``): an unchanged table is
    carried over without exporting it. The DuckDB file is copied only when the database's content
    digest changed, so an unchanged database never rewrites a multi-megabyte download.
    """
    facts = table_facts(db_path)
    todo: dict[str, str] = {}
    for t in facts:
        for ext in ("parquet", "csv"):
            digest = out.plan(f"{FOLDER}/{t.name}.{ext}", "", f"download\n{t.digest}")
            if digest is not None:
                todo[f"{FOLDER}/{t.name}.{ext}"] = digest
    with tempfile.TemporaryDirectory(prefix="evidence-export-") as tmp:
        names = {t.name for t in facts if any(f"{FOLDER}/{t.name}.{ext}" in todo for ext in ("parquet", "csv"))}
        for t in export_tables(db_path, Path(tmp), names) if names else []:
            for path in (t.parquet, t.csv):
                rel = f"{FOLDER}/{path.name}"
                if rel in todo:
                    out.made(rel, "", path.read_bytes, todo[rel])
    tables = [TableDownload(t.name, TABLE_DOC.get(t.name, ""), t.rows, t.columns,
                            DownloadFile(f"{t.name}.parquet", human_size(out.size(f"{FOLDER}/{t.name}.parquet"))),
                            DownloadFile(f"{t.name}.csv", human_size(out.size(f"{FOLDER}/{t.name}.csv"))))
              for t in facts]
    rel = f"{FOLDER}/{DATABASE_NAME}"
    digest = out.plan(rel, "", f"database\n{database_digest}") if database_digest else ""
    if digest is not None:
        out.copied(rel, db_path, digest)
    example = "claims" if any(t.name == "claims" for t in tables) else (tables[0].name if tables else "")
    return DownloadsPage(tables, DownloadFile(DATABASE_NAME, human_size(out.size(rel))), example)
