// Purpose: create or update records of one kind (__LABELS__ spliced from the Label enum),
//          keyed by id, and (re)link each to its subject (CONCERNS) and issuer (ISSUED_BY).
// Parameters: $rows: list of {i, id, subject_id, issuer_id, props (no nulls), loaded_at (ISO text)}
// Columns: created, updated (lists of row indexes i; the others changed nothing)
UNWIND $rows AS row
OPTIONAL MATCH (old:Node {id: row.id})
WITH row, old IS NULL AS created,
     old IS NOT NULL AND all(k IN keys(row.props) WHERE old[k] = row.props[k]) AS same
MERGE (r:Node {id: row.id})
ON CREATE SET r.loaded_at = datetime(row.loaded_at)
SET r:__LABELS__
SET r += row.props
WITH r, row, created, same
CALL (r, row) {
  MATCH (s:Node {id: row.subject_id})
  MERGE (r)-[:CONCERNS {key: ''}]->(s)
  WITH r, s
  MATCH (r)-[stale:CONCERNS]->(other)
  WHERE other <> s
  DELETE stale
}
CALL (r, row) {
  OPTIONAL MATCH (r)-[stale:ISSUED_BY]->(other)
  WHERE row.issuer_id IS NULL OR other.id <> row.issuer_id
  DELETE stale
}
CALL (r, row) {
  MATCH (a:Node {id: row.issuer_id})
  MERGE (r)-[:ISSUED_BY {key: ''}]->(a)
}
RETURN collect(CASE WHEN created THEN row.i END) AS created,
       collect(CASE WHEN NOT created AND NOT same THEN row.i END) AS updated
