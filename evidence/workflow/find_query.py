"""Workflow: a PubMed query built from one statement of an article, shown so it can be refined.

The statement's own words are matched against the workspace's vocabularies
(``interventions.csv``, ``conditions.csv``: id, label and every synonym, case-insensitive,
whole words with a plural or -ing ending; comparators such as placebo are never searched for).
Each concept becomes an OR group of its label and synonyms in title/abstract
(``"fractional CO2"[tiab] OR "FxCO2"[tiab] …``); the groups are ANDed. Only when the sentence
names no intervention or condition do the claims already linked to it say what it is about. The
broader of two matched terms (``laser`` beside ``fractional_co2_laser``) is dropped, so the query
asks for what the sentence says. A statement that names no condition is searched within the
workspace's broadest condition (a root with narrower ones). Outcome words ("most effective", "downtime", "sessions" …) add one outcome
group from the small table below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import InputError, Problem
from ..read.reader import read_workspace
from ..read.tables import split_list
from ..validate.rules import vocabulary_map

# outcome -> (words that show the statement is about it, search terms); first match wins.
OUTCOME_TERMS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("comparative_efficacy", ("most effective", "more effective", "better than", "best", "versus", "compared"),
     ("comparative", "versus", "compared")),
    ("downtime", ("downtime", "recovery", "heal"), ("downtime", "recovery time", "healing time")),
    ("sessions", ("session", "treatments needed"), ("sessions", "number of treatments")),
    ("adverse_events", ("side effect", "risk", "complication", "adverse", "safe"),
     ("adverse events", "side effects", "complications")),
    ("durability", ("permanent", "long-term", "last", "durable", "recur"), ("long-term", "follow-up", "recurrence")),
    ("prevalence", ("common", "prevalence", "percent of"), ("prevalence", "incidence")),
    ("psychosocial", ("self-esteem", "confidence", "quality of life", "depress", "anxiety"),
     ("quality of life", "psychosocial")),
    ("efficacy", ("effective", "improve", "reduce", "fade", "treat", "work"), ("efficacy", "effectiveness",
                                                                               "improvement")),
)


@dataclass(frozen=True)
class StatementQuery:
    """The query and what it was built from, for the editor to read and refine."""

    article: str
    statement_id: str
    quote: str
    query: str
    treatments: tuple[str, ...] = ()  # intervention ids
    conditions: tuple[str, ...] = ()
    outcome: str | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)  # "quote", "linked claims"


def _phrases(row: Any) -> list[str]:
    label = re.sub(r"\s*\([^)]*\)", "", str(row.label or "")).strip()
    return [p for p in dict.fromkeys([label, *split_list(row.synonyms), str(row.id).replace("_", " ")]) if p]


def _mentions(text: str, phrase: str) -> bool:
    flags = 0 if phrase.isupper() and len(phrase) <= 5 else re.IGNORECASE  # 'TAC', 'PRP': acronyms as written
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?:s|es|ing|ed)?(?!\w)", text, flags) is not None


def _ancestors(vocab: pd.DataFrame, term: str) -> set[str]:
    parents = dict(zip(vocab["id"], vocab["parent"]))
    out: set[str] = set()
    while parents.get(term) and parents[term] not in out:
        term = parents[term]
        out.add(term)
    return out


def _most_specific(vocab: pd.DataFrame, ids: list[str]) -> list[str]:
    broader = set().union(*(_ancestors(vocab, i) for i in ids)) if ids else set()
    return [i for i in dict.fromkeys(ids) if i not in broader]


def _group(vocab: pd.DataFrame, ids: list[str]) -> str:
    rows = vocab.set_index("id")
    terms: dict[str, str] = {}
    for term in ids:
        row = rows.loc[term]
        for phrase in _phrases(type("Row", (), {"id": term, "label": row["label"], "synonyms": row["synonyms"]})):
            terms.setdefault(phrase.lower(), phrase)
    return "(" + " OR ".join(f'"{t}"[tiab]' for t in terms.values()) + ")"


def _words_group(words: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f'"{w}"[tiab]' for w in words) + ")"


def statement_query(settings: Any, ref: str, extra: str = "") -> StatementQuery:
    """The query for ``ARTICLE:S12``; :class:`InputError` when the statement is unknown or names nothing."""
    slug, _, sid = ref.partition(":")
    ws = read_workspace(settings)
    statement = next((s for s in ws.statements if s.slug == slug and s.statement_id == sid), None)
    if statement is None:
        known = sorted({s.slug for s in ws.statements})
        raise InputError([Problem("<--statement>", None, "unknown-statement", f"no statement '{ref}'",
                                  "write ARTICLE:STATEMENT_ID, e.g. "
                                  + (f"{known[0]}:S01" if known else "my-article:S12"), field="statement")])
    quote = statement.quote
    comparators = set(ws.interventions["id"][ws.interventions["kind"] == "comparator"])
    treatments = [str(r.id) for r in ws.interventions.itertuples(index=False)
                  if r.id not in comparators and any(_mentions(quote, p) for p in _phrases(r))]
    conditions = [str(r.id) for r in ws.conditions.itertuples(index=False)
                  if any(_mentions(quote, p) for p in _phrases(r))]
    outcome = next((name for name, words, _ in OUTCOME_TERMS if any(w in quote.lower() for w in words)), None)
    sources = ["quote"] if treatments or conditions else []
    linked = ws.links[(ws.links["slug"] == slug) & (ws.links["statement_id"] == sid)]["claim_id"]
    claims = ws.claims[ws.claims["claim_id"].isin(set(linked))]
    if not sources and len(claims):  # the sentence names nothing: what its linked claims are about
        tmap, smap = vocabulary_map(ws.interventions), vocabulary_map(ws.conditions)
        treatments = [tmap[str(v).lower()] for v in claims["treatment"].dropna() if str(v).lower() in tmap
                      and tmap[str(v).lower()] not in comparators]
        conditions = [smap[str(v).lower()] for v in claims["condition"].dropna() if str(v).lower() in smap]
        outcome = outcome or next(iter(claims["outcome"].dropna()), None)
        sources = ["linked claims"] if treatments or conditions else []
    if not sources and not extra.strip():
        raise InputError([Problem("<--statement>", None, "nothing-to-search",
                                  f"{ref} names no intervention or condition of the vocabularies: '{quote[:80]}'",
                                  "give the search words too: evidence find 'WORDS' --statement " + ref,
                                  field="statement")])
    treatments = _most_specific(ws.interventions, treatments)
    conditions = _most_specific(ws.conditions, conditions)
    if not conditions:
        parents = set(ws.conditions["parent"].dropna())
        conditions = [str(i) for i, p in zip(ws.conditions["id"], ws.conditions["parent"]) if not p and i in parents]
    groups = [g for g in (extra.strip() and f"({extra.strip()})", treatments and _group(ws.interventions, treatments),
                          conditions and _group(ws.conditions, conditions),
                          outcome and _words_group(next(t for n, _, t in OUTCOME_TERMS if n == outcome)))
              if g]
    return StatementQuery(slug, sid, quote, " AND ".join(groups), tuple(treatments), tuple(conditions), outcome,
                          tuple(sources))
