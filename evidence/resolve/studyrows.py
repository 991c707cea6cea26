"""New ``studies.csv`` rows for works entering the library, drafted and marked unverified.

``import``, ``add`` and ``find --add`` put a work into the BibTeX library; an editor then
had to type each one again into ``studies.csv``. So each new work also gets a row: the
design from its PubMed publication types (:mod:`evidence.read.designs`), ``n`` and the
population where the abstract states them plainly (:mod:`evidence.read.participants`),
the page it can be checked on, ``status = unverified`` and a note saying what was inferred
from what. A work whose design nothing states gets no row (``design`` is required, and a
guess would enter verdicts): the caller reports it so the editor adds the row by hand.

Rows are appended in the file's own column order and line endings, atomically, and never
for a citekey the file already has.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..read.candidate import Candidate
from ..read.designs import infer_design
from ..read.participants import participants
from ..read.tables import STUDIES
from .bibwrite import write_atomic


@dataclass(frozen=True)
class StudyRow:
    citekey: str
    design: str
    source_url: str
    n: int | None = None
    population: str | None = None
    notes: str = ""
    status: str = "unverified"

    def values(self) -> dict[str, str]:
        return {"citekey": self.citekey, "design": self.design, "n": str(self.n) if self.n else "",
                "population": self.population or "", "source_url": self.source_url, "status": self.status,
                "notes": self.notes}


def studies_path(settings: Any) -> Path:
    return Path(settings.references_dir) / "studies.csv"


def source_url(cand: Candidate) -> str | None:
    """The page an editor checks the row on: PubMed, else PMC, else the DOI, else the record's URL."""
    if cand.pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{cand.pmid}/"
    if cand.pmcid:
        return f"https://pmc.ncbi.nlm.nih.gov/articles/{cand.pmcid}/"
    if cand.doi:
        return f"https://doi.org/{cand.doi}"
    return cand.url if cand.url and cand.url.startswith(("http://", "https://")) else None


def draft(citekey: str, cand: Candidate, command: str) -> tuple[StudyRow | None, str]:
    """A row for a new work, or None and the reason there is none."""
    design = infer_design(cand.pub_types, cand.title)
    if design is None:
        shown = "; ".join(cand.pub_types) if cand.pub_types else "none"
        return None, f"no design stated (publication types: {shown}); add its studies.csv row by hand"
    url = source_url(cand)
    if url is None:
        return None, "no PMID, PMCID, DOI or URL to check it on; add its studies.csv row by hand"
    people = participants(cand.abstract)
    notes = f"Drafted by `evidence {command}`: {design.note()}"
    if people:
        notes += f"; n{' and population' if people.population else ''} read from the abstract ('{people.phrase}')"
    notes += ". Check every field on source_url, then set status to verified."
    return StudyRow(citekey, design.design, url, people.n if people else None,
                    people.population if people else None, notes), ""


def existing_citekeys(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row.get("citekey", "") for row in csv.DictReader(handle)}


def append_rows(path: Path, rows: Sequence[StudyRow]) -> list[StudyRow]:
    """Append the rows whose citekey the file lacks (atomically); returns those written."""
    have = existing_citekeys(path)
    fresh, seen = [], set()
    for row in rows:
        if row.citekey not in have and row.citekey not in seen:
            fresh.append(row)
            seen.add(row.citekey)
    if not fresh:
        return []
    old = path.read_bytes() if path.exists() else b""
    newline = "\r\n" if b"\r\n" in old else "\n"
    if old:
        header = next(csv.reader(io.StringIO(old.decode("utf-8-sig"))))
    else:
        header = STUDIES.names
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator=newline, extrasaction="ignore", restval="")
    if not old:
        writer.writeheader()
    for row in fresh:
        writer.writerow(row.values())
    sep = b"" if not old or old.endswith(b"\n") else newline.encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, old + sep + out.getvalue().encode("utf-8"))
    return fresh
