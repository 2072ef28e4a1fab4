// Purpose: candidates of a name search (search_names) when the text has no two CJK
//          characters in a row for the fulltext indexes to look up (one character, Latin
//          letters or digits only): every node of $labels is compared, a scan.
// Parameters: $labels (concrete labels), $text (folded), $limit
// Columns: as search_names
MATCH (node:Entity)
WHERE any(l IN labels(node) WHERE l IN $labels)
  AND (node.former_names IS NOT NULL
       OR replace(replace(replace(toLower(node.name), '（', '('), '）', ')'), '\n', ' ')
          CONTAINS $text)
__INCLUDE_search_rank__
