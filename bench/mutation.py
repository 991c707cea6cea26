"""Mutation testing of the rule modules (not part of CI).

    pip install -e '.[test,mutation]'
    python -m bench.mutation                       # every rule module
    python -m bench.mutation --module evidence/check/verdicts.py --module evidence/read/quantities.py

For each module, mutmut 3 (configured in pyproject's ``[tool.mutmut]``) makes small deliberate
bugs in it, one at a time, and runs the test files that exercise that module against each; a
mutant that no test notices "survives". The script prints the score per module and every
survivor that is not in ``bench/mutation_allow.toml`` (the reviewed list of equivalent mutants,
each with the reason no test can tell it apart from the original).

It works on a scratch copy of the working tree under ``bench/out/mutation/`` (mutmut writes a
``mutants/`` folder beside the code it mutates), so the checkout is never touched. Each module
runs only its own test files: mutmut then runs, per mutant, only the tests that call the mutated
function. Exit code 0 when every module reaches ``--goal`` (90 % by default) with no
unexplained survivor, else 1.

mutmut mutates code inside functions only: module-level tables (``SANDBOX``, ``EVIDENCE_LEVEL``,
regular expressions) are not mutated, and the templates are not Python. Those rules are held by
direct tests instead (tests/test_sandbox.py, tests/test_escaping.py).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out" / "mutation"
ALLOW = REPO / "bench" / "mutation_allow.toml"
DETECTED = {"killed", "timeout", "caught by type check"}


@dataclass(frozen=True)
class Target:
    """A rule module, the test files that exercise it, and (optionally) the functions that hold the rule."""

    module: str
    tests: tuple[str, ...]
    functions: tuple[str, ...] = ()  # mutmut's mangled names, e.g. "x_check_reference_list"; () = all


# the synthesis tests without the one that renders a whole site (it adds ~12 s per mutant and checks the page)
SYNTHESIS_TESTS = tuple(f"tests/test_synthesis.py::test_{name}" for name in (
    "reproduces_hine_1989_lidocaine_risk_difference_to_the_printed_precision",
    "reproduces_dersimonian_kacker_2007_clasp_odds_ratio_random_effects_to_the_printed_precision",
    "ratios_are_reported_on_their_natural_scale_and_a_ci_round_trips_through_its_standard_error",
    "zero_events_in_one_arm_gets_the_half_correction_and_zero_in_both_is_refused",
    "identical_studies_have_no_heterogeneity_and_a_narrower_interval",
    "studies_all_on_one_side_pool_on_that_side_with_heterogeneity",
    "means_give_mean_differences_and_smd_and_mixed_statistics_are_refused",
    "comparisons_pool_trials_but_never_a_meta_analysis_with_the_trials_it_includes",
    "disjoint_meta_analyses_pool_but_overlapping_ones_are_flagged",
    "unverified_and_background_results_are_not_pooled",
    "certainty_gives_a_reason_for_every_step",
    "heterogeneity_and_the_prediction_interval_follow_their_published_definitions",
    "pooling_refuses_what_cannot_be_pooled_and_counts_only_reported_participants",
    "shipped_workspace_pools_microneedling_with_prp_and_the_query_reports_it",
))

# a cached parse equals a fresh one and keeps the problems (the reader's slot in the cache)
PARSE_CACHE_TESTS = ("tests/test_incremental.py::test_parsed_files_are_cached_by_content_and_equal_a_fresh_parse",
                     "tests/test_incremental.py::test_problems_come_back_from_the_cache_and_duplicates_across_files_are_still_found")

# test_anchoring.py without its four whole-workspace cases (changed or curly quotes through `evidence check`:
# ~10 s per mutant; the check report's use of the anchor is held by the report module's tests)
ANCHORING_UNIT_TESTS = tuple(f"tests/test_anchoring.py::test_{name}" for name in (
    "exact_anchor_keeps_offsets_and_context", "prefix_picks_the_intended_occurrence", "edit_elsewhere_reanchors_exactly",
    "reworded_statement_is_changed_with_its_new_text", "deleted_statement_is_missing", "typography_does_not_change_a_quote",
    "typography_blind_match_inside_a_longer_text_keeps_exact_offsets", "normalised_prefix_picks_the_occurrence",
    "normalise_maps_every_character_back", "a_real_change_still_shows_both_sides",
))

# test_certainty_rules.py without its four whole-workspace cases (the shipped workspace through `evidence check`)
CERTAINTY_RULE_TESTS = tuple(f"tests/test_certainty_rules.py::test_{name}" for name in (
    "primary_studies_start_high_only_when_randomised", "a_review_of_unrecorded_designs_starts_low_and_says_why",
    "a_review_starts_at_the_level_of_the_designs_it_pools",
    "one_randomised_result_starts_the_body_high_and_the_others_are_named",
    "the_grader_look_up_overrides_a_claims_own_fields",
    "the_size_rule_counts_the_people_behind_the_interval_not_everyone_in_the_body",
    "without_an_interval_only_primary_studies_count_and_a_reviews_total_never_does",
    "an_interval_whose_participants_are_unknown_cannot_show_the_information_size",
    "imprecision_never_takes_more_than_two_steps_and_large_effects_lift_only_non_randomised_evidence",
))

TARGETS = (
    Target("evidence/check/verdicts.py", ("tests/test_checks.py", "tests/test_verdict_table.py", "tests/test_verdict_reasons.py",
                                          "tests/test_verdicts_rubric.py", "tests/test_verdict_rubric_rules.py",
                                          "tests/test_verdict_outcome.py")),
    Target("evidence/check/rubric.py", ("tests/test_checks.py", "tests/test_verdict_table.py", "tests/test_verdict_reasons.py",
                                        "tests/test_verdicts_rubric.py", "tests/test_verdict_rubric_rules.py",
                                        "tests/test_verdict_outcome.py")),
    Target("evidence/read/quantities.py", ("tests/test_checks.py", "tests/test_quantities.py")),
    Target("evidence/read/anchoring.py", ("tests/test_anchor_rules.py", "tests/test_anchor_ends.py", "tests/test_anchor_spans.py",
                                          "tests/test_anchor_limits.py", "tests/test_anchor_sentences.py",
                                          *ANCHORING_UNIT_TESTS)),
    Target("evidence/check/reflist.py", ("tests/test_checks.py", "tests/test_reflist.py")),
    Target("evidence/check/report.py", ("tests/test_checks.py", "tests/test_check_report.py", "tests/test_notices.py"),
           ("x_notices_by_citekey", "x__notice_problems", "x_check_workspace")),
    Target("evidence/query/runner.py", ("tests/test_query_files.py", "tests/test_sandbox.py", "tests/test_query_runner_rules.py")),
    Target("evidence/load/database.py", ("tests/test_sandbox.py", "tests/test_query_runner_rules.py"), ("x_read_only", "x_fetch_df")),
    Target("evidence/resolve/entries.py", ("tests/test_duplicates.py",),
           ("x__signature", "x__page", "xǁRegistryǁ*")),
    Target("evidence/read/tables.py", ("tests/test_sources.py", "tests/test_line_numbers.py"),
           ("x_read_table", "x__duplicates")),
    Target("evidence/read/bibtex.py", ("tests/test_line_numbers.py", *PARSE_CACHE_TESTS), ("x_read_bibtex", "x__parse_file", "x__parse", "x__concatenated", "x__undefined_macros")),
    Target("evidence/render/fragments.py", ("tests/test_fragments.py", "tests/test_site.py::test_text_fragment_directives",
                                            "tests/test_site.py::test_statements_link_to_the_original_sentence_by_text_fragment")),
    # the pure cases only: test_attribution.py's others build the shipped workspace (seconds per mutant)
    Target("evidence/check/attribution.py", ("tests/test_attribution_rules.py", *(
        f"tests/test_attribution.py::test_{name}" for name in (
            "attribution_phrases_are_parsed", "a_finding_after_the_attribution_is_not_read_as_its_size",
            "round_numbers_stand_for_their_rounding_and_qualifiers_for_intervals")))),
    Target("evidence/synthesis/pooling.py", SYNTHESIS_TESTS),
    # the rule tables of certainty (pure claims, no workspace) and the CLASP reproduction's pooled input
    Target("evidence/synthesis/certainty.py", (*CERTAINTY_RULE_TESTS, "tests/test_certainty_steps.py",
                                               "tests/test_synthesis.py::test_reproduces_dersimonian_kacker_2007_clasp_"
                                               "odds_ratio_random_effects_to_the_printed_precision")),
    Target("evidence/render/csv_safety.py", ("tests/test_hostile_outputs.py::test_neutralise_is_the_owasp_rule",
                                             "tests/test_hostile_outputs.py::test_a_frame_is_made_formula_safe_in_its_text_columns_only_and_left_unchanged",
                                             "tests/test_csv_safety_rules.py")),
    Target("evidence/render/labels.py", ("tests/test_site.py::test_file_names_from_data_are_sanitised",
                                         "tests/test_escaping.py"), ("x_safe_name",)),
)


@dataclass(frozen=True)
class Mutant:
    name: str  # mutmut's key, e.g. evidence.check.verdicts.x_combine__mutmut_26
    status: str
    before: tuple[str, ...]  # the changed lines, stripped
    after: tuple[str, ...]

    @property
    def function(self) -> str:
        return self.name.rpartition(".")[2].partition("__mutmut_")[0]

    def describe(self) -> str:
        return f"{self.name.rpartition('.')[2]} [{self.status}]: " + " / ".join(self.before) + "  ->  " + " / ".join(self.after)


def module_key(module: str) -> str:
    return module[:-3].replace("/", ".")


def load_allow(path: Path = ALLOW) -> dict[str, list[dict[str, str]]]:
    """Allowed equivalent mutants per module, matched on the changed line(s), not on mutmut's
    numbering (which shifts whenever the module is edited)."""
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    allowed: dict[str, list[dict[str, str]]] = {}
    for item in data.get("equivalent", []):
        for key in ("module", "before", "after", "reason"):
            if not str(item.get(key, "")).strip():
                raise SystemExit(f"{path.name}: every [[equivalent]] needs module, before, after and reason: {item}")
        allowed.setdefault(item["module"], []).append(item)
    return allowed


def is_allowed(m: Mutant, entries: list[dict[str, str]]) -> dict[str, str] | None:
    for e in entries:
        if (" / ".join(m.before) == e["before"].strip() and " / ".join(m.after) == e["after"].strip()
                and fnmatch.fnmatchcase(m.function, e.get("function", "*"))):
            return e
    return None


def scratch_copy(target: Target, dest: Path) -> None:
    """The working tree (tracked and new files, not ignored ones) with this module's mutmut settings."""
    if dest.exists():
        shutil.rmtree(dest)
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    pyproject = dest / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    base = tomllib.loads(text).get("tool", {}).get("mutmut", {})
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)
    settings = {**base, "only_mutate": [target.module], "pytest_add_cli_args_test_selection": list(target.tests)}
    text += "\n[tool.mutmut]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items())
    pyproject.write_text(text, encoding="utf-8")


