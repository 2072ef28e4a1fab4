// Purpose: create relations of one type (__TYPE__ spliced from the RelType enum) that do not
//          exist yet; existing ones are left untouched (upsert_relations, create_only).
// Parameters: $rows: list of {i, source_id, target_id, key, props (no nulls), loaded_at (ISO text)}
// Columns: created, updated (lists of row indexes i; existing ones are untouched)
UNWIND $rows AS row
MATCH (a:Node {id: row.source_id})
MATCH (b:Node {id: row.target_id})
OPTIONAL MATCH (a)-[old:__TYPE__ {key: row.key}]->(b)
WITH a, b, row, old IS NULL AS created
MERGE (a)-[r:__TYPE__ {key: row.key}]->(b)
ON CREATE SET r += row.props, r.loaded_at = datetime(row.loaded_at)
RETURN collect(CASE WHEN created THEN row.i END) AS created, [] AS updated
