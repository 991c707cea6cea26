-- title: Statements by verdict
-- description: How many statements of each article are supported, partly supported, unsupported, contradicted or not checkable.
-- params: slug (text, default ''): an article slug; empty for all articles
SELECT v.slug, v.verdict, count(*) AS statements,
       string_agg(v.statement_id, ', ' ORDER BY s.number) AS statement_ids
FROM verdicts v JOIN statements s USING (slug, statement_id)
WHERE $slug = '' OR v.slug = $slug
GROUP BY v.slug, v.verdict
ORDER BY v.slug, CASE v.verdict WHEN 'supported' THEN 1 WHEN 'partly_supported' THEN 2 WHEN 'unsupported' THEN 3
                                WHEN 'contradicted' THEN 4 ELSE 5 END;
