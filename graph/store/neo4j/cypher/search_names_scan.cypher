// Purpose: candidates of a name search (search_names) when the text has no two CJK
//          characters in a row for the fulltext indexes to look up (one character, Latin
//          letters or digits only): nodes of $labels are compared one by one, a scan that
//          stops at the first $cap whose name contains the text (or that have former names).
// Parameters: $labels (concrete labels), $text (folded), $plain (true when the text has
//             nothing folding changes: the stored name is compared as it is, faster),
//             $cap, $limit
// Columns: as search_names
MATCH (node:Entity)
WHERE any(l IN labels(node) WHERE l IN $labels)
  AND (node.former_names IS NOT NULL
       OR CASE WHEN $plain THEN node.name CONTAINS $text
               ELSE replace(replace(replace(toLower(node.name), '（', '('), '）', ')'), '\n', ' ')
                    CONTAINS $text END)
WITH node
LIMIT $cap
__INCLUDE_search_rank__
