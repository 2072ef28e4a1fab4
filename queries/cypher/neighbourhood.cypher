// Purpose: one page of an entity's links of the given types, valid on $as_of, ordered by
//          the sort key (type, other id, key, direction) and resumed after $after.
// Parameters: $id, $types, $direction ('out' | 'in' | 'both'), $as_of (date or null),
//             $after (sort key or null), $limit (page size + 1), $sep (sort key separator)
// Columns: total (links matching the filters), page (list of {sk, way, type, rel, other})
MATCH (n:Node {id: $id})
WHERE n:Entity OR n:ContactPoint
CALL (n) {
  MATCH (n)-[r]-(m)
  WHERE type(r) IN $types
    AND ($as_of IS NULL OR ((r.valid_from IS NULL OR r.valid_from <= $as_of)
                            AND (r.valid_to IS NULL OR r.valid_to >= $as_of)))
  WITH r, m, CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END AS way
  WHERE $direction = 'both' OR $direction = way
  RETURN collect({sk: type(r) + $sep + m.id + $sep + r.key + $sep + way, way: way, r: r, m: m})
         AS links
}
CALL (links) {
  UNWIND links AS link
  WITH link
  WHERE $after IS NULL OR link.sk > $after
  WITH link
  ORDER BY link.sk
  LIMIT $limit
  RETURN collect({sk: link.sk, way: link.way, type: type(link.r), rel: properties(link.r),
                  other: properties(link.m), other_labels: labels(link.m)}) AS page
}
RETURN size(links) AS total, page
