// Purpose: update existing nodes of one concrete label (__LABELS__ spliced from the Label
//          enum after checking) where the batch changes them: SET only when a property
//          differs; fields an item leaves out are kept, loaded_at too.
// Parameters: $rows: list of [id, first copy's property map, all copies' map or null when
//             the id is not repeated] (maps without nulls or loaded_at)
// Columns: updated (ids whose first copy changed the node)
UNWIND $rows AS row
MATCH (n:Node {id: row[0]})
WITH n, row, coalesce(row[2], row[1]) AS props,
     all(k IN keys(row[1]) WHERE coalesce(n[k] = row[1][k], false)) AS same
WITH n, row, same, all(k IN keys(props) WHERE coalesce(n[k] = props[k], false)) AS unchanged
CALL (n, row, unchanged) {
  WITH n, row
  WHERE NOT unchanged
  SET n:__LABELS__
  SET n += coalesce(row[2], row[1])
}
RETURN collect(CASE WHEN NOT same THEN row[0] END) AS updated
