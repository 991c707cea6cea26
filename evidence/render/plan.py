"""Render stage, the plan of a render: which files must be made, and in which batches their rows are read.

Every page's digest combines the render code, its template (and those it uses), the settings and
vocabularies every page shares, and the digest of its own rows (``dependencies.py``). A file whose
digest is the one recorded for it, and which is still there, is carried over (``Pages.plan``); the
others are made. Their pages are built a batch at a time (``Selection``): at most ``STUDY_BATCH``
study pages and ``CLAIM_BATCH`` claims of intervention and condition pages, so memory does not
grow with the library.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping

from .dependencies import PageInputs
from .incremental import combined
from .labels import safe_name
from .report import report_file_name
from .site_data import Selection

STUDY_BATCH = 4000
CLAIM_BATCH = 150_000
KINDS = ("article", "treatment", "condition", "study")


def row_digest(row: Mapping[str, object] | None) -> str:
    """A query result row (the intervention summary a page prints), by its values in column order."""
    return "" if row is None else hashlib.sha256(repr(sorted(row.items(), key=lambda kv: kv[0])).encode()).hexdigest()


def files_of(kind: str, key: str) -> dict[str, str]:
    """The files a page of this kind makes: rel -> template ('' for a file that is not a page)."""
    name = safe_name(key)
    if kind == "study":
        return {f"studies/{name}.html": "study.html"}
    if kind == "treatment":
        return {f"treatments/{name}.html": "treatment.html", f"treatments/{name}.csv": ""}
    if kind == "condition":
        return {f"conditions/{name}.html": "condition.html", f"conditions/{name}.csv": ""}
    return {f"articles/{name}.html": "article.html", f"reports/{report_file_name(key, 'markdown')}": "",
            f"reports/{report_file_name(key, 'docx')}": ""}


@dataclass
class Plan:
    """Per page kind and key: the files to make, each with the digest to record for it."""

    todo: dict[str, dict[str, dict[str, str]]] = field(default_factory=lambda: {k: {} for k in KINDS})
    claims_json: str | None = None  # its digest, when claims.json must be made
    complete: bool = True  # every page of the site is made (a first or full render)

    def digest(self, kind: str, key: str, rel: str) -> str | None:
        return self.todo[kind].get(key, {}).get(rel)

    def batches(self, inputs: PageInputs) -> list[Selection]:
        """The pages to build, a batch at a time; articles (and claims.json) in the first."""
        out: list[Selection] = []
        current: dict[str, set[str]] = {k: set() for k in KINDS}
        claims = 0

        def flush(all_statements: bool = False) -> None:
            nonlocal claims
            if any(current.values()) or all_statements:
                out.append(Selection(studies=frozenset(current["study"]), treatments=frozenset(current["treatment"]),
                                     conditions=frozenset(current["condition"]),
                                     articles=frozenset(current["article"]), all_statements=all_statements))
            for v in current.values():
                v.clear()
            claims = 0

        current["article"].update(self.todo["article"])
        if self.claims_json is not None:
            flush(all_statements=True)
        for kind in ("treatment", "condition"):
            for key in sorted(self.todo[kind]):
                weight = inputs.weight(kind, key)
                if claims and claims + weight > CLAIM_BATCH:
                    flush()
                current[kind].add(key)
                claims += weight
        for key in sorted(self.todo["study"]):
            if len(current["study"]) >= STUDY_BATCH:
                flush()
            current["study"].add(key)
        flush()
        return out


def make_plan(pages: Any, inputs: PageInputs, shared: str, summaries: Mapping[str, object], base: str) -> Plan:
    """Decide, file by file, what must be made; the rest is carried over by ``pages`` as it goes."""
    plan = Plan()
    for kind in KINDS:
        for key, own in getattr(inputs, kind).items():
            extra = row_digest(summaries.get(key)) if kind == "treatment" else ""  # type: ignore[arg-type]
            wanted = {}
            for rel, template in files_of(kind, key).items():
                digest = pages.plan(rel, template, combined(shared, own, extra) if template else combined(kind, own))
                if digest is None:
                    plan.complete = False
                else:
                    wanted[rel] = digest
            if wanted:
                plan.todo[kind][key] = wanted
    plan.claims_json = pages.plan("claims.json", "", combined(base, inputs.site.get("claims_json", "")))
    if plan.claims_json is None:
        plan.complete = False
    return plan
