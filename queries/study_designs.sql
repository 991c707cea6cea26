-- title: Studies by design
-- description: How many studies of each design the library holds, with their participants (evidence levels 1 = meta-analysis to 5 = opinion).
-- params: none
SELECT design, any_value(evidence_level) AS evidence_level, count(*) AS studies, sum(n) AS participants
FROM studies
GROUP BY design
ORDER BY evidence_level, design;
