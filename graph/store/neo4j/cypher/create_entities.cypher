// Purpose: create nodes of one concrete label (__LABELS__ spliced from the Label enum) that
//          do not exist yet; existing ones are left untouched (upsert_entities, create_only).
// Parameters: $rows: list of {i, id, props (no nulls, no loaded_at), loaded_at (ISO text)}
// Columns: created, updated (lists of row indexes i; existing ones are untouched)
UNWIND $rows AS row
OPTIONAL MATCH (old:Node {id: row.id})
WITH row, old IS NULL AS created
MERGE (n:Node {id: row.id})
ON CREATE SET n:__LABELS__, n += row.props, n.loaded_at = datetime(row.loaded_at)
RETURN collect(CASE WHEN created THEN row.i END) AS created, [] AS updated