def run_target(target: Target, children: int) -> list[Mutant]:
    dest = OUT / target.module.replace("/", "_")[:-3]
    scratch_copy(target, dest)
    key = module_key(target.module)
    names = [f"{key}.{fn}__mutmut_*" for fn in target.functions]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    external = Path(os.environ.get("EVIDENCE_EXTERNAL_FIXTURES", REPO.parent / "shared" / "external"))
    if external.is_dir():  # the scratch copy is elsewhere: point the tests at the recordings explicitly
        env["EVIDENCE_EXTERNAL_FIXTURES"] = str(external.resolve())
    else:  # e.g. a git worktree beside the checkout: the tests that read recordings would skip, and their mutants survive
        print(f"  warning: no recordings at {external}; set EVIDENCE_EXTERNAL_FIXTURES to ../shared/external "
              "or the tests that read them skip", flush=True)
    with open(dest / "mutmut.log", "w", encoding="utf-8") as out:
        proc = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(children), *names],
                              cwd=dest, env=env, stdout=out, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        tail = (dest / "mutmut.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"mutmut failed on {target.module} (exit {proc.returncode}); see {dest / 'mutmut.log'}\n{tail}")
    return collect(dest, target)


def collect(dest: Path, target: Target) -> list[Mutant]:
    """Read mutmut's results for the target's functions, with the changed lines of every mutant."""
    meta = json.loads((dest / "mutants" / (target.module + ".meta")).read_text(encoding="utf-8"))
    cwd = os.getcwd()
    os.chdir(dest)
    try:
        from mutmut.configuration import reset_config
        from mutmut.mutation.diff_apply import get_diff_for_mutant
        from mutmut.stats import status_by_exit_code

        reset_config()
        patterns = [f"{module_key(target.module)}.{fn}__mutmut_*" for fn in target.functions] or ["*"]
        mutants = []
        for name, code in sorted(meta["exit_code_by_key"].items(), key=lambda kv: _natural(kv[0])):
            if not any(fnmatch.fnmatchcase(name, p) for p in patterns):
                continue
            status = status_by_exit_code[code]
            before: tuple[str, ...] = ()
            after: tuple[str, ...] = ()
            if status not in DETECTED:
                lines = get_diff_for_mutant(name).splitlines()
                before = tuple(s[1:].strip() for s in lines if s.startswith("-") and not s.startswith("---"))
                after = tuple(s[1:].strip() for s in lines if s.startswith("+") and not s.startswith("+++"))
            mutants.append(Mutant(name, status, before, after))
        return mutants
    finally:
        os.chdir(cwd)


def _natural(name: str) -> tuple[str, int]:
    stem, _, n = name.rpartition("__mutmut_")
    return stem, int(n) if n.isdigit() else 0


def report(target: Target, mutants: list[Mutant], allowed: list[dict[str, str]], goal: float, echo) -> bool:
    killed = [m for m in mutants if m.status in DETECTED]
    survivors = [m for m in mutants if m.status not in DETECTED]
    equivalent = [(m, e) for m in survivors if (e := is_allowed(m, allowed))]
    unexplained = [m for m in survivors if not is_allowed(m, allowed)]
    countable = len(mutants) - len(equivalent)
    score = len(killed) / countable if countable else 1.0
    ok = score >= goal and not unexplained
    echo(f"{target.module}: {len(killed)}/{countable} killed ({score:.1%}); {len(mutants)} mutants, "
         f"{len(equivalent)} equivalent (allow-listed), {len(unexplained)} unexplained survivor(s)"
         + ("" if ok else "  <-- below goal" if score < goal else "  <-- survivors to kill or explain"))
    for m in unexplained:
        echo("  survived " + m.describe())
    unused = [e for e in allowed if not any(is_allowed(m, [e]) for m in survivors)]
    for e in unused:
        echo(f"  allow-list entry no longer needed: {e['before']} -> {e['after']}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", default=[], help="a rule module (repeatable); default: all")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested in parallel (default 2)")
    parser.add_argument("--goal", type=float, default=0.90, help="share of mutants to kill per module (default 0.90)")
    parser.add_argument("--list", action="store_true", help="list the rule modules and their test files")
    args = parser.parse_args(argv)
    known = {t.module: t for t in TARGETS}
    if args.list:
        for t in TARGETS:
            print(f"{t.module}: {' '.join(t.tests)}" + (f"  [{', '.join(t.functions)}]" if t.functions else ""))
        return 0
    unknown = [m for m in args.module if m not in known]
    if unknown:
        print(f"unknown module(s): {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    targets = [known[m] for m in args.module] or list(TARGETS)
    allowed = load_allow()
    results = []
    for target in targets:
        started = time.monotonic()
        mutants = run_target(target, args.max_children)
        results.append(report(target, mutants, allowed.get(target.module, []), args.goal, print))
        print(f"  ({time.monotonic() - started:.0f} s)", flush=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
