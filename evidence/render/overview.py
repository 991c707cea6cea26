"""Render stage, the site's overview: the index page's lists and the vocabularies' labels, by a few
aggregate queries, so the index is made without reading every claim into Python.

The rows carry exactly the fields the index template prints (its input digest,
``page_inputs.sql``'s 'index' row, covers the same rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..load.database import fetch_records, read_only
from .labels import VERDICT_ICON, VERDICT_LABEL, design_label, safe_name
from .site_data import Record, Row

SQL = {
    "articles": "SELECT slug, title, outlet, published FROM articles ORDER BY slug",
    "verdicts": """SELECT s.slug, coalesce(nullif(v.verdict, ''), 'unsupported') AS verdict, count(*) AS n
                   FROM statements s LEFT JOIN verdicts v USING (slug, statement_id) GROUP BY ALL""",
    "interventions": """SELECT t.id, t.label, t.kind, (SELECT count(*) FROM claims c WHERE c.treatment = t.id) AS findings,
                               (SELECT count(*) FROM claims c WHERE c.comparator = t.id) AS comparisons
                        FROM interventions t ORDER BY t.id""",
    "conditions": """SELECT t.id, t.label, (SELECT count(*) FROM claims c WHERE c.condition = t.id) AS findings
                     FROM conditions t ORDER BY t.id""",
    "studies": """SELECT s.citekey, s.design, s.n, b.first_author, b.year, b.title
                  FROM studies s JOIN bibliography b USING (citekey) ORDER BY s.citekey""",
}


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Overview:
    articles: list[Row]
    treatments: list[Row]  # interventions (not comparators)
    comparators: list[Row]
    conditions: list[Row]
    studies: list[Row]

    @property
    def treatment_label(self) -> dict[str, str]:
        return {str(t["id"]): str(t["label"]) for t in self.treatments}

    @property
    def condition_label(self) -> dict[str, str]:
        return {str(c["id"]): str(c["label"]) for c in self.conditions}


def load_overview(db_path: Path, with_studies: bool = True) -> Overview:
    """The index page's rows (studies only when ``with_studies``: at 100k studies they are the bulk)."""
    with read_only(db_path) as con:
        got = {name: fetch_records(con, sql) for name, sql in SQL.items() if with_studies or name != "studies"}
    counts: dict[str, dict[str, int]] = {}
    for r in got["verdicts"]:
        counts.setdefault(str(r["slug"]), {})[str(r["verdict"])] = int(r["n"])  # type: ignore[arg-type]
    articles = []
    for a in got["articles"]:
        mine = counts.get(str(a["slug"]), {})
        articles.append(Record(a, href=f"articles/{safe_name(a['slug'])}.html",
                               count_items=[{"key": k, "label": VERDICT_LABEL[k], "icon": VERDICT_ICON[k],
                                             "n": mine.get(k, 0)} for k in VERDICT_LABEL]))
    treatments = [Record(id=t["id"], label=t["label"], href=f"treatments/{safe_name(t['id'])}.html",
                         findings_text=plural(int(t["findings"]), "finding"))  # type: ignore[arg-type]
                  for t in got["interventions"] if t["kind"] != "comparator"]
    comparators = [Record(id=t["id"], label=t["label"], findings_text=plural(int(t["comparisons"]), "comparison"))  # type: ignore[arg-type]
                   for t in got["interventions"] if t["kind"] == "comparator"]
    conditions = [Record(id=c["id"], label=c["label"], href=f"conditions/{safe_name(c['id'])}.html",
                         findings_text=plural(int(c["findings"]), "finding"))  # type: ignore[arg-type]
                  for c in got["conditions"]]
    studies = [Record(s, href=f"studies/{safe_name(s['citekey'])}.html",
                      label=f"{s['first_author'] or s['citekey']} {s['year'] or ''}".strip(),
                      design_label=design_label(s["design"])) for s in got.get("studies", [])]
    return Overview(articles, treatments, comparators, conditions, studies)
