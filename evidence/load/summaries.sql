-- Pre-aggregated tables, built at load time from the loaded tables (one statement each).
-- The canned queries per treatment, per scar type and per treatment x scar type read these, so
-- they answer in milliseconds at a million claims instead of grouping every claim on each run.
-- Same definitions as the queries had; a workspace query may still group `claims` itself.

CREATE TABLE treatment_summary AS
WITH c AS (
    SELECT c.treatment, c.citekey, c.scar_type, c.outcome, c.unit, c.value, c.low, c.high, c.n, c.downtime_days,
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
           string_agg(DISTINCT scar_type, ', ' ORDER BY scar_type) AS scar_types,
           min(value) FILTER (WHERE outcome IN ('efficacy', 'comparative_efficacy') AND unit = 'percent') AS efficacy_min_pct,
           max(value) FILTER (WHERE outcome IN ('efficacy', 'comparative_efficacy') AND unit = 'percent') AS efficacy_max_pct,
           min(coalesce(downtime_days, CASE WHEN outcome = 'downtime' AND unit = 'days' THEN coalesce(low, value) END)) AS downtime_min_days,
           max(coalesce(downtime_days, CASE WHEN outcome = 'downtime' AND unit = 'days' THEN coalesce(high, value) END)) AS downtime_max_days,
           min(sessions) AS sessions_min,
           max(sessions) AS sessions_max
    FROM c GROUP BY treatment
)
SELECT t.id AS treatment, t.label, s.studies, s.designs, s.best_level, s.participants, f.claims, f.scar_types,
       f.efficacy_min_pct, f.efficacy_max_pct, f.downtime_min_days, f.downtime_max_days, f.sessions_min, f.sessions_max
FROM treatments t JOIN by_claim f ON f.treatment = t.id JOIN by_study s ON s.treatment = t.id
ORDER BY s.studies DESC, t.id;

CREATE TABLE scar_type_summary AS
SELECT st.id AS scar_type,
       st.label,
       count(DISTINCT c.citekey) AS studies,
       count(c.claim_id) AS claims,
       string_agg(DISTINCT c.treatment, ', ' ORDER BY c.treatment) AS treatments,
       min(c.value) FILTER (WHERE c.outcome IN ('efficacy', 'comparative_efficacy') AND c.unit = 'percent') AS efficacy_min_pct,
       max(c.value) FILTER (WHERE c.outcome IN ('efficacy', 'comparative_efficacy') AND c.unit = 'percent') AS efficacy_max_pct
FROM scar_types st JOIN claims c ON c.scar_type = st.id
GROUP BY st.id, st.label
ORDER BY studies DESC, st.id;

CREATE TABLE treatment_scar_summary AS
SELECT c.treatment,
       coalesce(c.scar_type, 'unspecified') AS scar_type,
       count(DISTINCT c.citekey) AS studies,
       count(*) AS claims,
       min(s.evidence_level) AS best_level
FROM claims c JOIN studies s USING (citekey)
WHERE c.treatment IS NOT NULL
GROUP BY ALL
ORDER BY c.treatment, scar_type;
