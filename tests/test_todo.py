"""`evidence todo`: the check's findings and the workspace's loose ends as one work list,
most urgent first, each with a place and a fix; exit 1 while anything blocks."""

from __future__ import annotations

import json
import re

from evidence import pipeline
from evidence.check.report import uncovered_sentences
from evidence.workflow.todo import CATEGORIES, todo_items

from .conftest import REPO, append, write


def _shipped_bib_entry(citekey: str) -> str:
    """A real record from the shipped library (the project's own curated data)."""
    text = (REPO / "references" / "library.bib").read_text(encoding="utf-8")
    match = re.search(r"@\w+\{" + citekey + r",.*?\n\}\n", text, re.S)
    assert match, citekey
    return match.group(0)


def _shipped_study_row(citekey: str, ws) -> str:
    """The shipped study's row, in the columns of the workspace's own studies.csv header."""
    import csv
    import io

    header = next(csv.reader(io.StringIO((ws.root / "references" / "studies.csv").read_text(encoding="utf-8"))))
    rows = csv.DictReader(io.StringIO((REPO / "references" / "studies.csv").read_text(encoding="utf-8")))
    row = next(r for r in rows if r["citekey"] == citekey)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([row.get(h, "") for h in header])
    return out.getvalue()


def _items(ws, slug=None):
    return todo_items(pipeline.check(ws, slug), slug)


def test_a_clean_workspace_has_nothing_to_do(ws, cli):
    result = cli(ws, "todo")
    assert result.exit_code == 0
    assert "nothing to do" in result.output
    assert json.loads(cli(ws, "todo", "--format", "json").output)["items"] == []


def test_statement_without_evidence_blocks_and_names_find(ws, cli):
    append(ws, "articles/example.statements.csv", "S03,\"Most acne scars are atrophic, the sunken kind.\",claim,,,,,,\n")
    # S03 duplicates S01's quote: give S01's place to a new sentence instead
    md = (ws.root / "articles/example.md").read_text()
    write(ws, "articles/example.md", md.replace("See your dermatologist.",
                                                "See your dermatologist. Scars can fade with time."))
    write(ws, "articles/example.statements.csv",
          (ws.root / "articles/example.statements.csv").read_text().replace(
              "S03,\"Most acne scars are atrophic, the sunken kind.\"", "S03,Scars can fade with time."))
    items = _items(ws)
    (item,) = [i for i in items if i.category == "no-evidence"]
    assert item.blocking and item.statement == "S03"
    assert (item.file, item.line) == ("articles/example.statements.csv", 4)
    assert item.article_line == 10  # the line of the sentence in the article file
    assert item.fix.startswith("evidence find --statement example:S03")
    result = cli(ws, "todo", "example")
    assert result.exit_code == 1
    assert "Statements with no evidence (1)" in result.output
    assert "S03 articles/example.statements.csv:4 (article line 10)" in result.output


def test_statement_resting_only_on_unverified_claims(ws, cli):
    claims = (ws.root / "references/claims.csv").read_text()
    write(ws, "references/claims.csv", claims.replace(",verified,Atrophic scars", ",unverified,Atrophic scars"))
    (item,) = [i for i in _items(ws) if i.category == "unverified"]
    assert item.statement == "S01" and not item.blocking
    assert (item.file, item.line) == ("references/claims.csv", 2)
    assert "connolly2017acne-1" in item.message and "set status to verified in references/claims.csv:2" in item.fix
    assert cli(ws, "todo").exit_code == 0  # unverified evidence is work, not a blocking problem


