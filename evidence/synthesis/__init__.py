"""Synthesis stage: effect sizes, pooled estimates with heterogeneity, and certainty per outcome (GRADE-lite).

Sits between check and load: it reads the workspace's claims (and the check stage's vocabulary), and its
results go into the database (``pooled_estimates``) and into each verdict's certainty.
"""

from typing import TYPE_CHECKING

from ..lazy import exports

if TYPE_CHECKING:  # the names' homes, for readers and type checkers; imported on first use (see ..lazy)
    from .body import Synthesis, claim_records, comparison_rows, synthesise
    from .certainty import Certainty, grade_body, grader
    from .comparisons import Comparison, pooled_estimates
    from .effects import Effect, effect_of_claim, from_counts, from_estimate, from_means
    from .pooling import Pooled, pool

__getattr__ = exports(__name__, {
    "Synthesis": ".body", "claim_records": ".body", "comparison_rows": ".body", "synthesise": ".body",
    "Certainty": ".certainty", "grade_body": ".certainty", "grader": ".certainty", "Comparison": ".comparisons",
    "pooled_estimates": ".comparisons", "Effect": ".effects", "effect_of_claim": ".effects", "from_counts":
    ".effects", "from_estimate": ".effects", "from_means": ".effects", "Pooled": ".pooling", "pool": ".pooling"
})

__all__ = ["Synthesis", "claim_records", "comparison_rows", "synthesise", "Certainty", "Comparison", "Effect", "Pooled", "effect_of_claim", "from_counts", "from_estimate",
           "from_means", "grade_body", "grader", "pool", "pooled_estimates"]
