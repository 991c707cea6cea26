"""Render stage, page contexts: the site's data in one bulk query per table, linked both ways
(statement -> claims -> studies, and back), shaped into one typed context per page kind.

Templates print; this module thinks: every URL, fragment id, label, CSS class and number
as text is computed here, so a template typo fails a test instead of printing nonsense.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from typing import Mapping

from .article_text import Block, article_blocks
from .citations import STYLE_LABELS, Formatted
from .site_data import Record, SiteData, group, load_site_data, rows
from .fragments import text_fragment_url
from .lazy import LazyPages
from .jsonld import article_graph, identifier_links, study_graph
from .findings import PooledPlot, pooled_plots, summary_of_findings
from .labels import COMPARATOR_LABEL, DESIGN_LABEL, RELATION_LABEL, RELATION_ORDER, VERDICT_ICON, VERDICT_LABEL, claim_number, design_label, num, safe_name
from .notices import notices_by_study
from .plots import ForestPlot, forest_plots



Row = dict[str, object]
_CLAIM_REASON = re.compile(r"^(supports|partly supports|contradicts|context): (\S+)")
_RELATION_KEY = {label: key for key, label in RELATION_LABEL.items()}
# A statement's fields that come from the other claims it rests on: read (and whole) only for article
# pages and claims.json, so a study, intervention or condition page never holds them.
_EVIDENCE = ("evidence", "shown_reasons")
__all__ = ["VERDICT_LABEL", "DESIGN_LABEL", "as_context", "build_site", "load_site_data", "num", "rows", "safe_name"]


@dataclass(frozen=True)
class ArticlePage:
    article: Row
    blocks: list[Block]
    statements: list[Row]
    attention: list[Row]
    references: list[Row]
    problems: list[Row]
    uncovered: list[Row]
    jsonld: dict[str, object]


# An evidence table longer than this is cut to its best-evidenced rows; every row is in the
# page's CSV. (At 100k claims a treatment has thousands: a page that size helps no reader.)
TABLE_LIMIT = 200
CSV_COLUMNS = ["claim_id", "citekey", "design", "evidence_level", "n", "treatment", "comparator", "condition",
               "outcome", "measure", "value", "low", "high", "unit", "interval", "sessions", "downtime_days",
               "summary", "quote", "locator", "status"]


@dataclass(frozen=True)
class EvidenceTable:
    claims: list[Row]  # the rows shown, best evidence first
    total: int
    csv: str  # file name of the full table, beside the page

    @property
    def cut(self) -> bool:
        return self.total > len(self.claims)


def evidence_table(claims: list[Row], csv: str, total: int | None = None) -> EvidenceTable:
    """The best rows of a table; ``total`` when only those (and a few more) were read."""
    ranked = sorted(claims, key=lambda c: (c["evidence_level"] or 9, c["claim_id"]))
    return EvidenceTable(ranked[:TABLE_LIMIT], len(ranked) if total is None else total, csv)


@dataclass(frozen=True)
class TreatmentPage:
    treatment: Row
    table: EvidenceTable
    summary: Row | None
    plots: list[ForestPlot]
    statements: list[Row]
    all_claims: list[Row]
    findings: list[dict[str, object]] = field(default_factory=list)  # Summary of findings rows
    pooled_plots: list[PooledPlot] = field(default_factory=list)


@dataclass(frozen=True)
class ConditionPage:
    condition: Row
    table: EvidenceTable
    statements: list[Row]
    all_claims: list[Row]


@dataclass(frozen=True)
class StudyPage:
    study: Row
    citations: list[Row]  # {"style", "label", "html"}
    identifiers: list[Row]  # {"kind", "value", "url"}
    notices: list[Row]
    claims: list[Row]
    statements: list[Row]
    jsonld: dict[str, object]


@dataclass(frozen=True)
class Site:
    """The whole linked site, built before a single page is written (as Pelican does); study pages
    are made as they are rendered (``LazyPages``), from rows linked here."""

    articles: list[ArticlePage]
    treatments: list[TreatmentPage]  # interventions only: a comparator has no page of its own
    conditions: list[ConditionPage]
    studies: LazyPages[StudyPage]
    claims_json: list[Row]
    comparators: list[Row] = field(default_factory=list)  # what the interventions were compared with


def as_context(page: object) -> dict[str, object]:
    """A page dataclass as template variables (shallow: rows stay the same objects)."""
    return {f.name: getattr(page, f.name) for f in fields(page)}  # type: ignore[arg-type]


def _statement(s: Row, claim_by_id: dict[str, Row], links: list[Row], body: str, article: Row) -> None:
    """Add a statement's verdict labels, ids, links and evidence (in place)."""
    s["verdict"] = s["verdict"] or "unsupported"
    s["verdict_label"] = VERDICT_LABEL[str(s["verdict"])]
    s["verdict_icon"] = VERDICT_ICON[str(s["verdict"])]
    s["computed_label"] = VERDICT_LABEL.get(str(s.get("computed_verdict")), "")
    s["anchor_id"] = f"s-{safe_name(s['statement_id'])}"
    s["panel_id"] = f"ev-{safe_name(s['statement_id'])}"
    s["href"] = f"articles/{safe_name(s['slug'])}.html#{s['anchor_id']}"
    quote = str(s["quote"])
    s["quote_short"] = quote if len(quote) <= 160 else quote[:157].rsplit(" ", 1)[0] + "…"
    prefix = str(s.get("prefix") or "") if body.count(quote) > 1 else ""
    s["original_url"] = text_fragment_url(str(article.get("url") or ""), quote, prefix)
    evidence = []
    for link in links:
        c = claim_by_id.get(str(link["claim_id"]))
        if c is not None:
            evidence.append(Record(relation=link["relation"], note=link["note"], claim=c,
                                   relation_label=RELATION_LABEL.get(str(link["relation"]), str(link["relation"]))))
    evidence.sort(key=lambda e: (RELATION_ORDER.get(str(e["relation"]), 9), e["claim"]["evidence_level"] or 9,
                                 e["claim"]["claim_id"]))
    s["evidence"] = evidence
    shown = {str(e["claim"]["claim_id"]) for e in evidence}
    # the per-claim reason lines repeat the evidence list printed below them; keep the rest
    s["shown_reasons"] = [r for r in (s.get("reasons") or [])
                          if not ((m := _CLAIM_REASON.match(str(r))) and m.group(2) in shown)]


