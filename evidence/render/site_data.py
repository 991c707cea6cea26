"""Render stage, the site's rows: one bulk query per table, for the whole site or for a few of its pages.

A render builds the contexts of only the pages whose inputs changed (``dependencies.py``), and a
first render builds them a batch at a time, so the rows read are those of a ``Selection``: the
claims those pages show, every statement resting on those claims, and the records, notices and
articles they reach. A statement's evidence (the other claims it rests on) is read for the article
pages and claims.json that print it; a claim's page shows the statement without it. A million
claims are never all Python objects at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..load.database import fetch_records, read_only

Row = dict[str, object]


class Record(dict):
    """A row whose columns are also its attributes (``c.summary``).

    Jinja reads ``c.summary`` by trying an attribute first; on a plain dict that fails and
    falls back to the key, for every cell of every table. Making the dict its own instance
    ``__dict__`` lets the first lookup succeed: it halves the render time of large tables.
    """

    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.__dict__ = self


def rows(df: pd.DataFrame) -> list[Row]:
    """DataFrame rows as dicts with None for missing values and plain lists for arrays."""
    out = []
    for rec in df.to_dict("records"):
        clean = {}
        for k, v in rec.items():
            if hasattr(v, "tolist") and not isinstance(v, str):
                v = v.tolist()
            elif v is pd.NA or (isinstance(v, float) and pd.isna(v)):
                v = None
            clean[k] = v
        out.append(clean)
    return out


def group(items: list[Row], key: str) -> dict[object, list[Row]]:
    """Rows by one column, keeping their (already deterministic) order."""
    groups: dict[object, list[Row]] = {}
    for row in items:
        groups.setdefault(row[key], []).append(row)
    return groups


@dataclass(frozen=True)
class Selection:
    """The pages whose rows to read (None: every one of that kind)."""

    studies: frozenset[str] | None = frozenset()
    treatments: frozenset[str] | None = frozenset()
    conditions: frozenset[str] | None = frozenset()
    articles: frozenset[str] | None = frozenset()  # article pages (and their reports)
    all_statements: bool = False  # every statement with its evidence (claims.json)

    @staticmethod
    def everything() -> "Selection":
        return Selection(None, None, None, None, True)

    @property
    def is_everything(self) -> bool:
        return (self.studies is None and self.treatments is None and self.conditions is None
                and self.articles is None and self.all_statements)


@dataclass(frozen=True)
class SiteData:
    """Every table the site prints, each read by one query with a stable ORDER BY."""

    articles: list[Row]
    statements: list[Row]
    claims: list[Row]
    links: list[Row]
    studies: list[Row]
    bibliography: list[Row]
    treatments: list[Row]  # the interventions vocabulary, comparators included (kind)
    conditions: list[Row]
    references: list[Row]
    problems: list[Row]
    uncovered: list[Row]
    metadata: list[Row]
    pooled: list[Row] = field(default_factory=list)  # pooled_estimates (synthesis stage)
    certainty: list[Row] = field(default_factory=list)  # outcome_certainty
    study_keys: frozenset[str] | None = None  # citekeys that are studies (None: those in ``studies``)
    selection: Selection = field(default_factory=Selection.everything)
    claim_counts: dict[tuple[str, str], int] | None = None  # (kind, id) -> findings (None: all claims were read)


# The site's queries; {w_...} is replaced by a filter on the selection's temporary tables, or by
# nothing when everything is read.
SQL = {
    "articles": "SELECT * FROM articles {w_article} ORDER BY slug",
    "statements": """SELECT s.*, v.verdict, v.computed_verdict, v.strength, v.reasons, v.claims AS claim_ids,
                            v.numeric_check, v.override_reason, v.blocking
                     FROM statements s LEFT JOIN verdicts v USING (slug, statement_id) {w_statement}
                     ORDER BY s.slug, s.number""",
    "claims": """SELECT c.*, s.design, s.evidence_level, s.n AS study_n, s.follow_up_months,
                        b.title AS study_title, b.first_author, b.year, b.journal,
                        q.status AS quote_status, q.description AS quote_description
                 FROM claims c JOIN studies s USING (citekey) JOIN bibliography b USING (citekey)
                 LEFT JOIN quote_checks q USING (claim_id) {w_claim}
                 ORDER BY c.claim_id""",
    "links": "SELECT * FROM links l {w_link} ORDER BY slug, statement_id, claim_id",
    "studies": """SELECT s.*, b.* EXCLUDE (citekey, source_file, source_line)
                  FROM studies s JOIN bibliography b USING (citekey) {w_study} ORDER BY s.citekey""",
    "bibliography": "SELECT * FROM bibliography {w_record} ORDER BY citekey",
    "treatments": "SELECT * FROM interventions ORDER BY id",
    "conditions": "SELECT * FROM conditions ORDER BY id",
    "references": "SELECT * FROM article_references {w_page} ORDER BY slug, number",
    "problems": "SELECT * FROM problems {w_page} ORDER BY slug, file, line, code",
    "uncovered": "SELECT * FROM uncovered {w_page} ORDER BY slug, start_offset",
    "metadata": """SELECT citekey, source, fetched_at, retracted, CAST(notices AS VARCHAR) AS notices
                   FROM metadata WHERE citekey IS NOT NULL {and_record} ORDER BY citekey, source, identifier""",
    "pooled": """SELECT * FROM pooled_estimates {w_treatment_p}
                 ORDER BY intervention, comparator, outcome, measure, statistic, method""",
    "certainty": "SELECT * FROM outcome_certainty {w_treatment_o} ORDER BY treatment, outcome",
}
FILTERS = {
    "w_article": "WHERE slug IN (SELECT slug FROM _want_articles)",
    "w_statement": "WHERE (s.slug, s.statement_id) IN (SELECT (slug, statement_id) FROM _want_statements)",
    "w_claim": "WHERE c.claim_id IN (SELECT claim_id FROM _want_claims)",
    "w_link": "WHERE (l.slug, l.statement_id) IN (SELECT (slug, statement_id) FROM _want_statements)",
    "w_study": "WHERE s.citekey IN (SELECT citekey FROM _want_studies)",
    "w_record": "WHERE citekey IN (SELECT citekey FROM _want_records)",
    "and_record": "AND citekey IN (SELECT citekey FROM _want_records)",
    "w_page": "WHERE slug IN (SELECT slug FROM _want_pages)",
    "w_treatment_p": "WHERE intervention IN (SELECT id FROM _want_treatments)",
    "w_treatment_o": "WHERE treatment IN (SELECT id FROM _want_treatments)",
}

# The closure of a selection, in temporary tables of the read-only connection (in memory).
SELECT_SQL = """
CREATE TEMP TABLE _want_studies AS SELECT unnest($studies::VARCHAR[]) AS citekey;
CREATE TEMP TABLE _want_treatments AS SELECT unnest($treatments::VARCHAR[]) AS id;
CREATE TEMP TABLE _want_pages AS SELECT unnest($articles::VARCHAR[]) AS slug;
CREATE TEMP TABLE _want_conditions AS SELECT unnest($conditions::VARCHAR[]) AS id;
CREATE TEMP TABLE _ranked AS  -- claims of the selected interventions and conditions, ranked as their tables are
    SELECT c.claim_id, c.treatment, c.condition,
           CASE WHEN coalesce(s.evidence_level, 0) = 0 THEN 9 ELSE s.evidence_level END AS level
    FROM claims c JOIN studies s USING (citekey) JOIN bibliography b USING (citekey)
    WHERE c.treatment IN (SELECT id FROM _want_treatments) OR c.condition IN (SELECT id FROM _want_conditions);
