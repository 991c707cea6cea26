-- title: References with notices
-- description: Studies with a retraction, correction or expression of concern found by `evidence resolve`, with source and date, and the statements resting on them.
-- params: none
WITH n AS (
    SELECT m.citekey, m.source AS found_by, m.fetched_at,
           unnest(from_json(m.notices, '[{"type": "VARCHAR", "source": "VARCHAR", "date": "VARCHAR", "doi": "VARCHAR", "relation": "VARCHAR"}]'), recursive := true)
    FROM metadata m
    WHERE m.notices IS NOT NULL AND m.notices <> '[]'
)
SELECT n.citekey, any_value(b.title) AS title, n.type AS notice, n.source, n.date, n.doi AS notice_doi,
       min(n.fetched_at) AS checked_at,
       (SELECT string_agg(DISTINCT l.statement_id, ', ' ORDER BY l.statement_id)
          FROM links l JOIN claims c USING (claim_id)
         WHERE c.citekey = n.citekey AND l.relation IN ('supports', 'partly')) AS statements
FROM n LEFT JOIN bibliography b USING (citekey)
WHERE coalesce(n.relation, '') <> 'is-notice'
GROUP BY n.citekey, n.type, n.source, n.date, n.doi
ORDER BY n.citekey, n.type, n.date;
