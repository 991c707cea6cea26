"""The library going out: BibTeX, CSL-JSON and RIS for reference managers.

The readers of those formats (and of PubMed MEDLINE) live in :mod:`evidence.read`; an
export read back gives the same identifiers and years (a test holds this).
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from ..read.candidate import Candidate
from ..read.csljson import CSL_TYPES
from .entries import format_entry
from .library import Ref


def candidate_of(ref: Ref) -> Candidate:
    f = ref.fields
    return Candidate(f"{ref.file}:{ref.line}", str(f.get("entry_type") or "article"), f.get("title"),
                     tuple(f.get("authors") or ()), f.get("journal"), f.get("year"), f.get("volume"), f.get("issue"),
                     f.get("pages"), f.get("doi"), f.get("pmid"), f.get("pmcid"), f.get("url"))


def to_bibtex(refs: Sequence[Ref]) -> str:
    return "\n".join(format_entry(r.citekey, candidate_of(r)) for r in refs)


def _split_name(name: str) -> dict[str, str]:
    if "," in name:
        fam, given = name.split(",", 1)
        return {"family": fam.strip(), "given": given.strip()} if given.strip() else {"family": fam.strip()}
    return {"literal": name}


def to_csljson(refs: Sequence[Ref]) -> str:
    types = {v: k for k, v in CSL_TYPES.items() if k != "article"}
    items = []
    for ref in refs:
        c = candidate_of(ref)
        item: dict[str, Any] = {"id": ref.citekey, "type": types.get(c.entry_type, "article-journal"), "title": c.title}
        if c.authors:
            item["author"] = [_split_name(a) for a in c.authors]
        for key, value in (("container-title", c.journal), ("volume", c.volume), ("issue", c.issue),
                           ("page", (c.pages or "").replace("–", "-") or None), ("DOI", c.doi), ("PMID", c.pmid),
                           ("PMCID", c.pmcid), ("URL", c.url)):
            if value:
                item[key] = value
        if c.year:
            item["issued"] = {"date-parts": [[int(c.year)]]}
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def to_ris(refs: Sequence[Ref]) -> str:
    types = {"article": "JOUR", "inproceedings": "CPAPER", "book": "BOOK", "incollection": "CHAP",
             "phdthesis": "THES", "techreport": "RPRT"}
    lines: list[str] = []
    for ref in refs:
        c = candidate_of(ref)
        lines.append(f"TY  - {types.get(c.entry_type, 'GEN')}")
        lines.append(f"ID  - {ref.citekey}")
        if c.title:
            lines.append(f"TI  - {c.title}")
        lines += [f"AU  - {a}" for a in c.authors]
        start, _, end = (c.pages or "").replace("–", "-").partition("-")
        for tag, value in (("JO", c.journal), ("PY", c.year), ("VL", c.volume), ("IS", c.issue), ("SP", start),
                           ("EP", end), ("DO", c.doi), ("UR", c.url)):
            if value:
                lines.append(f"{tag}  - {value}")
        if c.pmid:
            lines.append(f"AN  - {c.pmid}")
            lines.append(f"U1  - {c.pmid}[pmid]")
        if c.pmcid:
            lines.append(f"U2  - {c.pmcid}[pmcid]")
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)