CREATE TEMP TABLE _seed AS
    SELECT claim_id FROM claims WHERE citekey IN (SELECT citekey FROM _want_studies)
    UNION SELECT claim_id FROM _ranked WHERE treatment IN (SELECT id FROM _want_treatments)
        QUALIFY row_number() OVER (PARTITION BY treatment ORDER BY level, claim_id) <= $limit
    UNION SELECT claim_id FROM _ranked WHERE condition IN (SELECT id FROM _want_conditions)
        QUALIFY row_number() OVER (PARTITION BY condition ORDER BY level, claim_id) <= $limit
    UNION SELECT claim_id FROM links WHERE claim_id IN (SELECT claim_id FROM _ranked)
    UNION SELECT claim_id FROM links  -- a summary of findings lists the statements resting on its claims
        WHERE claim_id IN (SELECT unnest(claims) FROM outcome_certainty WHERE treatment IN (SELECT id FROM _want_treatments));
CREATE TEMP TABLE _want_statements AS
    SELECT DISTINCT slug, statement_id FROM links WHERE claim_id IN (SELECT claim_id FROM _seed)
    UNION SELECT slug, statement_id FROM statements WHERE $all_statements OR slug IN (SELECT slug FROM _want_pages);
CREATE TEMP TABLE _want_claims AS
    SELECT claim_id FROM _seed
    UNION SELECT claim_id FROM links WHERE (slug, statement_id) IN (SELECT (slug, statement_id) FROM _want_statements)
        AND ($all_statements OR slug IN (SELECT slug FROM _want_pages));