def _claim(c: Row, treatment_label: dict[str, str], condition_label: dict[str, str],
           notices: dict[str, list[Row]]) -> None:
    c["treatment_label"] = treatment_label.get(str(c["treatment"] or ""), "")
    c["condition_label"] = condition_label.get(str(c["condition"] or ""), "")
    c["comparator_label"] = treatment_label.get(str(c["comparator"] or ""),
                                                COMPARATOR_LABEL.get(str(c["comparator"] or ""), ""))
    c["design_label"] = design_label(c["design"])
    c["study_href"] = f"studies/{safe_name(c['citekey'])}.html"
    c["anchor_id"] = f"c-{safe_name(c['claim_id'])}"
    c["href"] = f"{c['study_href']}#{c['anchor_id']}"
    c["study_label"] = f"{c['first_author'] or c['citekey']} {c['year'] or ''}".strip()
    c["n_text"] = num(c["n"]) if c["n"] is not None else num(c["study_n"])
    c["outcome_label"] = str(c["outcome"] or "").replace("_", " ")
    c["follow_up_text"] = f"{num(c['follow_up_months'])} mo" if c["follow_up_months"] is not None else ""
    c["number_text"] = claim_number(c)
    c["notices"] = [n["label"] for n in notices.get(str(c["citekey"]), []) if not n["is_notice"]]
    status = str(c.get("quote_status") or "")  # from quote_checks: where the quote stands in the source text
    c["quote_check"] = Record(status=status, text=str(c.get("quote_description") or "not checked"),
                              css={"exact": "ok", "normalised": "ok", "near": "warn", "not_found": "bad"}.get(status, "muted"))
    c["statements"] = []


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _range(low: object, high: object, unit: str = "") -> str:
    if low is None and high is None:
        return "—"
    text = num(low) if num(low) == num(high) else f"{num(low)}–{num(high)}"
    return f"{text}{unit}"


def treatment_summary_text(summary: Row, condition_label: Mapping[str, str]) -> Row:
    """The canned query's row for one intervention, with its values as the page prints them."""
    split = lambda v: [x.strip() for x in str(v or "").split(",") if x.strip()]  # noqa: E731
    return Record(
        summary,
        design_labels=", ".join(design_label(d) for d in split(summary.get("designs"))),
        condition_labels=", ".join(condition_label.get(s, s.replace("_", " "))
                                   for s in split(summary.get("conditions"))) or "—",
        participants_text=num(summary.get("participants")) or "not reported",
        efficacy_text=_range(summary.get("efficacy_min_pct"), summary.get("efficacy_max_pct"), "%"),
        downtime_text=_range(summary.get("downtime_min_days"), summary.get("downtime_max_days"), " days"),
        sessions_text=_range(summary.get("sessions_min"), summary.get("sessions_max")))


