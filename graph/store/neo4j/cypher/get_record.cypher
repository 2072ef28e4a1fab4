// Purpose: one record by id.
// Parameters: $id
// Columns: props
MATCH (r:Record {id: $id})
RETURN properties(r) AS props
