// Purpose: create or update relations of one type (__TYPE__ is spliced from the RelType
//          enum after checking), keyed by (source, target, key); endpoints were pre-checked.
// Parameters: $rows: list of {i, source_id, target_id, key, props (no nulls), loaded_at (ISO text)}
// Columns: created, updated (lists of row indexes i; the others changed nothing)
UNWIND $rows AS row
MATCH (a:Node {id: row.source_id})
MATCH (b:Node {id: row.target_id})
OPTIONAL MATCH (a)-[old:__TYPE__ {key: row.key}]->(b)
WITH a, b, row, old IS NULL AS created,
     old IS NOT NULL AND all(k IN keys(row.props) WHERE old[k] = row.props[k]) AS same
MERGE (a)-[r:__TYPE__ {key: row.key}]->(b)
ON CREATE SET r.loaded_at = datetime(row.loaded_at)
SET r += row.props
RETURN collect(CASE WHEN created THEN row.i END) AS created,
       collect(CASE WHEN NOT created AND NOT same THEN row.i END) AS updated