def article_body(article: Row, statements: list[Row]) -> list[Block]:
    """The article's blocks under the page's own title: a leading title heading is dropped, the rest demoted."""
    blocks = article_blocks(str(article["body"]), statements)
    if blocks and blocks[0].kind == "h1" and not blocks[0].statements and \
            "".join(seg.text for seg in blocks[0].segments).strip() == str(article["title"]).strip():
        blocks = blocks[1:]
    demote = {"h1": "h2", "h2": "h3", "h3": "h4"}
    return [replace(b, kind=demote.get(b.kind, b.kind)) for b in blocks]


def _statements_of(claims: list[Row]) -> list[Row]:
    """The statements resting on these claims, once each, in article order, with their relations."""
    found: dict[tuple[str, int], Row] = {}
    for c in claims:
        for s in c["statements"]:  # type: ignore[union-attr]
            key = (str(s["slug"]), int(s["number"]))
            entry = found.setdefault(key, Record(s, relations=[]))
            if s["relation_label"] not in entry["relations"]:
                entry["relations"].append(s["relation_label"])
    for entry in found.values():
        entry["relations"].sort(key=lambda r: RELATION_ORDER.get(_RELATION_KEY.get(r, r), 9))
    return [found[k] for k in sorted(found)]


def build_site(data: SiteData, formatted: Mapping[str, Formatted], base: str, site_title: str,
               treatment_summary: Mapping[str, Row]) -> Site:
    """Link everything and build every page context."""
    notices = notices_by_study(data.metadata)
    treatment_label = {str(t["id"]): str(t["label"]) for t in data.treatments}
    condition_label = {str(t["id"]): str(t["label"]) for t in data.conditions}
    claim_by_id = {str(c["claim_id"]): c for c in data.claims}
    for c in data.claims:
        _claim(c, treatment_label, condition_label, notices)
    study_keys = data.study_keys if data.study_keys is not None else {str(s["citekey"]) for s in data.studies}
    wanted = data.selection  # a page not selected is not built (its rows may not all have been read)
    bib_by_key = {str(b["citekey"]): b for b in data.bibliography}
    for b in data.bibliography:
        b["href"] = f"studies/{safe_name(b['citekey'])}.html" if b["citekey"] in study_keys else ""
    links_by_statement = group(data.links, "statement_id")
    articles = {str(a["slug"]): a for a in data.articles}
    for s in data.statements:
        article = articles.get(str(s["slug"]), {})
        links = [lk for lk in links_by_statement.get(s["statement_id"], []) if lk["slug"] == s["slug"]]
        _statement(s, claim_by_id, links, str(article.get("body") or ""), article)
        for e in s["evidence"]:  # type: ignore[union-attr]
            e["claim"]["statements"].append(Record(  # without its evidence: a claim's page shows the statement,
                {k: v for k, v in s.items() if k not in _EVIDENCE},  # not the other claims behind it
                relation=e["relation"], relation_label=e["relation_label"]))

    article_pages = []
    statements_by_article = group(data.statements, "slug")
    refs_by_article, problems_by_article = group(data.references, "slug"), group(data.problems, "slug")
    uncovered_by_article = group(data.uncovered, "slug")
    for a in data.articles:
        if wanted.articles is not None and a["slug"] not in wanted.articles:
            continue
        sts = statements_by_article.get(a["slug"], [])
        a["href"] = f"articles/{safe_name(a['slug'])}.html"
        a["counts"] = {k: sum(1 for s in sts if s["verdict"] == k) for k in VERDICT_LABEL}
        a["count_items"] = [{"key": k, "label": VERDICT_LABEL[k], "icon": VERDICT_ICON[k], "n": a["counts"][k]}
                            for k in VERDICT_LABEL]
        refs = refs_by_article.get(a["slug"], [])
        for r in refs:
            r["anchor_id"] = f"ref-{r['number']}"
            rec = bib_by_key.get(str(r["matched_citekey"] or ""))
            r["study_href"] = rec["href"] if rec else ""
            r["ama"] = formatted[str(rec["citekey"])].html["ama"] if rec and rec["citekey"] in formatted else ""
            r["identifiers"] = [{"kind": k, "value": v, "url": u} for k, v, u in identifier_links(rec)] if rec else []
            r["defect_items"] = [{"code": code, "message": msg} for code, msg in
                                 zip(r.get("defects") or [], r.get("defect_messages") or [])]
            r["notices"] = notices.get(str(r["matched_citekey"] or ""), [])
        cited = [{**bib_by_key[str(r["matched_citekey"])],
                  "href": bib_by_key[str(r["matched_citekey"])]["href"] or f"{a['href']}#{r['anchor_id']}"}
                 for r in refs if r["matched_citekey"] in bib_by_key]
        article_pages.append(ArticlePage(
            a, article_body(a, sts), sts, [s for s in sts if s.get("blocking")], refs,
            problems_by_article.get(a["slug"], []), uncovered_by_article.get(a["slug"], []),
            article_graph(a, sts, cited, f"{base}{a['href']}", base, site_title)))

    claims_by_treatment = group(data.claims, "treatment")
    statements_by_claim = {str(c["claim_id"]): list(c["statements"]) for c in data.claims}  # type: ignore[arg-type]
    treatment_pages = []
    for t in [t for t in data.treatments if t["kind"] != "comparator"
              and (wanted.treatments is None or t["id"] in wanted.treatments)]:
        t["href"] = f"treatments/{safe_name(t['id'])}.html"
        t["parent_label"] = treatment_label.get(str(t["parent"] or ""), "")
        t["parent_href"] = f"treatments/{safe_name(t['parent'])}.html" if t["parent"] in treatment_label else ""
        claims = sorted(claims_by_treatment.get(t["id"], []), key=lambda c: (c["evidence_level"] or 9, c["claim_id"]))
        total = len(claims) if data.claim_counts is None else data.claim_counts.get(("treatment", str(t["id"])), 0)
        t["findings_text"] = plural(total, "finding")
        summary = treatment_summary.get(str(t["id"]))
        if summary is not None:
            summary = treatment_summary_text(summary, condition_label)
        table = evidence_table(claims, f"{safe_name(t['id'])}.csv", total)
        treatment_pages.append(TreatmentPage(t, table, summary, forest_plots(table.claims, f"plot-{safe_name(t['id'])}"),
                                             _statements_of(claims), claims,
                                             summary_of_findings(str(t["id"]), data.certainty, data.pooled,
                                                                 statements_by_claim, treatment_label),
                                             pooled_plots(str(t["id"]), data.pooled, f"plot-{safe_name(t['id'])}")))

    claims_by_condition = group(data.claims, "condition")
    condition_pages = []
    for st in [c for c in data.conditions if wanted.conditions is None or c["id"] in wanted.conditions]:
        st["href"] = f"conditions/{safe_name(st['id'])}.html"
        claims = claims_by_condition.get(st["id"], [])
        total = len(claims) if data.claim_counts is None else data.claim_counts.get(("condition", str(st["id"])), 0)
        st["findings_text"] = plural(total, "finding")
        condition_pages.append(ConditionPage(st, evidence_table(claims, f"{safe_name(st['id'])}.csv", total),
                                             _statements_of(claims), claims))

    claims_by_study = group(data.claims, "citekey")
    for s in data.studies:
        s["href"] = f"studies/{safe_name(s['citekey'])}.html"
        s["label"] = f"{s['first_author'] or s['citekey']} {s['year'] or ''}".strip()
        s["design_label"] = design_label(s["design"])

    def study_page(s: Row) -> StudyPage:
        f = formatted.get(str(s["citekey"]))
        citations = [{"style": k, "label": STYLE_LABELS[k], "html": f.html[k]} for k in STYLE_LABELS] if f else []
        claims = claims_by_study.get(s["citekey"], [])
        statements = _statements_of(claims)
        return StudyPage(
            s, citations, [{"kind": k, "value": v, "url": u} for k, v, u in identifier_links(s)],
            notices.get(str(s["citekey"]), []), claims, statements,
            study_graph(s, f"{base}{s['href']}", statements, base))
    study_pages = LazyPages(data.studies, study_page)

    claims_json = [{
        "article": s["slug"], "id": s["statement_id"], "quote": s["quote"], "verdict": s["verdict"],
        "computed_verdict": s.get("computed_verdict"), "strength": s["strength"], "reasons": s["reasons"],
        "url": f"{base}{s['href']}", "original_url": s["original_url"] or None,
        "evidence": [{"claim": e["claim"]["claim_id"], "relation": e["relation"], "study": e["claim"]["citekey"],
                      "design": e["claim"]["design"], "summary": e["claim"]["summary"],
                      "number": e["claim"]["number_text"] or None, "quote": e["claim"]["quote"],
                      "locator": e["claim"]["locator"], "url": f"{base}{e['claim']['href']}"}
                     for e in s["evidence"]]}  # type: ignore[union-attr]
        for s in data.statements] if wanted.all_statements else []
    comparators = [t for t in data.treatments if t["kind"] == "comparator"]
    compared = group(data.claims, "comparator")
    for t in comparators:  # listed apart, with how many findings compare an intervention with them
        t["findings_text"] = plural(len(compared.get(t["id"], [])), "comparison")
    return Site(article_pages, treatment_pages, condition_pages, study_pages, claims_json, comparators)
