"""Merge the curation helpers' folders into the workspace files (run once per curation round).

Each topic folder holds library.bib, studies.csv, claims.csv and links.csv; the article
folder also holds the article and its statements. Rows are concatenated in topic order.
"""

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ["article", "epidemiology", "ablative", "nafl_microneedling", "other_treatments"]


def rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        data = list(csv.reader(fh))
    return data[0], [r for r in data[1:] if any(c.strip() for c in r)]


def merge(name: str, target: Path) -> None:
    header, out, seen = None, [], set()
    for topic in TOPICS:
        path = ROOT / "curation" / topic / name
        if not path.is_file():
            continue
        h, rs = rows(path)
        if header is None:
            header = h
        if h != header:
            sys.exit(f"{path}: header differs from the first file's")
        for r in rs:
            key = tuple(r[:2]) if name == "links.csv" else r[0]
            if key in seen:
                print(f"skip duplicate {key} from {topic}")
                continue
            seen.add(key)
            out.append(r)
    with target.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(out)
    print(f"{target.relative_to(ROOT)}: {len(out)} rows")


merge("studies.csv", ROOT / "references/studies.csv")
merge("claims.csv", ROOT / "references/claims.csv")
merge("links.csv", ROOT / "articles/acne-scars.links.csv")
entries, keys = [], set()
for t in TOPICS:
    path = ROOT / "curation" / t / "library.bib"
    if not path.is_file():
        continue
    for chunk in re.split(r"\n(?=@)", "\n" + path.read_text(encoding="utf-8")):
        m = re.match(r"@\w+\{([^,]+),", chunk.strip())
        if not m:
            continue
        if m.group(1) in keys:
            print(f"skip duplicate bib entry {m.group(1)} from {t}")
            continue
        keys.add(m.group(1))
        entries.append(chunk.strip() + "\n")
(ROOT / "references/library.bib").write_text("\n".join(entries), encoding="utf-8")
for name in ("acne-scars.md", "acne-scars.statements.csv"):
    (ROOT / "articles" / name).write_text((ROOT / "curation/article" / name).read_text(encoding="utf-8"), encoding="utf-8")
