-- title: Pooled estimates
-- description: Results pooled per intervention, comparator, outcome and measure (common effect and random effects), with heterogeneity; ratios on their natural scale. 'not pooled' rows say why (overlap, too few results).
-- params: none
SELECT p.intervention, p.comparator, p.outcome, p.measure, p.statistic, p.k, p.participants, p.method,
       round(p.estimate, 3) AS estimate, round(p.ci_low, 3) AS ci_low, round(p.ci_high, 3) AS ci_high,
       round(p.pi_low, 3) AS pi_low, round(p.pi_high, 3) AS pi_high, round(p.i2, 1) AS i2,
       round(p.tau2, 4) AS tau2, round(p.q, 3) AS q, array_to_string(p.studies, ', ') AS studies,
       array_to_string(p.excluded, '; ') AS excluded, array_to_string(p.notes, '; ') AS notes
FROM pooled_estimates p
ORDER BY p.intervention, p.comparator, p.outcome, p.measure, p.statistic, p.method;
