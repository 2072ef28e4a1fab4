// Purpose: update existing records whose properties or links the batch changes (compared in
//          Python with what nodes_of read): set the properties, (re)link each to its subject
//          (CONCERNS) and issuer (ISSUED_BY), drop links to others.
// Parameters: $rows: list of [id, property map (no nulls, no loaded_at), subject_id,
//             issuer_id or null]
// Columns: none
UNWIND $rows AS row
MATCH (r:Node {id: row[0]})
SET r += row[1]
WITH r, row
CALL (r, row) {
  OPTIONAL MATCH (r)-[stale:CONCERNS]->(other)
  WHERE other.id <> row[2]
  DELETE stale
}
CALL (r, row) {
  OPTIONAL MATCH (r)-[stale:ISSUED_BY]->(other)
  WHERE row[3] IS NULL OR other.id <> row[3]
  DELETE stale
}
CALL (r, row) {
  MATCH (s:Node {id: row[2]})
  MERGE (r)-[:CONCERNS {key: ''}]->(s)
}
CALL (r, row) {
  MATCH (a:Node {id: row[3]})
  MERGE (r)-[:ISSUED_BY {key: ''}]->(a)
}
