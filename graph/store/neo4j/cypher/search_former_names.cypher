// Purpose: the name and former names of the organisations an upsert is about to write, so
//          that one renamed keeps its old name among its former names (曾用名), which the
//          name search finds (upsert_entities).
// Parameters: $ids (node ids)
// Columns: id, name, former_names (null when none)
UNWIND $ids AS node_id
MATCH (n:Node {id: node_id})
RETURN n.id AS id, n.name AS name, n.former_names AS former_names
