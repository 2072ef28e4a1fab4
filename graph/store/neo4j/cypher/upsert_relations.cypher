// Purpose: create or update relations of one type (__TYPE__ spliced from the RelType enum),
//          keyed by (source, target, key); endpoints were pre-checked. Absent: CREATE;
//          present: SET only when a property differs (never with $create_only).
// Parameters: $rows: list of [source_id, target_id, key, first copy's property map, all
//             copies' map or null when not repeated] (no nulls), $loaded_at (ISO text),
//             $create_only (true: leave existing relations untouched)
// Columns: created, updated (row positions; the others changed nothing)
WITH datetime($loaded_at) AS stamp
UNWIND range(0, size($rows) - 1) AS i
WITH stamp, i, $rows[i] AS row
MATCH (a:Node {id: row[0]})
MATCH (b:Node {id: row[1]})
OPTIONAL MATCH (a)-[old:__TYPE__ {key: row[2]}]->(b)
WITH stamp, i, row, a, b, old, coalesce(row[4], row[3]) AS props
CALL (stamp, a, b, old, props) {
  WITH stamp, a, b, old, props
  WHERE old IS NULL
  CREATE (a)-[r:__TYPE__]->(b)
  SET r = props, r.loaded_at = stamp
}
WITH i, row, old, props,
     old IS NOT NULL AND NOT $create_only
     AND NOT all(k IN keys(row[3]) WHERE coalesce(old[k] = row[3][k], false)) AS changed
CALL (old, props) {
  WITH old, props
  WHERE old IS NOT NULL AND NOT $create_only
    AND NOT all(k IN keys(props) WHERE coalesce(old[k] = props[k], false))
  SET old += props
}
RETURN collect(CASE WHEN old IS NULL THEN i END) AS created,
       collect(CASE WHEN changed THEN i END) AS updated
