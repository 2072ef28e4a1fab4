// Purpose: create or update nodes of one concrete label (__LABELS__ is spliced from the
//          Label enum after checking), keyed by id; loaded_at is kept from the first load.
// Parameters: $rows: list of {i, id, props (no nulls, no loaded_at), loaded_at (ISO text)}
// Columns: created, updated (lists of row indexes i; the others changed nothing)
UNWIND $rows AS row
OPTIONAL MATCH (old:Node {id: row.id})
WITH row, old IS NULL AS created,
     old IS NOT NULL AND all(k IN keys(row.props) WHERE old[k] = row.props[k]) AS same
MERGE (n:Node {id: row.id})
ON CREATE SET n.loaded_at = datetime(row.loaded_at)
SET n:__LABELS__
SET n += row.props
RETURN collect(CASE WHEN created THEN row.i END) AS created,
       collect(CASE WHEN NOT created AND NOT same THEN row.i END) AS updated
