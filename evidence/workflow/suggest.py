"""Workflow, ``evidence claims suggest``: draft claims from a study's cached abstract and full text.

The tool does the copying and leaves the judging to the editor: one candidate per results
or conclusions sentence that reports a finding (:mod:`.findings`), its quote copied
verbatim from the cached text, the section as locator, the numbers it states parsed into
claims.csv's columns, and the treatment, comparator, condition and outcome *guessed* from
the workspace's vocabularies (ids, labels and synonyms), each guess named in the draft's
summary. ``--write`` appends the candidates as ``unverified`` claims and, with a statement,
links whose relation is left empty, so nothing enters a verdict until an editor chooses it.
Both files are written atomically (temporary file, then rename), and nothing is duplicated.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from ..check.quotes import normalise
from ..errors import InputError, Problem
from ..files import write_atomic
from ..old_names import OLD_COLUMNS
from ..read.reader import vocabulary_path, with_kinds
from ..read.tables import CLAIMS, INTERVENTIONS, LINKS, VOCABULARY, TableSchema, read_table, split_list
from ..resolve.library import load as load_library
from ..resolve.sourcetext import load_texts
from ..resolve.texts import SourceText
from .findings import Numbers, finding_sentences, parse_numbers

MAX_QUOTE = 400  # validate/rules.py refuses longer quotes
_OUTCOME_WORDS = (
    ("downtime", r"downtime|recovery time|healing time|days? off|return to work"),
    ("adverse_events", r"adverse|side[- ]effects?|complications?|erythema|hyperpigmentation|pain|crusting|infection"),
    ("sessions", r"\bsessions?\b|\btreatments? needed\b"),
    ("durability", r"\bfollow[- ]up\b|\bsustained\b|\blong[- ]term\b|\brecurr"),
    ("prevalence", r"prevalen|incidence|\bfrequen|\bcommon\b|proportion of (?:people|patients)"),
    ("psychosocial", r"quality of life|psycholog|depress|anxiety|self[- ]esteem|social"),
    ("cost", r"\bcosts?\b|\bprice\b|\bUSD\b|\$"),
    ("risk_factor", r"risk factor|odds|associated with|association"),
)


@dataclass(frozen=True)
class Candidate:
    """One drafted claim: verbatim quote, where it stands, its numbers, and the guesses made."""

    citekey: str
    quote: str
    locator: str
    source_label: str
    section: str
    page_url: str
    numbers: Numbers
    treatment: str | None = None
    comparator: str | None = None
    condition: str | None = None
    outcome: str = "efficacy"
    guessed: tuple[str, ...] = ()

    def row(self, claim_id: str) -> dict[str, str]:
        """The claims.csv row (every cell text; empty cells are missing values)."""
        nums = self.numbers
        has_unit = nums.unit is not None
        plain = lambda v: (v or "").replace(",", "")  # noqa: E731  ('1,796' -> '1796')
        guessed = ", ".join(self.guessed) or "nothing"
        return {
            "claim_id": claim_id, "citekey": self.citekey, "treatment": self.treatment or "",
            "comparator": self.comparator or "", "condition": self.condition or "", "outcome": self.outcome,
            "measure": nums.measure or "", "value": plain(nums.value) if has_unit else "",
            "low": plain(nums.low) if has_unit else "", "high": plain(nums.high) if has_unit else "",
            "unit": (nums.unit or "") if has_unit and (nums.value or nums.low) else "",
            "interval": (nums.interval or "") if has_unit else "",
            "n": plain(nums.n), "quote": self.quote, "locator": self.locator, "source_url": self.page_url,
            "status": "unverified",
            "summary": (f"DRAFT from the {self.source_label} ({self.section}) by `evidence claims suggest`; guessed: "
                        f"{guessed}" + (f"; p-values: {'; '.join(nums.p_values)}" if nums.p_values else "")
                        + ". Check every field against the quote and write this summary in your own words."),
        }

    def as_dict(self) -> dict[str, Any]:
        return {"citekey": self.citekey, "quote": self.quote, "locator": self.locator, "source": self.source_label,
                "section": self.section, "source_url": self.page_url, "treatment": self.treatment,
                "comparator": self.comparator, "condition": self.condition, "outcome": self.outcome,
                "guessed": list(self.guessed), "value": self.numbers.value, "low": self.numbers.low,
                "high": self.numbers.high, "unit": self.numbers.unit, "interval": self.numbers.interval,
                "measure": self.numbers.measure, "n": self.numbers.n, "p_values": list(self.numbers.p_values)}


# -- vocabularies ---------------------------------------------------------------------------

def vocabulary_terms(frame: pd.DataFrame) -> list[tuple[re.Pattern[str], str]]:
    """(pattern, id) for every id, label and synonym, longest first; ALL-CAPS synonyms match case-sensitively."""
    terms: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        if not row.id:
            continue
        for term in [str(row.id).replace("_", " "), str(row.label or ""), *split_list(row.synonyms)]:
            if len(term.strip()) >= 3:
                terms.setdefault(term.strip(), str(row.id))
    out = []
    for term in sorted(terms, key=len, reverse=True):
        flags = 0 if re.fullmatch(r"[A-Z0-9:]+", term) else re.I
        out.append((re.compile(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])", flags), terms[term]))
    return out


def mentions(text: str, terms: Sequence[tuple[re.Pattern[str], str]]) -> list[str]:
    """The vocabulary ids a sentence names, in the order it names them (longest term wins a place)."""
    taken: list[tuple[int, int, str]] = []
    for pattern, ident in terms:
        for m in pattern.finditer(text):
            if not any(a < m.end() and m.start() < b for a, b, _ in taken):
                taken.append((m.start(), m.end(), ident))
    return list(dict.fromkeys(ident for _, _, ident in sorted(taken)))


def guess_outcome(sentence: str, has_comparator: bool) -> str:
    for outcome, pattern in _OUTCOME_WORDS:
        if re.search(pattern, sentence, re.I):
            return outcome
    if has_comparator or re.search(r"\b(?:compared|versus|vs\.?|than)\b", sentence, re.I):
        return "comparative_efficacy"
    return "efficacy"


# -- candidates -----------------------------------------------------------------------------

def page_url(text: SourceText) -> str:
    """The page a reader opens to see the quote (not the API endpoint it was fetched from)."""
    kind, _, value = text.identifier.partition(":")
    if text.source == "europepmc-fulltext":
        return f"https://europepmc.org/article/PMC/{value}"
    if kind == "pmid":
        return f"https://pubmed.ncbi.nlm.nih.gov/{value}/" if text.source == "pubmed" else \
            f"https://europepmc.org/article/MED/{value}"
    return f"https://doi.org/{value}" if kind == "doi" else ""


def _locator(part: str, label: str) -> str:
    if part == "abstract":
        return f"Abstract, {label.capitalize()}" if label else "Abstract"
    return label or "Body"


def _clip(sentence: str) -> str:
    """At most MAX_QUOTE characters, cut at a clause boundary: still a verbatim piece."""
    if len(sentence) <= MAX_QUOTE:
        return sentence
    cut = max(sentence.rfind("; ", 0, MAX_QUOTE), sentence.rfind(", ", 0, MAX_QUOTE))
    return sentence[:cut] if cut > 40 else sentence[:MAX_QUOTE].rsplit(" ", 1)[0]


def candidates(texts: Sequence[SourceText], citekey: str, interventions: pd.DataFrame,
               conditions: pd.DataFrame) -> list[Candidate]:
    """Every finding sentence of the texts, once (the first source that carries it wins)."""
    treatment_terms, condition_terms = vocabulary_terms(interventions), vocabulary_terms(conditions)
    kinds = interventions["kind"] if "kind" in interventions else pd.Series("intervention", index=interventions.index)
    comparators = set(interventions["id"][kinds == "comparator"])
    seen: set[str] = set()
    out = []
    for text in texts:
        for section in text.sections:
            if section.part == "body" and re.match(r"(table|figure|fig)\b", section.label, re.I):
                continue
            for start, end in finding_sentences(section.text, section.category):
                quote = _clip(section.text[start:end])
                key = normalise(quote).lower()
                if key in seen:
                    continue
                seen.add(key)
                named = mentions(quote, treatment_terms)
                found = mentions(quote, condition_terms)
                treatment = next((t for t in named if t not in comparators), None)  # a comparator is never the treatment
                comparator = next((t for t in named if t != treatment and treatment is not None), None)
                guessed = [name for name, value in (("treatment", treatment), ("comparator", comparator),
                                                    ("condition", found[:1])) if value] + ["outcome"]
                out.append(Candidate(
                    citekey, quote, _locator(section.part, section.label), text.label, section.title or "Abstract",
                    page_url(text), parse_numbers(quote), treatment, comparator,
                    found[0] if found else None, guess_outcome(quote, comparator is not None), tuple(guessed)))
    return out


def _vocab(settings: Any, name: str, schema: TableSchema, problems: list[Problem]) -> pd.DataFrame:
    path = vocabulary_path(settings, name, problems)  # the old file name when only that one exists
    if not path.is_file():
        return pd.DataFrame(columns=schema.names)
    frame, found = read_table(path, schema, settings.rel(path))
    problems.extend(p for p in found if p.severity == "error")
    return with_kinds(frame) if "kind" in schema.names else frame


def suggest(settings: Any, citekey: str) -> list[Candidate]:
    """Draft claims for ``citekey`` from its cached text; InputError when there is no text to draft from."""
    state = load_texts(settings).get(citekey)
    if state is None and citekey not in {ref.citekey for ref in load_library(settings)[0]}:
        raise InputError([Problem("references/", None, "unknown-citekey", f"no reference '{citekey}' in the library",
                                  "check the citekey (see references/*.bib)")])
    if state is None or not state.texts:
        why = state.why_no_text() if state is not None else "never fetched"
        raise InputError([Problem("references/", None, "no-source-text", f"{citekey}: {why}",
                                  "run `evidence resolve` (with the network) first")])
    problems: list[Problem] = []
    interventions = _vocab(settings, "interventions.csv", INTERVENTIONS, problems)
    conditions = _vocab(settings, "conditions.csv", VOCABULARY, problems)
    if problems:
        raise InputError(problems)
    return candidates(state.texts, citekey, interventions, conditions)


# -- writing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Written:
    claims: tuple[str, ...] = ()  # claim ids appended
    duplicates: tuple[str, ...] = ()  # claim ids already holding the same quote
    links: tuple[str, ...] = ()  # "S12 -> claim" appended
    files: tuple[str, ...] = field(default_factory=tuple)


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]], str]:
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]] if rows else []
    return header, [dict(zip(header, r)) for r in rows[1:] if any(c.strip() for c in r)], text


def _appended(text: str, header: list[str], rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, restval="", extrasaction="ignore", lineterminator="\n")
    if not text:
        writer.writeheader()
    elif not text.endswith("\n"):
        buf.write("\n")
    writer.writerows(rows)
    return text + buf.getvalue()


def _statement(settings: Any, spec: str) -> tuple[str, str, Path]:
    slug, _, sid = spec.partition(":")
    statements = settings.articles_dir / f"{slug}.statements.csv"
    header, rows, _ = _read_csv(statements)
    if not sid or not any(r.get("statement_id", "").strip() == sid for r in rows):
        where = settings.rel(statements) if statements.is_file() else f"articles/{slug}.statements.csv (absent)"
        raise InputError([Problem("<--statement>", None, "unknown-statement", f"no statement '{sid}' in {where}",
                                  "write it as ARTICLE:STATEMENT_ID, e.g. my-article:S12")])
    return slug, sid, settings.articles_dir / f"{slug}.links.csv"


def write(settings: Any, picked: Sequence[Candidate], statement: str | None = None) -> Written:
    """Append ``picked`` to claims.csv as unverified (and links with an empty relation); never duplicates."""
    claims_path = settings.references_dir / "claims.csv"
    link_target = _statement(settings, statement) if statement else None
    studies_header, studies, _ = _read_csv(settings.references_dir / "studies.csv")
    known = {r.get("citekey", "").strip() for r in studies}
    missing = sorted({c.citekey for c in picked} - known)
    if missing:
        raise InputError([Problem(settings.rel(settings.references_dir / "studies.csv"), None, "unknown-study",
                                  f"'{key}' has no row in studies.csv, so its claims would not build",
                                  "add the study's row first (design, source_url, status)") for key in missing])
    header, rows, text = _read_csv(claims_path)
    header = header or CLAIMS.names
    by_quote = {(r.get("citekey", "").strip(), normalise(r.get("quote", "")).lower()): r.get("claim_id", "")
                for r in rows}
    used = {r.get("claim_id", "") for r in rows}
    new_rows, added, dups, chosen = [], [], [], []
    for cand in picked:
        existing = by_quote.get((cand.citekey, normalise(cand.quote).lower()))
        if existing:
            dups.append(existing)
            chosen.append(existing)
            continue
        number = 1 + max([int(m.group(1)) for u in used if (m := re.fullmatch(re.escape(cand.citekey) + r"-(\d+)", u))]
                         or [0])
        claim_id = f"{cand.citekey}-{number}"
        used.add(claim_id)
        by_quote[(cand.citekey, normalise(cand.quote).lower())] = claim_id
        row = cand.row(claim_id)
        if "condition" not in header and OLD_COLUMNS["condition"] in header:  # a claims.csv of the first format
            row[OLD_COLUMNS["condition"]] = row.pop("condition")
        new_rows.append(row)
        added.append(claim_id)
        chosen.append(claim_id)
    files, links = [], []
    claims_text = _appended(text, header, new_rows) if new_rows else None
    links_text = None
    if link_target:
        slug, sid, links_path = link_target
        link_header, link_rows, link_file = _read_csv(links_path)
        linked = {(r.get("statement_id", "").strip(), r.get("claim_id", "").strip()) for r in link_rows}
        fresh = [{"statement_id": sid, "claim_id": c, "relation": "",
                  "note": "suggested by `evidence claims suggest`: choose the relation"}
                 for c in dict.fromkeys(chosen) if (sid, c) not in linked]
        if fresh:
            links_text = _appended(link_file, link_header or LINKS.names, fresh)
            links = [f"{sid} -> {r['claim_id']}" for r in fresh]
    if claims_text is not None:
        claims_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(claims_path, claims_text.encode("utf-8"))
        files.append(settings.rel(claims_path))
    if links_text is not None and link_target:
        write_atomic(link_target[2], links_text.encode("utf-8"))
        files.append(settings.rel(link_target[2]))
    return Written(tuple(added), tuple(dups), tuple(links), tuple(files))
