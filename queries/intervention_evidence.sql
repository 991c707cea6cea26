-- title: Evidence per intervention
-- description: For each intervention (comparators such as placebo left out): studies, designs, participants, conditions, efficacy range (%), downtime range (days) and sessions.
-- params: intervention (text, default ''): an intervention id to show only that one; empty for all
-- Reads intervention_summary, built at load time (evidence/load/summaries.sql): milliseconds at a million claims.
SELECT *
FROM intervention_summary
WHERE $intervention = '' OR intervention = $intervention
ORDER BY studies DESC, intervention;
