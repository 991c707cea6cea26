"""Synthetic workspace generator for benchmarks: any number of studies, claims, articles, statements.

The data is obviously synthetic (titles say so, identifiers are absent) and is never shipped;
it only gives the pipeline realistic shapes and sizes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import pandas as pd

from evidence import pipeline
from evidence.read.tables import CLAIMS, DESIGNS, STUDIES
from evidence.workspace import Settings, load_settings

STARTER = Path(pipeline.__file__).parent / "starter"
TREATMENTS = [f"intervention_{i}" for i in range(9)]  # synthetic vocabularies, written by generate()
CONDITIONS = [f"condition_{i}" for i in range(6)]
RELATIONS = ["supports", "supports", "partly", "contradicts", "context"]


def generate(root: Path, studies: int, claims: int, articles: int, statements: int, seed: int = 7) -> Settings:
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(STARTER, root)
    (root / "articles").mkdir(exist_ok=True)
    with (root / "references" / "interventions.csv").open("a", encoding="utf-8") as fh:
        fh.writelines(f"{t},Synthetic intervention {i},intervention,,,\n" for i, t in enumerate(TREATMENTS))
    (root / "references" / "conditions.csv").write_text(
        "id,label,parent,synonyms,description\n" + "".join(f"{c},Synthetic condition {i},,,\n" for i, c in enumerate(CONDITIONS)),
        encoding="utf-8")
    keys = [f"synthetic{i:06d}study" for i in range(studies)]
    bib = "".join(
        f"@article{{{k},\n  author = {{Author, A{i} and Writer, B}},\n  title = {{Synthetic study {i} of an intervention}},\n"
        f"  journal = {{Journal of Synthetic Dermatology}},\n  year = {{{2000 + i % 25}}},\n  volume = {{{i % 40 + 1}}},\n"
        f"  pages = {{{i % 300 + 1}--{i % 300 + 9}}}\n}}\n\n" for i, k in enumerate(keys))
    (root / "references" / "library.bib").write_text(bib, encoding="utf-8")
    pd.DataFrame({
        "citekey": keys, "design": [rng.choice(DESIGNS) for _ in keys], "n": [rng.randint(10, 500) for _ in keys],
        "studies_included": "", "population": "synthetic adults", "skin_types": "", "follow_up_months": 6,
        "funding": "", "source_url": "https://example.org/synthetic", "status": "unverified", "notes": "synthetic",
    }).reindex(columns=STUDIES.names).to_csv(root / "references" / "studies.csv", index=False)
    claim_keys = [keys[i % studies] for i in range(claims)]
    values = [round(rng.uniform(10, 90), 1) for _ in range(claims)]
    pd.DataFrame({
        "claim_id": [f"{k}-{i}" for i, k in enumerate(claim_keys)], "citekey": claim_keys,
        "treatment": [rng.choice(TREATMENTS) for _ in range(claims)], "comparator": "baseline",
        "condition": [rng.choice(CONDITIONS) for _ in range(claims)], "outcome": "efficacy",
        "measure": "physician-rated improvement", "value": values, "low": "", "high": "", "unit": "percent",
        "interval": "", "n": [rng.randint(10, 200) for _ in range(claims)],
        "sessions": [rng.randint(1, 6) for _ in range(claims)], "downtime_days": [rng.randint(0, 14) for _ in range(claims)],
        "direction": "favours_treatment", "events_treatment": "", "total_treatment": "", "events_comparator": "",
        "total_comparator": "", "quote": "Synthetic quote.", "locator": "Abstract", "source_url": "", "status": "unverified",
        "summary": "Synthetic finding.",
    }).reindex(columns=CLAIMS.names).to_csv(root / "references" / "claims.csv", index=False)
    claim_ids = [f"{k}-{i}" for i, k in enumerate(claim_keys)]
    for a in range(articles):
        sentences = [f"Treatment {j} improved symptoms by about {rng.randint(10, 90)} percent in article {a}." for j in range(statements)]
        body = f"# Synthetic article {a}\n\n" + "\n\n".join(" ".join(sentences[j:j + 3]) for j in range(0, statements, 3)) + "\n\n"
        (root / "articles" / f"synthetic-{a}.md").write_text(
            f"---\nslug: synthetic-{a}\ntitle: Synthetic article {a}\noutlet: Bench\npublished: 2024\n---\n{body}", encoding="utf-8")
        pd.DataFrame({"statement_id": [f"S{j:04d}" for j in range(statements)], "quote": sentences, "kind": "number",
                      "asserts": "", "cites": "", "prefix": "", "override_verdict": "", "override_reason": "", "note": ""}
                     ).to_csv(root / "articles" / f"synthetic-{a}.statements.csv", index=False)
        rows = [(f"S{j:04d}", rng.choice(claim_ids), rng.choice(RELATIONS), "") for j in range(statements) for _ in range(2)]
        pd.DataFrame(rows, columns=["statement_id", "claim_id", "relation", "note"]).drop_duplicates(
            ["statement_id", "claim_id"]).to_csv(root / "articles" / f"synthetic-{a}.links.csv", index=False)
    return load_settings(root)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("root", type=Path)
    ap.add_argument("--studies", type=int, default=1000)
    ap.add_argument("--claims", type=int, default=10000)
    ap.add_argument("--articles", type=int, default=10)
    ap.add_argument("--statements", type=int, default=40)
    args = ap.parse_args()
    generate(args.root, args.studies, args.claims, args.articles, args.statements)
    print(f"wrote {args.root}")


if __name__ == "__main__":
    main()