CREATE TEMP TABLE _want_articles AS
    SELECT slug FROM _want_pages UNION SELECT DISTINCT slug FROM _want_statements;
CREATE TEMP TABLE _want_records AS
    SELECT citekey FROM _want_studies
    UNION SELECT DISTINCT citekey FROM claims WHERE claim_id IN (SELECT claim_id FROM _want_claims)
    UNION SELECT matched_citekey FROM article_references
          WHERE slug IN (SELECT slug FROM _want_pages) AND matched_citekey IS NOT NULL;
"""


def _names(values: frozenset[str] | None, everything: Iterable[str]) -> list[str]:
    return sorted(everything if values is None else values)


def load_site_data(db_path: Path, selection: Selection | None = None, table_limit: int = 200) -> SiteData:
    """The rows of the selected pages (all of them without a selection), each table by one query.

    An intervention or condition page prints its ``table_limit`` best-evidenced findings and the
    statements resting on any of its findings: only those claims are read (its CSV is written
    by ``claims_csv`` straight from the database, and its counts come from ``claim_counts``).
    """
    selection = selection or Selection.everything()
    with read_only(db_path) as con:
        if selection.is_everything:
            data = {name: [Record(r) for r in fetch_records(con, q.format(**{k: "" for k in FILTERS}))]
                    for name, q in SQL.items()}
            return SiteData(**data, selection=selection)

        def every(sql: str) -> list[str]:
            return [str(r["k"]) for r in fetch_records(con, sql)]

        params = {
            "studies": _names(selection.studies, every("SELECT citekey AS k FROM studies")
                              if selection.studies is None else ()),
            "treatments": _names(selection.treatments, every("SELECT id AS k FROM interventions")
                                 if selection.treatments is None else ()),
            "conditions": _names(selection.conditions, every("SELECT id AS k FROM conditions")
                                 if selection.conditions is None else ()),
            "articles": _names(selection.articles, every("SELECT slug AS k FROM articles")
                               if selection.articles is None else ()),
            "all_statements": selection.all_statements,
            "limit": table_limit,
        }
        for statement in (s for s in SELECT_SQL.split(";") if s.strip()):
            names = [k for k in params if f"${k}" in statement]
            con.execute(statement, {k: params[k] for k in names})
        data = {name: [Record(r) for r in fetch_records(con, q.format(**FILTERS))] for name, q in SQL.items()}
        keys = frozenset(str(r["citekey"]) for r in fetch_records(
            con, "SELECT citekey FROM studies WHERE citekey IN (SELECT citekey FROM _want_records)"))
        counts = {(str(r["kind"]), str(r["id"])): int(r["n"]) for r in fetch_records(  # type: ignore[arg-type]
            con, "SELECT 'treatment' AS kind, treatment AS id, count(*) AS n FROM _ranked "
                 "WHERE treatment IN (SELECT id FROM _want_treatments) GROUP BY treatment "
                 "UNION ALL SELECT 'condition', condition, count(*) FROM _ranked "
                 "WHERE condition IN (SELECT id FROM _want_conditions) GROUP BY condition")}
        return SiteData(**data, study_keys=keys, selection=selection, claim_counts=counts)


def load_bibliography(db_path: Path) -> list[Row]:
    """Every bibliographic record (to format every citation of a full render at once)."""
    with read_only(db_path) as con:
        return fetch_records(con, SQL["bibliography"].format(w_record=""))


CSV_SQL = """SELECT {columns}
FROM claims c JOIN studies s USING (citekey) JOIN bibliography b USING (citekey)
WHERE c.{kind} = $key
ORDER BY CASE WHEN coalesce(s.evidence_level, 0) = 0 THEN 9 ELSE s.evidence_level END, c.claim_id"""
STUDY_COLUMNS = ("design", "evidence_level")  # the CSV's columns that come from the study, not the claim


def claims_csv_rows(db_path: Path, kind: str, key: str, columns: list[str]) -> list[Row]:
    """Every finding of an intervention (``kind`` 'treatment') or condition, ranked as its page's table."""
    select = ", ".join(f's."{c}"' if c in STUDY_COLUMNS else f'c."{c}"' for c in columns)
    with read_only(db_path) as con:
        return fetch_records(con, CSV_SQL.format(columns=select, kind="treatment" if kind == "treatment" else "condition"),
                             {"key": key})
