// Purpose: create nodes of one concrete label (__LABELS__ spliced from the Label enum) that
//          do not exist yet; existing ones are left untouched (upsert_entities, create_only).
// Parameters: $rows: list of {i, id, props (no nulls, no loaded_at), loaded_at}
// Columns: i (the row's index in the batch), created, same (always true for existing nodes)
UNWIND $rows AS row
OPTIONAL MATCH (old:Node {id: row.id})
WITH row, old IS NULL AS created
MERGE (n:Node {id: row.id})
ON CREATE SET n:__LABELS__, n += row.props, n.loaded_at = row.loaded_at
RETURN row.i AS i, created, true AS same
