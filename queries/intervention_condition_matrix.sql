-- title: Intervention × condition matrix
-- description: How many studies report on each intervention for each condition (what evidence exists for what).
-- params: none
-- Reads intervention_condition_summary, built at load time (evidence/load/summaries.sql).
SELECT *
FROM intervention_condition_summary
ORDER BY intervention, condition;
