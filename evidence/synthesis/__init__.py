"""Synthesis stage: effect sizes, pooled estimates with heterogeneity, and certainty per outcome (GRADE-lite).

Sits between check and load: it reads the workspace's claims (and the check stage's vocabulary), and its
results go into the database (``pooled_estimates``) and into each verdict's certainty.
"""

from .body import Synthesis, claim_records, comparison_rows, synthesise
from .certainty import Certainty, grade_body, grader
from .comparisons import Comparison, pooled_estimates
from .effects import Effect, effect_of_claim, from_counts, from_estimate, from_means
from .pooling import Pooled, pool

__all__ = ["Synthesis", "claim_records", "comparison_rows", "synthesise", "Certainty", "Comparison", "Effect", "Pooled", "effect_of_claim", "from_counts", "from_estimate",
           "from_means", "grade_body", "grader", "pool", "pooled_estimates"]
