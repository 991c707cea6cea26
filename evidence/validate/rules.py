"""Validate stage: rules across files (keys, vocabulary, numbers) -> problems.

Vocabulary terms may be written as an id or any synonym ("Fraxel", "C02 laser"); they are
normalised to the id here so that every later stage sees one spelling.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
from rapidfuzz import process

from ..errors import Problem
from ..model import Workspace
from ..old_names import OLD_COMPARATORS
from ..read.tables import split_list
from .pooling_inputs import pooling_problems
from .ranges import range_problems

MAX_QUOTE = 400
REVIEW_DESIGNS = ("meta_analysis", "systematic_review", "narrative_review", "guideline", "expert_opinion")
EVIDENCE_LEVEL = {
    "meta_analysis": 1, "systematic_review": 1, "rct": 2, "split_face_rct": 2, "non_randomised_trial": 3,
    "cohort": 3, "case_control": 3, "cross_sectional": 4, "case_series": 4, "case_report": 4,
    "narrative_review": 5, "guideline": 5, "expert_opinion": 5,
}


def vocabulary_map(vocab: pd.DataFrame) -> dict[str, str]:
    """Lower-cased id and synonyms -> id."""
    terms: dict[str, str] = {}
    for row in vocab.itertuples(index=False):
        if not row.id:
            continue
        terms[str(row.id).lower()] = row.id
        terms[str(row.label).lower()] = row.id
        for syn in split_list(row.synonyms):
            terms.setdefault(syn.lower(), row.id)
    return terms


def _vocab_problems(vocab: pd.DataFrame, shown_kind: str) -> list[Problem]:
    problems = []
    ids = set(vocab["id"].dropna())
    owner: dict[str, str] = {}
    for row in vocab.itertuples(index=False):
        if row.parent and row.parent not in ids:
            problems.append(Problem(row.source_file, int(row.source_line), "unknown-parent",
                                    f"{shown_kind} '{row.id}': parent '{row.parent}' is not an id in this file",
                                    "use an existing id or leave parent empty", field="parent"))
        for syn in split_list(row.synonyms):
            key = syn.lower()
            if key in owner and owner[key] != row.id:
                problems.append(Problem(row.source_file, int(row.source_line), "ambiguous-synonym",
                                        f"synonym '{syn}' of '{row.id}' is also a synonym of '{owner[key]}'",
                                        "a synonym must name one term only", field="synonyms"))
            owner.setdefault(key, row.id)
    return problems


def _normalise(df: pd.DataFrame, column: str, vocab: pd.DataFrame, default_file: str, extra: tuple[str, ...] = (),
               ) -> tuple[pd.Series, list[Problem]]:
    """Map each cell of ``column`` to its vocabulary id; a problem (unknown-<column>) for a term the
    vocabulary lacks, with the closest term or the file to add it to."""
    values = df[column]
    lookup = {**vocabulary_map(vocab), **{e: e for e in extra}}
    file = str(vocab["source_file"].iloc[0]) if len(vocab) else default_file
    # one look-up per distinct text, not one lower() per row: 100k claims name a few dozen terms
    known = {v: lookup[v.lower()] for v in pd.unique(values.dropna().to_numpy()) if v.lower() in lookup}
    mapped = values.map(known) if len(values) else values
    bad = values.notna() & mapped.isna()
    problems = []
    choices = sorted(set(lookup))
    code = "treatment" if column == "comparator" else column
    for row in df[bad].itertuples(index=False):
        value = getattr(row, column)
        best = process.extractOne(str(value).lower(), choices, score_cutoff=60)
        hint = f"did you mean '{lookup[best[0]]}'?" if best else f"add it to {file}"
        problems.append(Problem(row.source_file, int(row.source_line), f"unknown-{code}",
                                f"{column} '{value}' is not in the vocabulary of {file}", hint, field=column))
    return mapped.where(values.notna(), None), problems


def validate(ws: Workspace) -> tuple[Workspace, list[Problem]]:
    """Cross-file rules; returns the workspace with vocabulary terms normalised to ids."""
    problems: list[Problem] = range_problems(ws)
    problems += _vocab_problems(ws.interventions, "intervention")
    problems += _vocab_problems(ws.conditions, "condition")
    claims = ws.claims.copy()
    claims["treatment"], found = _normalise(claims, "treatment", ws.interventions, "references/interventions.csv")
    problems += found
    claims["comparator"], found = _normalise(claims, "comparator", ws.interventions, "references/interventions.csv",
                                             OLD_COMPARATORS)
    problems += found
    claims["condition"], found = _normalise(claims, "condition", ws.conditions, "references/conditions.csv")
    problems += found

    citekeys = set(ws.bibliography["citekey"])
    for row in ws.studies[~ws.studies["citekey"].isin(citekeys) & ws.studies["citekey"].notna()].itertuples():
        problems.append(Problem(row.source_file, int(row.source_line), "unknown-citekey",
                                f"study '{row.citekey}' has no BibTeX record",
                                "add it to a references/*.bib file or fix the citekey", field="citekey"))
    study_keys = set(ws.studies["citekey"].dropna())
    for row in claims[~claims["citekey"].isin(study_keys) & claims["citekey"].notna()].itertuples():
        best = process.extractOne(str(row.citekey), sorted(study_keys), score_cutoff=70)
        problems.append(Problem(row.source_file, int(row.source_line), "unknown-study",
                                f"claim '{row.claim_id}' cites study '{row.citekey}', which is not in studies.csv",
                                f"did you mean '{best[0]}'?" if best else "add a row for it to studies.csv",
                                field="citekey"))
    numbered = claims[["value", "low", "high"]].notna().any(axis=1)
    for row in claims[numbered & claims["unit"].isna()].itertuples():
        problems.append(Problem(row.source_file, int(row.source_line), "missing-unit",
                                f"claim '{row.claim_id}' gives a number without a unit",
                                "fill 'unit' (percent, days, months, ...)", field="unit"))
    for row in claims[claims["low"].notna() & claims["high"].notna() & (claims["low"] > claims["high"])].itertuples():
        problems.append(Problem(row.source_file, int(row.source_line), "reversed-range",
                                f"claim '{row.claim_id}': low {row.low:g} is above high {row.high:g}",
                                "swap low and high", field="low"))
    for row in claims[claims["quote"].fillna("").str.len() > MAX_QUOTE].itertuples():
        problems.append(Problem(row.source_file, int(row.source_line), "quote-too-long",
                                f"claim '{row.claim_id}': the quote is {len(row.quote)} characters",
                                f"quote at most one sentence (under {MAX_QUOTE} characters); summarise the rest",
                                field="quote"))

    problems += pooling_problems(ws.studies, claims)

    statement_ids = {(s.slug, s.statement_id) for s in ws.statements}
    claim_ids = set(claims["claim_id"].dropna())
    for row in ws.links.itertuples(index=False):
        if row.statement_id and (row.slug, row.statement_id) not in statement_ids:
            problems.append(Problem(row.source_file, int(row.source_line), "unknown-statement",
                                    f"link to statement '{row.statement_id}', which is not in the statements file",
                                    "fix the statement_id or add the statement", field="statement_id"))
        if row.claim_id and row.claim_id not in claim_ids:
            best = process.extractOne(str(row.claim_id), sorted(claim_ids), score_cutoff=80) if claim_ids else None
            problems.append(Problem(row.source_file, int(row.source_line), "unknown-claim",
                                    f"link to claim '{row.claim_id}', which is not in claims.csv",
                                    f"did you mean '{best[0]}'?" if best else "fix the claim_id or add the claim",
                                    field="claim_id"))
    seen_slugs: dict[str, str] = {}
    for article in ws.articles:
        if article.slug in seen_slugs:
            problems.append(Problem(article.source_file, 1, "duplicate-slug",
                                    f"slug '{article.slug}' is also used by {seen_slugs[article.slug]}",
                                    "give each article its own slug", field="slug"))
        seen_slugs[article.slug] = article.source_file
    return dataclasses.replace(ws, claims=claims), problems
