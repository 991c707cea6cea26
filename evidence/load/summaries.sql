-- Pre-aggregated tables, built at load time from the loaded tables (one statement each).
-- The canned queries per intervention, per condition and per intervention x condition read these, so
-- they answer in milliseconds at a million claims instead of grouping every claim on each run.
-- Same definitions as the queries had; a workspace query may still group `claims` itself.
-- Comparators (interventions.kind = 'comparator': placebo, no treatment, baseline) are what
-- interventions were compared with, never interventions: they have no row of their own here.

CREATE TABLE intervention_summary AS
WITH c AS (
    SELECT c.treatment, c.citekey, c.condition, c.outcome, c.unit, c.value, c.low, c.high, c.n, c.downtime_days,
           c.sessions, s.design, s.n AS study_n, s.evidence_level
    FROM claims c JOIN studies s USING (citekey)
    WHERE c.treatment IS NOT NULL
), per_study AS (
    SELECT treatment, citekey, any_value(design) AS design, max(coalesce(study_n, n)) AS participants,
           min(evidence_level) AS evidence_level
    FROM c GROUP BY treatment, citekey
), by_study AS (
    SELECT treatment, count(*) AS studies, string_agg(DISTINCT design, ', ' ORDER BY design) AS designs,
           min(evidence_level) AS best_level, sum(participants) AS participants
    FROM per_study GROUP BY treatment
), by_claim AS (
    SELECT treatment, count(*) AS claims,
           string_agg(DISTINCT condition, ', ' ORDER BY condition) AS conditions,
           min(value) FILTER (WHERE outcome IN ('efficacy', 'comparative_efficacy') AND unit = 'percent') AS efficacy_min_pct,
           max(value) FILTER (WHERE outcome IN ('efficacy', 'comparative_efficacy') AND unit = 'percent') AS efficacy_max_pct,
           min(coalesce(downtime_days, CASE WHEN outcome = 'downtime' AND unit = 'days' THEN coalesce(low, value) END)) AS downtime_min_days,
           max(coalesce(downtime_days, CASE WHEN outcome = 'downtime' AND unit = 'days' THEN coalesce(high, value) END)) AS downtime_max_days,
           min(sessions) AS sessions_min,
           max(sessions) AS sessions_max
    FROM c GROUP BY treatment
)
SELECT t.id AS intervention, t.label, s.studies, s.designs, s.best_level, s.participants, f.claims, f.conditions,
       f.efficacy_min_pct, f.efficacy_max_pct, f.downtime_min_days, f.downtime_max_days, f.sessions_min, f.sessions_max
FROM interventions t JOIN by_claim f ON f.treatment = t.id JOIN by_study s ON s.treatment = t.id
WHERE t.kind = 'intervention'
ORDER BY s.studies DESC, t.id;

CREATE TABLE condition_summary AS
SELECT st.id AS condition,
       st.label,
       count(DISTINCT c.citekey) AS studies,
       count(c.claim_id) AS claims,
       string_agg(DISTINCT c.treatment, ', ' ORDER BY c.treatment) FILTER (WHERE c.treatment NOT IN (SELECT id FROM interventions WHERE kind = 'comparator')) AS interventions,
       min(c.value) FILTER (WHERE c.outcome IN ('efficacy', 'comparative_efficacy') AND c.unit = 'percent') AS efficacy_min_pct,
       max(c.value) FILTER (WHERE c.outcome IN ('efficacy', 'comparative_efficacy') AND c.unit = 'percent') AS efficacy_max_pct
FROM conditions st JOIN claims c ON c.condition = st.id
GROUP BY st.id, st.label
ORDER BY studies DESC, st.id;

CREATE TABLE intervention_condition_summary AS
SELECT c.treatment AS intervention,
       coalesce(c.condition, 'unspecified') AS condition,
       count(DISTINCT c.citekey) AS studies,
       count(*) AS claims,
       min(s.evidence_level) AS best_level
FROM claims c JOIN studies s USING (citekey)
WHERE c.treatment IS NOT NULL
  AND c.treatment NOT IN (SELECT id FROM interventions WHERE kind = 'comparator')
GROUP BY ALL
ORDER BY intervention, condition;