def test_rest_of_a_bullet_after_a_registered_clause_is_uncovered(ws, cli):
    md = (ws.root / "articles/example.md").read_text()
    write(ws, "articles/example.md", md.replace(
        "See your dermatologist.",
        "See your dermatologist.\n\n- Lasers help many people, and most patients need three sessions or more."))
    append(ws, "articles/example.statements.csv", "S03,Lasers help many people,opinion,,,,,,\n")
    checked = pipeline.check(ws)
    (u,) = uncovered_sentences(checked.workspace.articles[0], list(checked.workspace.statements))
    assert u.sentence == "and most patients need three sessions or more."
    assert set(u.triggers) >= {"superlative", "number word"}
    (item,) = [i for i in todo_items(checked) if i.category == "uncovered"]
    assert item.file == "articles/example.md" and item.line == 12
    assert "the rest of a sentence beside a statement is not registered" in item.message
    assert "and most patients need three sessions" in item.message
    assert "register it" in item.fix


def test_changed_wording_waits_for_review_and_names_accept(ws, cli):
    md = (ws.root / "articles/example.md").read_text()
    write(ws, "articles/example.md", md.replace("the sunken kind", "the sunken type"))
    (item,) = [i for i in _items(ws) if i.category == "changed"]
    assert item.blocking and item.statement == "S01"
    assert item.fix.endswith("evidence accept example S01")
    assert "the quote has 'kind' where the article has 'type'" in item.message


def test_reference_without_identifier_and_study_without_claims(ws, cli):
    bib = (ws.root / "references/library.bib").read_text()
    write(ws, "references/library.bib", re.sub(r"  (pmid|pmcid) = \{[^}]*\},\n", "", bib))
    append(ws, "references/library.bib", "\n" + _shipped_bib_entry("manuskiatti2013comparison"))
    append(ws, "references/studies.csv", _shipped_study_row("manuskiatti2013comparison", ws))
    items = _items(ws)
    (no_id,) = [i for i in items if i.category == "no-identifier"]
    assert no_id.message == "reference 'connolly2017acne' has no DOI, PMID or PMCID"
    assert (no_id.file, no_id.line) == ("references/library.bib", 1)
    assert "add doi = {...} or pmid = {...} to references/library.bib:1" in no_id.fix
    (no_claims,) = [i for i in items if i.category == "no-claims"]
    assert no_claims.fix.startswith("evidence claims suggest manuskiatti2013comparison")
    assert (no_claims.file, no_claims.line) == ("references/studies.csv", 3)
    # for one article, only the studies it uses: manuskiatti2013comparison is not cited by example
    assert [i.category for i in _items(ws, "example") if i.category == "no-claims"] == []


def test_items_come_most_urgent_first_in_every_format(ws, cli):
    md = (ws.root / "articles/example.md").read_text()
    write(ws, "articles/example.md", md.replace("the sunken kind", "the sunken type")
          .replace("See your dermatologist.", "See your dermatologist. Scars can fade with time."))
    append(ws, "articles/example.statements.csv", "S03,Scars can fade with time.,claim,,,,,,\n")
    claims = (ws.root / "references/claims.csv").read_text()
    write(ws, "references/claims.csv", claims.replace(",verified,Atrophic scars", ",unverified,Atrophic scars"))
    items = _items(ws)
    order = list(CATEGORIES)
    assert [order.index(i.category) for i in items] == sorted(order.index(i.category) for i in items)
    assert [i.category for i in items][:3] == ["no-evidence", "unverified", "changed"]
    data = json.loads(cli(ws, "todo", "--format", "json").output)
    assert data["articles"] == ["example"] and data["blocking"] == 2
    assert data["summary"]["no-evidence"] == 1 and data["items"][0]["statement"] == "S03"
    text = cli(ws, "todo").output
    assert text.index("Statements with no evidence") < text.index("unverified") < text.index("Changed wording")
    result = cli(ws, "todo", "--format", "markdown")
    assert result.exit_code == 1
    assert result.output.startswith("# To do\n")
    assert "## Statements with no evidence (blocking)" in result.output
    assert "- [ ] `S03 articles/example.statements.csv:4" in result.output


def test_bad_input_exits_2(ws, cli):
    assert cli(ws, "todo", "no-such-article").exit_code == 2
    write(ws, "references/claims.csv", "claim_id,citekey\nx\n")
    result = cli(ws, "todo")
    assert result.exit_code == 2 and "nothing was written" in result.output
