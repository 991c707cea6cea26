-- title: Evidence per scar type
-- description: For each scar type: studies, claims, the treatments studied and the efficacy range (%).
-- params: none
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
