-- title: Evidence per condition
-- description: For each condition (the workspace's condition vocabulary): studies, claims, the interventions studied and the efficacy range (%).
-- params: none
-- Reads scar_type_summary, built at load time (evidence/load/summaries.sql).
SELECT *
FROM scar_type_summary
ORDER BY studies DESC, scar_type;
