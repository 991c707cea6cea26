-- title: Intervention × condition matrix
-- description: How many studies report on each intervention for each condition (what evidence exists for what).
-- params: none
-- Reads treatment_scar_summary, built at load time (evidence/load/summaries.sql).
SELECT *
FROM treatment_scar_summary
ORDER BY treatment, scar_type;
