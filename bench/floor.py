"""The floor: what the libraries we build on cost for the same data, measured in the same run.

The machine is shared and noisy, so a step's seconds say little on their own; its ratio to
the floor measured minutes earlier on the same data says how much our own code adds.

- parse: bibtexparser 2 (default stack) parsing every ``.bib`` file of the workspace;
- read_csv: DuckDB's ``read_csv`` of ``claims.csv`` into a table;
- aggregate: DuckDB grouping every claim by intervention x condition (what a canned query needs);
- render: Jinja2 rendering and writing the same number of minimal pages, in one process;
- hash: sha256 of every input file (what any content-addressed incremental build must pay).

Each floor is measured before the steps and again after them; the lower figure is kept.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
import duckdb
from jinja2 import Environment

_PAGE = """<!doctype html><html><head><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><p>{{ body }}</p><ul>{% for r in rows %}<li>{{ r }}</li>{% endfor %}</ul></body></html>
"""


@dataclass(frozen=True)
class Floor:
    parse: float
    read_csv: float
    aggregate: float
    render: float
    hash: float
    pages: int

    @property
    def build(self) -> float:
        return self.parse + self.read_csv


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def input_files(root: Path) -> list[Path]:
    return sorted(p for d in ("references", "articles") for p in (root / d).glob("*") if p.is_file()) + \
        [root / "evidence.toml"]


def parse_floor(root: Path) -> float:
    return _seconds(lambda: [bibtexparser.parse_string(p.read_text(encoding="utf-8"))
                             for p in sorted((root / "references").glob("*.bib"))])


def read_csv_floor(root: Path) -> float:
    def run() -> None:
        con = duckdb.connect()
        con.execute("CREATE TABLE claims AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
                    [str(root / "references" / "claims.csv")])
        con.close()
    return _seconds(run)


def aggregate_floor(root: Path) -> float:
    con = duckdb.connect()
    con.execute("CREATE TABLE claims AS SELECT * FROM read_csv(?, header = true)", [str(root / "references" / "claims.csv")])
    seconds = _seconds(lambda: con.execute(
        "SELECT treatment, condition, count(*), count(DISTINCT citekey), min(value), max(value) "
        "FROM claims GROUP BY ALL ORDER BY ALL").fetchall())
    con.close()
    return seconds


def render_floor(pages: int) -> float:
    """Jinja2 rendering ``pages`` minimal pages into fresh files, one process."""
    template = Environment(autoescape=True).from_string(_PAGE)
    with tempfile.TemporaryDirectory(prefix="evidence-floor-") as tmp:
        out = Path(tmp)

        def run() -> None:
            for i in range(pages):
                folder = out / str(i // 1000)
                if i % 1000 == 0:
                    folder.mkdir()
                (folder / f"{i}.html").write_text(template.render(title=f"Page {i}", body="Minimal page.",
                                                                  rows=range(5)), encoding="utf-8")
        return _seconds(run)


def hash_floor(root: Path) -> float:
    return _seconds(lambda: [hashlib.sha256(p.read_bytes()).hexdigest() for p in input_files(root)])


def lower(a: Floor, b: Floor) -> Floor:
    """Each floor at its lowest of two measurements (the render floor only where pages were rendered)."""
    render = min(x.render for x in (a, b) if x.pages) if a.pages or b.pages else 0.0
    return Floor(min(a.parse, b.parse), min(a.read_csv, b.read_csv), min(a.aggregate, b.aggregate), render,
                 min(a.hash, b.hash), max(a.pages, b.pages))


def measure(root: Path, pages: int) -> Floor:
    return Floor(parse_floor(root), read_csv_floor(root), aggregate_floor(root), render_floor(pages), hash_floor(root),
                 pages)
