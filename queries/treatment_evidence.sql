-- title: Evidence per intervention
-- description: For each intervention: studies, designs, participants, conditions, efficacy range (%), downtime range (days) and sessions.
-- params: treatment (text, default ''): a treatment id to show only that treatment; empty for all
-- Reads treatment_summary, built at load time (evidence/load/summaries.sql): milliseconds at a million claims.
SELECT *
FROM treatment_summary
WHERE $treatment = '' OR treatment = $treatment
ORDER BY studies DESC, treatment;
