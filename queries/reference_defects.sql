-- title: References with defects
-- description: Entries of each article's printed reference list with their defects and the library record they match.
-- params: none
SELECT r.slug, r.number, r.matched_citekey, r.match_method, r.match_score,
       array_to_string(r.defects, ', ') AS defects,
       array_to_string(r.defect_messages, '; ') AS details
FROM article_references r
WHERE len(r.defects) > 0
ORDER BY r.slug, r.number;
