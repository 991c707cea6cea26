"""Render stage, what each page depends on: one digest per page, computed over the tables in DuckDB.

``page_inputs.sql`` hashes, for every study, intervention, condition and article, exactly the rows
its page is built from (a claim with its study, record, quote check, notices and the statements
resting on it; a statement with its verdict, article and evidence), so deciding which pages an edit
touched costs one query, not the building and serialising of every page context. The render then
builds only the pages whose digest (with their template's and the render code's) changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..load.database import fetch_records, read_only


# A digest of a set of rows: their count and the sum of their hashes (in 128 bits, so it does not wrap).
SETDIGEST = "CREATE OR REPLACE TEMP MACRO setdigest(x) AS concat(count(*), ':', sum(CAST(hash(x) AS HUGEINT)))"


def page_inputs_sql() -> str:
    return resources.files("evidence.render").joinpath("page_inputs.sql").read_text(encoding="utf-8")


@dataclass(frozen=True)
class PageInputs:
    """Per page kind, key -> digest of the rows that page shows; ``weight``: claims per treatment/condition."""

    study: dict[str, str] = field(default_factory=dict)
    treatment: dict[str, str] = field(default_factory=dict)
    condition: dict[str, str] = field(default_factory=dict)
    article: dict[str, str] = field(default_factory=dict)
    site: dict[str, str] = field(default_factory=dict)  # claims_json, index, shared

    def weight(self, kind: str, key: str) -> int:
        """How many claims the page of a treatment or condition holds (its digest starts with the count)."""
        head = getattr(self, kind).get(key, "").split("|", 1)[0]
        return int(head) if head.isdigit() else 0


def page_inputs(db_path: Path) -> PageInputs:
    """Every page's input digest, from one query over the built database."""
    out = PageInputs()
    with read_only(db_path) as con:
        con.execute(SETDIGEST)
        for row in fetch_records(con, page_inputs_sql()):
            kind, key, digest = str(row["kind"]), str(row["key"]), str(row["digest"])
            if kind in ("claims_json", "index", "shared"):
                out.site[kind] = digest
            else:
                getattr(out, kind)[key] = digest
    return out
