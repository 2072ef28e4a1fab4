// Purpose: create records of one kind (__LABELS__ spliced from the Label enum) whose ids the
//          same transaction found absent (nodes_of), each linked to its subject (CONCERNS)
//          and issuer (ISSUED_BY); a new record has no links yet, so CREATE, not MERGE.
// Parameters: $rows: list of [property map (id included, no nulls, no loaded_at),
//             subject_id, issuer_id or null], $loaded_at (ISO text, parsed once)
// Columns: none
WITH datetime($loaded_at) AS stamp
UNWIND $rows AS row
MATCH (s:Node {id: row[1]})
CREATE (r:__LABELS__)
SET r = row[0], r.loaded_at = stamp
CREATE (r)-[:CONCERNS {key: ''}]->(s)
WITH r, row[2] AS issuer_id
WHERE issuer_id IS NOT NULL
MATCH (a:Node {id: issuer_id})
CREATE (r)-[:ISSUED_BY {key: ''}]->(a)
