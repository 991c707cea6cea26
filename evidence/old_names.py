"""The names of the first workspace format, still read so that a workspace written for it builds unchanged.

The toolkit began with one workspace about one condition, and its vocabulary files, claim column and
canned queries were named after it. The neutral names are the ones taught; the old ones below are
aliases, kept in this one module (the test that keeps the package free of topic words exempts only it).
"""

from __future__ import annotations

# references/<new> was references/<old>
OLD_FILES = {"interventions.csv": "treatments.csv", "conditions.csv": "scar_types.csv"}
# claims.csv column <new> was <old>
OLD_COLUMNS = {"condition": "scar_type"}
# vocabulary ids that an old interventions file (which had no `kind` column) meant as comparators
OLD_COMPARATORS = ("no_treatment", "placebo", "baseline")


class OldQuery:
    """A canned query's old name: which query answers it now, and how its parameters and columns were named."""

    def __init__(self, new: str, params: dict[str, str], columns: dict[str, str]) -> None:
        self.new, self.params, self.columns = new, params, columns


# `evidence query <old>` runs <new>, with the old parameter names accepted and the old column names printed
OLD_QUERIES = {
    "treatment_evidence": OldQuery("intervention_evidence", {"treatment": "intervention"},
                                   {"intervention": "treatment", "conditions": "scar_types"}),
    "scar_type_evidence": OldQuery("condition_evidence", {},
                                   {"condition": "scar_type", "interventions": "treatments"}),
    "treatment_scar_matrix": OldQuery("intervention_condition_matrix", {},
                                      {"intervention": "treatment", "condition": "scar_type"}),
}
