"""The ``metadata`` table of the database, from the cache alone (no network, ever).

One row per (reference, source answer): the identifier asked, the source, the citekey it
belongs to, when it was fetched, found / not_found / failed, the raw response (JSON text:
the response itself for JSON services, a JSON string holding the XML for PubMed), whether
that source says the work is retracted, its notices and the mismatches it shows against the
library record. The columns are exactly those of ``metadata`` in ``load/schema.sql``.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from .cache import Cache, cache_dir
from .library import load, refs_of
from .runner import known_answers
from .verify import compare

COLUMNS = ["identifier", "source", "citekey", "fetched_at", "status", "raw", "retracted", "notices", "mismatches"]


def metadata_frame(settings: Any, bibliography: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows for every reference of the library that the cache holds answers for.

    The build passes the bibliography it has read, so the library is parsed once per build.
    """
    if bibliography is not None:
        # only a record with a DOI, PMID or PMCID can have answers: skip converting the rest
        has_id = bibliography[["doi", "pmid", "pmcid"]].notna().any(axis=1)
        refs = refs_of(bibliography[has_id])
    else:
        refs = load(settings)[0]
    answers = known_answers(refs, Cache(cache_dir(settings)))
    rows = []
    for ref in refs:
        for (source, ident), fetched in sorted(answers.get(ref.citekey, {}).items(),
                                               key=lambda kv: (kv[0][0], kv[0][1].key)):
            work = fetched.work if fetched.status == "found" else None
            mismatches = compare(ref, [work])[0] if work and work.source in ("crossref", "pubmed", "europepmc") else []
            rows.append({
                "identifier": ident.key, "source": source, "citekey": ref.citekey, "fetched_at": fetched.fetched_at,
                "status": fetched.status, "raw": json.dumps(fetched.raw, ensure_ascii=False),
                "retracted": bool(work.retracted) if work else False,
                "notices": json.dumps([n.as_dict() for n in work.notices] if work else [], ensure_ascii=False),
                "mismatches": json.dumps([m.as_dict() for m in mismatches], ensure_ascii=False, default=str),
            })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["retracted"] = frame["retracted"].astype(bool)
    return frame
