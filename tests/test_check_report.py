"""The article check's own problems: attribution to the cited source and notices (README: `check` flags every statement resting on a
retracted study (blocking) or a corrected one (warning); a cited source that does not carry the claim
is flagged; a review cited as "a study" is flagged).

"Resting on" means linked as `supports` or `partly`: a retracted study that only contradicts a
statement, or is context, is not what the statement rests on. The notices here are synthetic (no
real retraction of the starter workspace's study exists); their shape is what `resolve` stores.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import pytest

from evidence import pipeline
from evidence.check.report import check_workspace, notices_by_citekey

from .conftest import minimal_workspace

RETRACTION = {"type": "retraction", "source": "crossref", "date": "2023-04-12", "doi": "10.5555/retraction-notice.example",
              "relation": "updated-by"}  # synthetic
CORRECTION = {"type": "correction", "source": "pubmed", "date": "2019-02-01", "pmid": "30700000",
              "relation": "comments-corrections"}  # synthetic


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return pipeline.analyse(minimal_workspace(tmp_path_factory.mktemp("attr") / "ws")).workspace


def with_relation(workspace, relation: str):
    links = workspace.links.copy()
    links["relation"] = relation
    return replace(workspace, links=links)


def with_statement(workspace, **changes):
    statements = tuple(replace(s, **changes) if s.statement_id == "S01" else s for s in workspace.statements)
    return replace(workspace, statements=statements)


def problems(workspace, notices=None, code=None):
    (report,) = check_workspace(workspace, notices)
    return [p for p in report.problems if code is None or p.code == code]


@pytest.mark.parametrize("relation,flagged", [("supports", True), ("partly", True), ("contradicts", False),
                                              ("context", False)])
def test_a_statement_rests_on_a_retracted_study_only_when_the_study_supports_it(workspace, relation, flagged):
    found = problems(with_relation(workspace, relation), {"connolly2017acne": [RETRACTION]}, "rests-on-retracted")
    if not flagged:
        assert found == []
        return
    (p,) = found
    assert (p.file, p.line, p.field, p.severity) == ("articles/example.statements.csv", 2, "statement_id", "error")
    assert p.message == ("S01 rests on connolly2017acne, which has a retraction notice (crossref, 2023-04-12, "
                         "doi 10.5555/retraction-notice.example)")
    assert p.hint == "remove the evidence or re-check the statement against the notice"


def test_a_correction_is_a_warning_and_an_undated_notice_says_so(workspace):
    (p,) = problems(workspace, {"connolly2017acne": [CORRECTION]}, "rests-on-notice")
    assert p.severity == "warning"
    assert p.message == "S01 rests on connolly2017acne, which has a correction notice (pubmed, 2019-02-01)"
    undated = {**CORRECTION, "date": None}
    (q,) = problems(workspace, {"connolly2017acne": [undated]}, "rests-on-notice")
    assert q.message == "S01 rests on connolly2017acne, which has a correction notice (pubmed, undated)"
    assert problems(workspace, {"someone2020else": [RETRACTION]}, "rests-on-retracted") == []


def metadata(*rows):
    return pd.DataFrame([{"citekey": k, "notices": json.dumps(n)} for k, n in rows])


def test_a_record_that_is_itself_a_retraction_notice_is_not_a_retracted_study():
    notice_record = {**RETRACTION, "relation": "is-notice", "target": "doi:10.5555/retracted.example"}
    assert notices_by_citekey(metadata(("connolly2017acne", [notice_record]))) == {}
    kept = notices_by_citekey(metadata(("connolly2017acne", [notice_record, CORRECTION])))
    assert kept == {"connolly2017acne": [CORRECTION]}


def test_notices_are_merged_across_sources_and_sorted():
    same_from_europepmc = {**RETRACTION, "source": "europepmc"}
    other_correction = {**CORRECTION, "date": "2018-01-01", "pmid": "29900000"}
    by_key = notices_by_citekey(metadata(("a", [RETRACTION, CORRECTION]), ("a", [same_from_europepmc, other_correction]),
                                         ("c", [])))
    assert by_key == {"a": [other_correction, CORRECTION, RETRACTION]}  # by type, then date; one retraction
    undated = {"type": "correction", "source": "pubmed"}
    assert notices_by_citekey(metadata(("a", [undated, dict(undated)]))) == {"a": [undated]}


def test_a_cited_source_that_does_not_carry_the_claim_is_flagged_and_downgrades(workspace):
    elsewhere = with_statement(workspace, cites=("jacob2001acne",))
    lib = pd.concat([workspace.bibliography, workspace.bibliography.assign(citekey="jacob2001acne")])
    elsewhere = replace(elsewhere, bibliography=lib)
    (report,) = check_workspace(elsewhere)
    (p,) = [p for p in report.problems if p.code == "cited-source-lacks-claim"]
    assert p.severity == "warning" and p.field == "cites"
    assert p.message == ("S01: cited source (jacob2001acne) does not carry this claim; the evidence comes from "
                         "connolly2017acne")
    assert p.hint == "cite the study that carries the claim"
    assert report.verdicts[0].verdict == "partly_supported"
    both = replace(with_statement(workspace, cites=("jacob2001acne", "connolly2017acne")), bibliography=lib)
    assert problems(both, code="cited-source-lacks-claim") == []
    contradicting = replace(with_relation(elsewhere, "contradicts"), bibliography=lib)
    assert problems(contradicting, code="cited-source-lacks-claim") == []  # nothing favours it: nothing to attribute
    uncited = with_statement(workspace, cites=())
    assert problems(uncited, code="cited-source-lacks-claim") == []


def test_a_citation_to_an_unknown_reference_blocks(workspace):
    (report,) = check_workspace(with_statement(workspace, cites=("nobody2020x",)))
    (p,) = [p for p in report.problems if p.code == "unknown-citation"]
    assert (p.severity, p.field, p.line) == ("error", "cites", 2)
    assert p.message == "S01 cites 'nobody2020x', which is not in the library"
    assert report.blocking


def test_a_changed_quote_is_a_blocking_problem_with_its_new_wording(workspace):
    changed = with_statement(workspace, anchor="changed", current_text="Most acne scars are usually atrophic.", score=91.4)
    (report,) = check_workspace(changed)
    (p,) = [p for p in report.problems if p.code == "statement-changed"]
    assert (p.severity, p.field) == ("error", "quote")
    assert p.message.startswith("S01: the article's wording changed — re-check: ")
    assert p.message.endswith("(91% similar; now: 'Most acne scars are usually atrophic.')")
    assert p.hint == "re-check its evidence, then `evidence accept example S01` takes the new wording"
    assert report.blocking and report.verdicts[0].blocking
    exact = check_workspace(workspace)[0]
    assert not exact.blocking and exact.problems == ()


def test_numbers_that_disagree_block_and_numbers_without_evidence_warn(workspace):
    claims = workspace.claims.assign(value=65.0, unit="percent")
    disagree = replace(with_statement(workspace, asserts=">80 percent"), claims=claims)
    (p,) = problems(disagree, code="number-mismatch")
    assert (p.severity, p.field) == ("error", "asserts")
    assert p.message == ("S01: number: the article says >80 percent about prevalence; the evidence says connolly2017acne-1 "
                         "gives 65 percent (prevalence: most common scar type)")
    assert p.hint == "correct the number in the article or link the evidence for it"
    unverified = with_statement(workspace, asserts=">80 percent")
    (w,) = problems(unverified, code="number-unverified")
    assert (w.severity, w.field) == ("warning", "asserts")
    assert w.message == ("S01: number: the article says >80 percent about prevalence; no linked claim about prevalence "
                         "gives a number in percent")
    opinion = with_statement(workspace, asserts=">80 percent", kind="opinion")
    assert problems(opinion, code="number-unverified") == [] and problems(opinion, code="number-mismatch") == []


def test_no_evidence_is_a_blocking_problem(workspace):
    unlinked = replace(workspace, links=workspace.links.iloc[0:0])
    (p,) = problems(unlinked, code="no-evidence")
    assert (p.severity, p.field) == ("error", "statement_id")
    assert p.message == "S01: no evidence supports 'Most acne scars are atrophic, the sunken kind.'"


def test_notices_of_two_types_are_kept_apart_and_sorted_by_type_then_date():
    retraction = {**RETRACTION, "date": "2018-06-01"}  # earlier than the correction: type sorts first
    correction = {**CORRECTION, "doi": RETRACTION["doi"], "date": "2019-02-01"}  # synthetic: the same notice DOI
    assert notices_by_citekey(metadata(("a", [retraction, correction]))) == {"a": [correction, retraction]}


@pytest.mark.parametrize("second,kept", [
    ({"type": "correction", "source": "europepmc", "pmid": "30700000", "date": "2019-03-01"}, 1),  # same PMID
    ({"type": "correction", "source": "europepmc", "pmid": "30700001", "date": "2019-02-01"}, 2),  # another PMID
    ({"type": "correction", "source": "europepmc", "date": "2019-02-01"}, 2),  # no id, but the first has one
])
def test_notices_are_the_same_notice_by_doi_then_pmid_then_date(second, kept):
    first = {"type": "correction", "source": "pubmed", "pmid": "30700000", "date": "2019-02-01"}
    assert len(notices_by_citekey(metadata(("a", [first, second])))["a"]) == kept
    by_date = {"type": "correction", "source": "pubmed", "date": "2019-02-01"}
    assert len(notices_by_citekey(metadata(("a", [by_date, {**by_date, "source": "crossref"}])))["a"]) == 1
    by_doi = {"type": "correction", "source": "crossref", "doi": "10.1/x", "pmid": "1", "date": "2019"}
    assert len(notices_by_citekey(metadata(("a", [by_doi, {**by_doi, "pmid": "2", "date": "2020"}])))["a"]) == 1


def test_a_study_size_fills_a_claim_without_one_and_a_plain_statement_stays_supported(workspace):
    (report,) = check_workspace(replace(workspace, studies=workspace.studies.assign(n=40)))
    (v,) = [v for v in report.verdicts if v.statement_id == "S01"]
    assert v.verdict == "supported"
    assert "supports: connolly2017acne-1 (narrative review, n=40): Atrophic scars are the most common type of acne scar." \
           " — The review calls atrophic scars the most common type." in v.reasons
    own = replace(workspace, studies=workspace.studies.assign(n=40), claims=workspace.claims.assign(n=12))
    assert any("(narrative review, n=12)" in r for r in check_workspace(own)[0].verdicts[0].reasons)


def test_every_source_is_named_when_the_cited_ones_lack_the_claim(workspace):
    lib = pd.concat([workspace.bibliography] + [workspace.bibliography.assign(citekey=k)
                                               for k in ("jacob2001acne", "yan2025risk", "zhou2023beyond")])
    studies = pd.concat([workspace.studies, workspace.studies.assign(citekey="zhou2023beyond")])
    claims = pd.concat([workspace.claims, workspace.claims.assign(claim_id="zhou2023beyond-1", citekey="zhou2023beyond")])
    links = pd.concat([workspace.links.assign(relation="partly"),
                       workspace.links.assign(claim_id="zhou2023beyond-1", relation="partly")])
    ws = replace(with_statement(workspace, cites=("jacob2001acne", "yan2025risk")), bibliography=lib, studies=studies,
                 claims=claims, links=links)
    (p,) = problems(ws, code="cited-source-lacks-claim")
    assert p.message == ("S01: cited source (jacob2001acne, yan2025risk) does not carry this claim; the evidence comes "
                         "from connolly2017acne, zhou2023beyond")


def test_problem_wording_for_no_evidence_unknown_citation_and_a_changed_quote(workspace):
    long_quote = "Most acne scars are atrophic, the sunken kind, and " + "very " * 20 + "common."
    unlinked = replace(with_statement(workspace, quote=long_quote), links=workspace.links.iloc[0:0])
    (p,) = problems(unlinked, code="no-evidence")
    assert (p.file, p.line) == ("articles/example.statements.csv", 2)
    assert p.message == f"S01: no evidence supports '{long_quote[:70]}'"
    assert p.hint == "link claims in the .links.csv file, or mark the statement as opinion"
    (u,) = problems(with_statement(workspace, cites=("nobody2020x",)), code="unknown-citation")
    assert (u.file, u.hint) == ("articles/example.statements.csv", "add the reference to references/*.bib or fix the citekey")
    changed = with_statement(workspace, anchor="changed", current_text="x" * 100, score=80.0)
    (c,) = problems(changed, code="statement-changed")
    assert c.message.endswith(f"(80% similar; now: '{'x' * 80}')")
    gone = with_statement(workspace, anchor="changed", current_text=None, score=0.0)
    (g,) = problems(gone, code="statement-changed")
    assert g.message.endswith("(0% similar; now: '')")


def test_an_overridden_not_checkable_statement_has_no_number_warning(workspace):
    plain = with_statement(workspace, asserts=">80 percent")
    (w,) = problems(plain, code="number-unverified")
    assert w.hint == "link a claim that reports the number"
    overridden = with_statement(workspace, asserts=">80 percent", override_verdict="not_checkable",
                                override_reason="a figure of speech")
    assert problems(overridden, code="number-unverified") == []


def test_reference_list_defects_and_uncovered_sentences_become_warnings_with_their_lines(workspace):
    from evidence.model import PrintedReference

    article = workspace.articles[0]
    printed = "Zhou, Crystal, et al. “Beyond the Surface.” Clinical, Cosmetic and Investigational Dermatology, " \
              "vol. Volume 16, Mar. 2023, pp. 731–738,"  # reference 2 of the shipped article, title shortened
    body = article.body + "\nStudies have found it works in 80 percent of people.\n"
    ws = replace(workspace, articles=(replace(article, body=body, references=(PrintedReference(1, printed, 21),)),))
    found = problems(ws)
    refs = [p for p in found if p.code.startswith("reference-")]
    assert [(p.file, p.line, p.code, p.severity) for p in refs][:2] == [
        ("articles/example.md", 21, "reference-no-identifier", "warning"),
        ("articles/example.md", 21, "reference-malformed-volume", "warning")]
    assert refs[1].message == "reference 1: the volume is printed as 'vol. Volume ...'"
    assert refs[1].hint == "print the volume number only"
    (u,) = [p for p in found if p.code == "uncovered-sentence"]
    assert (u.file, u.line, u.severity) == ("articles/example.md", article.body_line + article.body.count("\n") + 1, "warning")
    assert u.message == ("checkable-looking sentence is not a statement (number, percent, study): "
                         "'Studies have found it works in 80 percent of people.'")
    assert u.hint == "register it in the .statements.csv file (as opinion if it is not checkable)"


def test_undated_notices_without_identifiers_differ_by_date():
    first = {"type": "correction", "source": "pubmed", "date": "2019-02-01"}
    assert len(notices_by_citekey(metadata(("a", [first, {**first, "date": "2020-05-01"}])))["a"]) == 2


def test_a_long_uncovered_sentence_is_quoted_to_80_characters(workspace):
    article = workspace.articles[0]
    sentence = "Studies have found that " + "laser treatment " * 8 + "works in 80 percent of people."
    ws = replace(workspace, articles=(replace(article, body=article.body + "\n" + sentence + "\n"),))
    (u,) = problems(ws, code="uncovered-sentence")
    assert u.message.endswith(f": '{sentence[:80]}'") and len(sentence) > 80
