-- title: Treatment × scar type matrix
-- description: How many studies report on each treatment for each scar type (what evidence exists for what).
-- params: none
SELECT c.treatment,
       coalesce(c.scar_type, 'unspecified') AS scar_type,
       count(DISTINCT c.citekey) AS studies,
       count(*) AS claims,
       min(s.evidence_level) AS best_level
FROM claims c JOIN studies s USING (citekey)
WHERE c.treatment IS NOT NULL
GROUP BY ALL
ORDER BY c.treatment, scar_type;
