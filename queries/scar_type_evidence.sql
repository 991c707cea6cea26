-- title: Evidence per scar type
-- description: For each scar type: studies, claims, the treatments studied and the efficacy range (%).
-- params: none
-- Reads scar_type_summary, built at load time (evidence/load/summaries.sql).
SELECT *
FROM scar_type_summary
ORDER BY studies DESC, scar_type;
