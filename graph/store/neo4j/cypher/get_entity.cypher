// Purpose: an entity or contact point with its records (CONCERNS), newest decision first.
// Parameters: $id, $limit (records to return)
// Columns: props (the node's properties), records (list of property maps), total
MATCH (n:Node {id: $id})
WHERE n:Entity OR n:ContactPoint
OPTIONAL MATCH (n)<-[:CONCERNS]-(r:Record)
WITH n, r
ORDER BY r.decision_date IS NULL, r.decision_date DESC, r.id
WITH n, collect(properties(r)) AS records
RETURN properties(n) AS props, records[0..$limit] AS records, size(records) AS total
