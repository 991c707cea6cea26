"""`evidence article add`: Markdown, plain text and saved HTML become an article whose
statements anchor exactly and build; dry runs write nothing; existing articles are never replaced."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from evidence import pipeline
from evidence.read.articles import read_article
from evidence.read.statements import read_statements
from evidence.workflow.sentences import clauses, sentences
from evidence.workflow.statement_kinds import assess, quantities

from .conftest import SHARED, missing_recording

# Written for these tests, not a real article: its sentences exercise the splitter and the
# statement kinds, and its numbers are not evidence of anything.
DRAFT_MD = """---
title: Do retinoids smooth wrinkles?
outlet: Test Outlet
---
# Do retinoids smooth wrinkles?

Retinoids, e.g. tretinoin and retinol, are derivatives of vitamin A. Dr. Lee says tretinoin
is the **most studied** cream for photoaged skin vs. a plain moisturizer.

A 2019 study of 120 people found that wrinkles improved in more than 60 percent of them.
Most patients see results within about 12 weeks, but irritation is common in the first month.

## How to use them

* Use a [pea-sized](https://example.org/dose) amount at night.
* “It stings at first,” says Dr. Lee; peeling can last up to two weeks.
* I love the gel version.

What should you expect?

## References

1. Kang S, et al. A test reference. 2005.
"""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _anchors_exactly(ws, slug: str) -> list:
    md = ws.articles_dir / f"{slug}.md"
    article, problems = read_article(md, f"articles/{slug}.md")
    assert article is not None and not [p for p in problems if p.severity == "error"]
    statements, problems = read_statements(ws.articles_dir / f"{slug}.statements.csv", "st", article)
    assert problems == []
    assert all(s.anchor == "exact" for s in statements)
    return statements


def test_markdown_draft_becomes_an_article_with_statements(ws, cli, tmp_path):
    draft = tmp_path / "retinoids.md"
    draft.write_text(DRAFT_MD, encoding="utf-8")
    result = cli(ws, "article", "add", str(draft), "--published", "2024-05-01")
    assert result.exit_code == 0, result.output
    md = (ws.articles_dir / "do-retinoids-smooth-wrinkles.md").read_text(encoding="utf-8")
    assert md.startswith("---\nslug: do-retinoids-smooth-wrinkles\ntitle: Do retinoids smooth wrinkles?\n"
                         "outlet: Test Outlet\npublished: '2024-05-01'\n")
    assert "**" not in md and "](" not in md and "- Use a pea-sized amount at night." in md  # inline Markdown reduced
    assert "Dr. Lee says tretinoin is the most studied" in md  # wrapped line joined
    assert "## References\n\n1. Kang S, et al. A test reference. 2005.\n" in md
    rows = _rows(ws.articles_dir / "do-retinoids-smooth-wrinkles.statements.csv")
    by_quote = {r["quote"]: r for r in rows}
    # "e.g.", "Dr." and "vs." do not end sentences; "vitamin A." before "Dr." does
    assert by_quote["Retinoids, e.g. tretinoin and retinol, are derivatives of vitamin A."]["kind"] == "definition"
    sup = by_quote["Dr. Lee says tretinoin is the most studied cream for photoaged skin vs. a plain moisturizer."]
    assert sup["kind"] == "superlative"
    att = by_quote["A 2019 study of 120 people found that wrinkles improved in more than 60 percent of them."]
    assert (att["kind"], att["asserts"]) == ("attribution", ">60 percent")
    assert "year 2019" in att["note"] and "120 participants" in att["note"]
    # two checkable clauses of one sentence are two statements
    assert by_quote["Most patients see results within about 12 weeks"]["asserts"] == "~12 weeks"
    assert by_quote["but irritation is common in the first month."]["kind"] == "claim"
    # list items, each on its own; curly quotes kept as written
    assert by_quote["Use a pea-sized amount at night."]["kind"] == "advice"
    assert by_quote["I love the gel version."]["kind"] == "opinion"
    assert any(q.startswith("“It stings at first,” says Dr. Lee") for q in by_quote)
    # headings and questions are not statements
    assert not any(q.startswith(("How to use", "What should", "Do retinoids")) for q in by_quote)
    assert [r["statement_id"] for r in rows] == [f"S{i:02d}" for i in range(1, len(rows) + 1)]
    statements = _anchors_exactly(ws, "do-retinoids-smooth-wrinkles")
    assert len(statements) == len(rows)
    # the workspace still reads, validates and checks with the new article in it
    checked = pipeline.check(ws, "do-retinoids-smooth-wrinkles")
    assert checked.reports[0].counts()["unsupported"] > 0
    assert (ws.articles_dir / "do-retinoids-smooth-wrinkles.links.csv").read_text() == \
        "statement_id,claim_id,relation,note\n"
    assert "registered" in result.output and "S01" in result.output


def test_plain_text_article_from_the_seed(ws, cli):
    seed = SHARED / "seed" / "acne-scars-article.txt"
    if not seed.is_file():
        missing_recording(f"the real article text is not at {seed}")
    result = cli(ws, "article", "add", str(seed), "--slug", "seed", "--title",
                 "How To Treat and Remove Acne Scars For Best Results", "--outlet", "Well+Good")
    assert result.exit_code == 0, result.output
    article, _ = read_article(ws.articles_dir / "seed.md", "articles/seed.md")
    assert article is not None and len(article.references) == 4  # the numbered list at the end, no heading
    assert article.references[0].text.startswith("Mony, Manjula P, et al.")
    rows = {r["quote"]: r for r in _rows(ws.articles_dir / "seed.statements.csv")}
    attribution = next(r for q, r in rows.items() if q.startswith("A 2023 study published in Clinical"))
    assert attribution["kind"] == "attribution" and "year 2023" in attribution["note"]
    most = "The most common type of ablative laser that our experts recommend for acne scars is carbon dioxide (CO2)"
    assert rows[most + " laser therapy."]["kind"] == "superlative"
    assert any(q.startswith("The most common treatments for both atrophic") and q.endswith("ablative vs. non-ablative, says Dr. Chang.")
               for q in rows)  # "vs." inside the sentence did not end it
    assert "## What are acne scars?" in (ws.articles_dir / "seed.md").read_text(encoding="utf-8")
    _anchors_exactly(ws, "seed")


def test_plain_text_headings_and_bullets(ws, cli, tmp_path):
    # Written for this test, not a real article.
    draft = tmp_path / "sleep.txt"
    draft.write_text("Sleep and blood pressure\n\nShort sleep is linked to higher blood pressure in adults.\n\n"
                     "What to do\n\n- Keep a regular bedtime.\n- Caffeine late in the day can delay sleep.\n",
                     encoding="utf-8")
    result = cli(ws, "article", "add", str(draft))
    assert result.exit_code == 0, result.output
    md = (ws.articles_dir / "sleep-and-blood-pressure.md").read_text(encoding="utf-8")
    assert "# Sleep and blood pressure\n\n" in md and "## What to do\n\n- Keep a regular bedtime.\n- Caffeine" in md
    kinds = {r["quote"]: r["kind"] for r in _rows(ws.articles_dir / "sleep-and-blood-pressure.statements.csv")}
    assert kinds == {"Short sleep is linked to higher blood pressure in adults.": "claim",
                     "Keep a regular bedtime.": "advice", "Caffeine late in the day can delay sleep.": "claim"}


# Written for this test (a saved page's shape, not a real page): menus and footers must be dropped.
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Sunscreen and skin cancer | Test Health</title><meta property="og:site_name" content="Test Health">
<link rel="canonical" href="https://health.example.org/sunscreen"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">Most read stories</a></li></ul></nav>
<article><h1>Does sunscreen prevent skin cancer?</h1>
<p>A 1999 trial of 1,621 adults found that daily sunscreen users had fewer skin cancers, e.g. on the face.</p>
<h2>What the research says</h2>
<p>According to Dr. Green, the effect lasted for years. Broad-spectrum sunscreen is the most effective protection
vs. sunburn when it is reapplied.</p>
<ul><li>Apply sunscreen before going outside.</li><li>Sweat and water can remove sunscreen within two hours.</li></ul>
<p>We think it&#8217;s worth the effort.</p></article>
<footer><p>Test Health. All rights reserved, the best of health.</p></footer></body></html>"""


def test_saved_html_page(ws, cli, tmp_path):
    page = tmp_path / "sunscreen.html"
    page.write_text(PAGE, encoding="utf-8")
    result = cli(ws, "article", "add", str(page))
    assert result.exit_code == 0, result.output
    md = (ws.articles_dir / "does-sunscreen-prevent-skin-cancer.md").read_text(encoding="utf-8")
    assert "outlet: Test Health\nurl: https://health.example.org/sunscreen\n" in md
    assert "## What the research says" in md and "- Apply sunscreen before going outside." in md
    assert "Home" not in md and "rights reserved" not in md  # boilerplate dropped
    kinds = {r["quote"]: r["kind"] for r in _rows(ws.articles_dir / "does-sunscreen-prevent-skin-cancer.statements.csv")}
    assert kinds["A 1999 trial of 1,621 adults found that daily sunscreen users had fewer skin cancers, e.g. on the face."] \
        == "attribution"
    assert kinds["Broad-spectrum sunscreen is the most effective protection vs. sunburn when it is reapplied."] \
        == "superlative"
    assert kinds["We think it’s worth the effort."] == "opinion"
    assert kinds["Apply sunscreen before going outside."] == "advice"
    _anchors_exactly(ws, "does-sunscreen-prevent-skin-cancer")


def test_dry_run_writes_nothing(ws, cli, tmp_path):
    draft = tmp_path / "retinoids.md"
    draft.write_text(DRAFT_MD, encoding="utf-8")
    before = _files(ws.root)
    result = cli(ws, "article", "add", str(draft), "--dry-run")
    assert result.exit_code == 0
    assert "would register" in result.output and "nothing was written" in result.output
    assert "S01" in result.output
    assert _files(ws.root) == before


def test_refuses_to_overwrite_an_existing_article(ws, cli, tmp_path):
    draft = tmp_path / "example.md"
    draft.write_text(DRAFT_MD, encoding="utf-8")
    before = _files(ws.root)
    result = cli(ws, "article", "add", str(draft), "--slug", "example")
    assert result.exit_code == 2
    assert "[article-exists] articles/example.md already exists" in result.output
    assert "nothing was written" in result.output
    assert _files(ws.root) == before


@pytest.mark.parametrize("name, text, args, code", [
    ("notes.docx", "x", (), "unknown-format"),
    ("empty.md", "---\ntitle: T\n---\n\n", (), "empty-article"),
    ("ok.md", DRAFT_MD, ("--slug", "Bad Slug"), "bad-slug"),
    ("ok.md", DRAFT_MD, ("--published", "May 2024"), "bad-date"),
])
def test_bad_input_is_a_problem_and_writes_nothing(ws, cli, tmp_path, name, text, args, code):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    before = _files(ws.root)
    result = cli(ws, "article", "add", str(path), *args)
    assert result.exit_code == 2 and f"[{code}]" in result.output
    assert "Traceback" not in result.output
    assert _files(ws.root) == before


def test_sentences_skip_headings_and_split_bullets_alone():
    body = "# Title\n\nFirst one, e.g. this. Dr. Ng agrees vs. others. Take vitamin D. It helps.\n\n- A bullet. Two."
    found = [(s.text, s.block) for s in sentences(body)]
    assert found == [("First one, e.g. this.", "paragraph"), ("Dr. Ng agrees vs. others.", "paragraph"),
                     ("Take vitamin D.", "paragraph"), ("It helps.", "paragraph"),
                     ("A bullet.", "bullet"), ("Two.", "bullet")]
    assert all(body[s.start:s.end] == s.text for s in sentences(body))


def test_clauses_cut_only_between_long_enough_sides():
    (s,) = sentences("Lasers reduce scar depth in most trials, but they often cause redness for a week.")
    assert [c.text for c in clauses(s)] == ["Lasers reduce scar depth in most trials",
                                            "but they often cause redness for a week."]
    (short,) = sentences("It works, but slowly.")
    assert clauses(short) == [short]


@pytest.mark.parametrize("text, kind, asserts", [
    ("Studies show that retinol boosts collagen.", "attribution", None),
    ("A 2007 meta-analysis of over 100 studies found a benefit.", "attribution", None),
    ("In a 12-week trial, more than 80 percent of participants improved.", "attribution", ">80 percent"),
    ("Results take 3 to 6 months.", "number", "3-6 months"),
    ("Downtime is about two weeks.", "number", "~2 weeks"),
    ("Fillers last up to a year.", "number", "<=1 years"),
    ("This is the best treatment for rolling scars.", "superlative", None),
    ("Acne affects the majority of us at some point.", "number", ">50 percent"),
    ("Don’t pick at your pimples.", "advice", None),
    ("You should see a dermatologist first.", "advice", None),
    ("In my opinion, peels are overrated.", "opinion", None),
    ("Hyperpigmentation refers to flat brown or red marks.", "definition", None),
    ("Picking can cause scars.", "claim", None),
    ("Use it twice a week.", "advice", None),
    ("What are acne scars?", None, None),
    ("Ahead, we spoke to three dermatologists.", None, None),
])
def test_statement_kinds(text, kind, asserts):
    a = assess(text)
    assert (a.kind, a.asserts) == (kind, asserts)


def test_concentrations_and_frequencies_are_not_findings():
    assert quantities("Start with 0.025% tretinoin twice a week.") == []
    assert [q.asserts for q in quantities("between 40% and 60%")] == ["40 percent", "60 percent"]
