"""Render stage, notices: retractions, corrections and expressions of concern per study.

They come from the ``metadata`` table (filled by the resolve stage, one row per source and
identifier); the same notice reported by several sources is shown once, naming them all.
"""

from __future__ import annotations

import json

from .labels import NOTICE_LABEL

Row = dict[str, object]
RETRACTING = ("retraction", "partial_retraction", "withdrawal", "removal")


def _retracts(n: object) -> bool:
    """A retraction (or withdrawal...) of the work itself, not a record that is itself a notice."""
    return isinstance(n, dict) and str(n.get("type")) in RETRACTING and n.get("relation") != "is-notice"


def notices_by_study(metadata: list[Row]) -> dict[str, list[Row]]:
    """Retractions, corrections and concerns per citekey, merged over the sources that reported them."""
    merged: dict[str, dict[tuple[str, str], Row]] = {}
    for m in metadata:
        try:
            raw = json.loads(str(m["notices"])) if m.get("notices") else []
        except ValueError:
            raw = []
        if m.get("retracted") and not any(_retracts(n) for n in raw):
            raw = [*raw, {"type": "retraction", "label": "reported as retracted", "date": None}]
        for n in raw:
            if not isinstance(n, dict) or not n.get("type"):
                continue
            kind = str(n["type"])
            key = (kind, str(n.get("doi") or n.get("pmid") or n.get("label") or ""))
            entry = merged.setdefault(str(m["citekey"]), {}).setdefault(key, {
                "type": kind, "label": NOTICE_LABEL.get(kind, kind.replace("_", " ").capitalize()),
                "retraction": _retracts(n),
                "is_notice": n.get("relation") == "is-notice", "date": n.get("date") or "", "note": n.get("label") or "",
                "url": f"https://doi.org/{n['doi']}" if n.get("doi") else
                f"https://pubmed.ncbi.nlm.nih.gov/{n['pmid']}/" if n.get("pmid") else "",
                "sources": [], "checked": ""})
            for source in [*(n.get("sources") or []), n.get("source") or m.get("source")]:
                if source and str(source) not in entry["sources"]:
                    entry["sources"].append(str(source))  # type: ignore[union-attr]
            entry["checked"] = max(str(entry["checked"]), str(m.get("fetched_at") or "")[:10])
    return {k: sorted(v.values(), key=lambda e: (not e["retraction"], str(e["date"]), str(e["type"])))
            for k, v in sorted(merged.items())}
