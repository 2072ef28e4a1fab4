// Purpose: one record by id.
// Parameters: $id
// Columns: props
MATCH (r:Node {id: $id})
WHERE r:Record
RETURN properties(r) AS props
