-- What each page of the site is made from, as one digest per page, computed over the tables without
-- building a single page context (render/dependencies.py; the render then builds only the pages whose
-- digest changed). A digest covers every row the page's context is built from, one link further than
-- the packaged templates print: a statement carries the rows of every claim in its evidence.
--
-- Set digests hash each row (DuckDB's hash of all its columns) and add the hashes up with their count
-- (macro ``setdigest``, defined by dependencies.py): no sort, and no dependence on the order of a scan.
-- Result: kind, key, digest.

WITH art AS (
    SELECT a.slug, hash(a.slug, a.title, a.outlet, a.url, a.published, a.experts, a.body_line, a.text_hash,
                        a.source_file, md5(coalesce(a.body, '<null>'))) AS h
    FROM articles a
), claim_core AS (  -- a claim as any page prints it: its row, its study's and record's rows, its quote check
    SELECT c.claim_id, c.citekey, c.treatment, c.condition, c.comparator, hash(c, st, b, q) AS h
    FROM claims c JOIN studies st USING (citekey) JOIN bibliography b USING (citekey)
    LEFT JOIN quote_checks q USING (claim_id)
), evidence AS (  -- per statement: its links with the claims they point to
    SELECT l.slug, l.statement_id,
           setdigest(hash(l, cc.h)) AS h
    FROM links l LEFT JOIN claim_core cc USING (claim_id)
    GROUP BY l.slug, l.statement_id
), stmt AS (  -- a statement with its verdict, its article (URL, text) and its evidence
    SELECT s.slug, s.statement_id, hash(s, v, art.h, e.h) AS h
    FROM statements s LEFT JOIN verdicts v USING (slug, statement_id) LEFT JOIN art USING (slug)
    LEFT JOIN evidence e USING (slug, statement_id)
), link_full AS (
    SELECT l.claim_id, l.slug, l.statement_id, hash(l, stmt.h) AS h
    FROM links l LEFT JOIN stmt USING (slug, statement_id)
), notes AS (  -- retractions and corrections of a record
    SELECT citekey, setdigest(hash(m)) AS h
    FROM metadata m WHERE citekey IS NOT NULL GROUP BY citekey
), claim_links AS (
    SELECT claim_id, setdigest(h) AS h FROM link_full GROUP BY claim_id
), claim_full AS (  -- a claim with the notices of its study and the statements resting on it
    SELECT cc.claim_id, cc.citekey, cc.treatment, cc.condition, cc.comparator, hash(cc.h, n.h, cl.h) AS h
    FROM claim_core cc LEFT JOIN notes n USING (citekey) LEFT JOIN claim_links cl USING (claim_id)
), per_study AS (
    SELECT citekey, setdigest(h) AS h FROM claim_full GROUP BY citekey
), per_treatment AS (
    SELECT treatment, count(*) AS n, setdigest(h) AS h
    FROM claim_full WHERE treatment IS NOT NULL GROUP BY treatment
), per_condition AS (
    SELECT condition, count(*) AS n, setdigest(h) AS h
    FROM claim_full WHERE condition IS NOT NULL GROUP BY condition
), synthesis AS (  -- a treatment's summary of findings: certainty rows, pooled rows, statements of their claims
    SELECT t.id AS treatment,
           (SELECT setdigest(hash(o)) FROM outcome_certainty o
            WHERE o.treatment = t.id) AS certainty,
           (SELECT setdigest(hash(p)) FROM pooled_estimates p
            WHERE p.intervention = t.id) AS pooled,
           (SELECT setdigest(cl.h) FROM
              (SELECT DISTINCT unnest(o.claims) AS claim_id FROM outcome_certainty o WHERE o.treatment = t.id) x
              JOIN claim_links cl USING (claim_id)) AS linked
    FROM interventions t
), article_links AS (
    SELECT l.slug, setdigest(hash(l, cf.h)) AS h
    FROM links l LEFT JOIN claim_full cf USING (claim_id) GROUP BY l.slug
), article_refs AS (  -- the article's reference list with the records it matched (and whether they are studies)
    SELECT r.slug, setdigest(hash(r, b, n.h, st.citekey IS NOT NULL)) AS h
    FROM article_references r LEFT JOIN bibliography b ON b.citekey = r.matched_citekey
    LEFT JOIN notes n ON n.citekey = r.matched_citekey LEFT JOIN studies st ON st.citekey = r.matched_citekey
    GROUP BY r.slug
), per_slug AS (
    SELECT slug, setdigest(h) AS h FROM (
        SELECT slug, hash('statement', stmt.h) AS h FROM stmt
        UNION ALL SELECT slug, hash('problem', p) FROM problems p
        UNION ALL SELECT slug, hash('uncovered', u) FROM uncovered u
        UNION ALL SELECT slug, hash('attribution', x) FROM attributions x
    ) GROUP BY slug
)
SELECT 'study' AS kind, st.citekey AS key, CAST(hash(st, b, n.h, ps.h) AS VARCHAR) AS digest
FROM studies st JOIN bibliography b USING (citekey) LEFT JOIN notes n USING (citekey) LEFT JOIN per_study ps USING (citekey)
UNION ALL
SELECT 'treatment', t.id, concat_ws('|', pt.n, pt.h, y.certainty, y.pooled, y.linked)
FROM interventions t LEFT JOIN per_treatment pt ON pt.treatment = t.id LEFT JOIN synthesis y ON y.treatment = t.id
WHERE t.kind <> 'comparator'
UNION ALL
SELECT 'condition', c.id, concat_ws('|', pc.n, pc.h) FROM conditions c LEFT JOIN per_condition pc ON pc.condition = c.id
UNION ALL
SELECT 'article', a.slug, concat_ws('|', art.h, al.h, ar.h, ps.h)
FROM articles a JOIN art USING (slug) LEFT JOIN article_links al USING (slug) LEFT JOIN article_refs ar USING (slug)
LEFT JOIN per_slug ps USING (slug)
UNION ALL  -- claims.json: every statement with its evidence
SELECT 'claims_json', '', (SELECT setdigest(h) FROM stmt)
UNION ALL  -- the index: articles' verdict counts, findings per intervention and condition, every study's line
SELECT 'index', '', concat_ws('|',
    (SELECT setdigest(hash(a.slug, a.title, a.outlet, a.published, v.verdict))
     FROM articles a LEFT JOIN statements s USING (slug) LEFT JOIN verdicts v USING (slug, statement_id)),
    (SELECT setdigest(hash(treatment, k))
     FROM (SELECT treatment, count(*) AS k FROM claims GROUP BY treatment)),
    (SELECT setdigest(hash(comparator, k))
     FROM (SELECT comparator, count(*) AS k FROM claims GROUP BY comparator)),
    (SELECT setdigest(hash(condition, k))
     FROM (SELECT condition, count(*) AS k FROM claims GROUP BY condition)),
    (SELECT setdigest(hash(st, b))
     FROM studies st JOIN bibliography b USING (citekey)))
UNION ALL  -- what every page shares: the vocabularies (labels, links between pages)
SELECT 'shared', '', concat_ws('|',
    (SELECT setdigest(hash(t)) FROM interventions t),
    (SELECT setdigest(hash(c)) FROM conditions c))
