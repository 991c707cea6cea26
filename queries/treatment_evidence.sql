-- title: Evidence per treatment
-- description: For each treatment: studies, designs, participants, scar types, efficacy range (%), downtime range (days) and sessions.
-- params: treatment (text, default ''): a treatment id to show only that treatment; empty for all
WITH c AS (
    SELECT c.*, s.design, s.n AS study_n, s.evidence_level
    FROM claims c JOIN studies s USING (citekey)
    WHERE c.treatment IS NOT NULL AND ($treatment = '' OR c.treatment = $treatment)
), per_study AS (
    SELECT treatment, citekey, any_value(design) AS design, max(coalesce(study_n, n)) AS participants,
           min(evidence_level) AS evidence_level
    FROM c GROUP BY treatment, citekey
)
SELECT t.id AS treatment,
       t.label,
       count(DISTINCT c.citekey) AS studies,
       (SELECT string_agg(DISTINCT p.design, ', ' ORDER BY p.design) FROM per_study p WHERE p.treatment = t.id) AS designs,
       (SELECT min(p.evidence_level) FROM per_study p WHERE p.treatment = t.id) AS best_level,
       (SELECT sum(p.participants) FROM per_study p WHERE p.treatment = t.id) AS participants,
       count(*) AS claims,
       string_agg(DISTINCT c.scar_type, ', ' ORDER BY c.scar_type) AS scar_types,
       min(c.value) FILTER (WHERE c.outcome IN ('efficacy', 'comparative_efficacy') AND c.unit = 'percent') AS efficacy_min_pct,
       max(c.value) FILTER (WHERE c.outcome IN ('efficacy', 'comparative_efficacy') AND c.unit = 'percent') AS efficacy_max_pct,
       min(coalesce(c.downtime_days, CASE WHEN c.outcome = 'downtime' AND c.unit = 'days' THEN coalesce(c.low, c.value) END)) AS downtime_min_days,
       max(coalesce(c.downtime_days, CASE WHEN c.outcome = 'downtime' AND c.unit = 'days' THEN coalesce(c.high, c.value) END)) AS downtime_max_days,
       min(c.sessions) AS sessions_min,
       max(c.sessions) AS sessions_max
FROM treatments t JOIN c ON c.treatment = t.id
GROUP BY t.id, t.label
ORDER BY studies DESC, t.id;
