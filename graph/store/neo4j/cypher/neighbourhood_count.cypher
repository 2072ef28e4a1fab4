// Purpose: how many links neighbourhood() pages through (same filters, no cursor); no row
//          at all when the id is not an entity or contact point.
// Parameters: $id, $types, $direction, $as_of
// Columns: id, total
MATCH (n:Node {id: $id})
WHERE n:Entity OR n:ContactPoint
OPTIONAL MATCH (n)-[r]-(m)
WHERE type(r) IN $types
  AND ($as_of IS NULL OR ((r.valid_from IS NULL OR r.valid_from <= $as_of)
                          AND (r.valid_to IS NULL OR r.valid_to >= $as_of)))
  AND ($direction = 'both' OR ($direction = 'out') = (startNode(r) = n))
RETURN n.id AS id, count(r) AS total
