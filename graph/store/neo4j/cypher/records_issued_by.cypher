// Purpose: the records an authority issued (ISSUED_BY), newest decision first.
// Parameters: $id, $limit
// Columns: found (whether the authority exists), records (list of property maps)
OPTIONAL MATCH (a:Node {id: $id})
WHERE a:Authority
OPTIONAL MATCH (a)<-[:ISSUED_BY]-(r:Record)
WITH a, r
ORDER BY r.decision_date IS NULL, r.decision_date DESC, r.id
WITH a, collect(properties(r)) AS records
RETURN a IS NOT NULL AS found, records[0..$limit] AS records
