-- title: Evidence per condition
-- description: For each condition (the workspace's condition vocabulary): studies, claims, the interventions studied and the efficacy range (%).
-- params: none
-- Reads condition_summary, built at load time (evidence/load/summaries.sql).
SELECT *
FROM condition_summary
ORDER BY studies DESC, condition;
