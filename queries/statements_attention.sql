-- title: Statements needing attention
-- description: Statements that are unsupported, contradicted, partly supported, changed in the article, or whose number disagrees with the evidence.
-- params: slug (text, default ''): an article slug; empty for all articles
SELECT s.slug, s.statement_id, s.quote, v.verdict, v.strength, v.numeric_check, s.anchor,
       v.reasons[1] AS first_reason
FROM statements s JOIN verdicts v USING (slug, statement_id)
WHERE ($slug = '' OR s.slug = $slug)
  AND (v.verdict IN ('unsupported', 'contradicted', 'partly_supported')
       OR v.numeric_check = 'disagrees' OR s.anchor IN ('changed', 'missing'))
ORDER BY s.slug, s.number;
