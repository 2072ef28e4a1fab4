// Purpose: candidates of a name search (search_names): the nodes the fulltext indexes
//          $indexes (one per label, cjk analyzer: pairs of CJK characters) find for
//          $lucene, at most $cap per index (Lucene's best), kept when their name or a
//          former name contains $text; best first (see the fragment _search_rank).
// Parameters: $indexes, $lucene (a phrase per run of CJK characters of the text), $cap,
//             $text (folded), $limit
// Columns: id, labels, name, uscc, field ('name' | 'former_name'), text (as stored),
//          rank (0 equal, 1 starts with, 2 contains), size (of the folded text)
UNWIND $indexes AS index
CALL db.index.fulltext.queryNodes(index, $lucene, {limit: $cap}) YIELD node
__INCLUDE_search_rank__
