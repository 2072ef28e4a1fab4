// Purpose: the concrete label of each existing node among the ids (batch pre-checks).
// Parameters: $ids (list of node ids), $umbrella (labels to ignore: Node, Entity, Record)
// Columns: id, label
UNWIND $ids AS node_id
MATCH (n:Node {id: node_id})
RETURN n.id AS id, [l IN labels(n) WHERE NOT l IN $umbrella][0] AS label
