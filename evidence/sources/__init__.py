"""Read stage: one reader per input format. Readers collect problems; they never raise on bad input."""
