// Fragment (spliced into search_names and search_names_scan): each name and former name of
// `node` folded as graph.store.names.fold folds (lower case, full-width brackets half-width,
// line breaks as spaces) and ranked against $text (folded): 0 equal, 1 starts with it,
// 2 contains it; the best match per node and field (name, former_name), the best $limit
// by (rank, size of the folded text, id, field).
WITH node, [node.name] + coalesce(node.former_names, []) AS texts
UNWIND range(0, size(texts) - 1) AS i
WITH node, i, texts[i] AS text,
     replace(replace(replace(toLower(texts[i]), '（', '('), '）', ')'), '\n', ' ') AS folded
WITH node, i, text, size(folded) AS size,
     CASE WHEN folded = $text THEN 0
          WHEN folded STARTS WITH $text THEN 1
          WHEN folded CONTAINS $text THEN 2 END AS rank
WHERE rank IS NOT NULL
WITH node, CASE i WHEN 0 THEN 'name' ELSE 'former_name' END AS field, text, rank, size, i
ORDER BY rank, size, i
WITH node, field, collect({text: text, rank: rank, size: size})[0] AS best
RETURN node.id AS id, labels(node) AS labels, node.name AS name, node.uscc AS uscc, field,
       best.text AS text, best.rank AS rank, best.size AS size
ORDER BY rank, size, id, field
LIMIT $limit
