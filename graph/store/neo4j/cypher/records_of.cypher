// Purpose: the records concerning each of several nodes (CONCERNS), of the given kinds,
//          newest decision first, at most $limit per node.
// Parameters: $ids, $kinds (concrete record labels), $limit
// Columns: id, records (list of property maps)
UNWIND $ids AS node_id
MATCH (n:Node {id: node_id})<-[:CONCERNS]-(r:Record)
WHERE any(l IN labels(r) WHERE l IN $kinds)
WITH n, r
ORDER BY r.decision_date IS NULL, r.decision_date DESC, r.id
WITH n, collect(r {.*, loaded_at: toString(r.loaded_at)}) AS records
RETURN n.id AS id, records[0..$limit] AS records
