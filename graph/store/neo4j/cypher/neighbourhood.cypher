// Purpose: one page of an entity's links of the given types, valid on $as_of, ordered by
//          the sort key (type, other id, key, direction) and resumed after $after. ORDER BY
//          with LIMIT keeps only the top rows, so a hub with 50,000 links costs no memory.
// Parameters: $id, $types, $direction ('out' | 'in' | 'both'), $as_of (date or null),
//             $after (sort key or null), $limit (page size + 1), $sep (sort key separator)
// Columns: sk, way, type, rel (properties), other (properties), other_labels
MATCH (n:Node {id: $id})-[r]-(m)
WHERE (n:Entity OR n:ContactPoint)
  AND type(r) IN $types
  AND ($as_of IS NULL OR ((r.valid_from IS NULL OR r.valid_from <= $as_of)
                          AND (r.valid_to IS NULL OR r.valid_to >= $as_of)))
WITH r, m, CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END AS way
WHERE $direction = 'both' OR $direction = way
WITH r, m, way, type(r) + $sep + m.id + $sep + r.key + $sep + way AS sk
WHERE $after IS NULL OR sk > $after
RETURN sk, way, type(r) AS type, properties(r) AS rel, properties(m) AS other,
       labels(m) AS other_labels
ORDER BY sk
LIMIT $limit
