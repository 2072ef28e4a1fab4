// Purpose: the concrete label of each existing node among the ids (batch pre-checks).
// Parameters: $ids (list of node ids), $umbrella (labels to ignore: Node, Entity, Record)
// Columns: ids, labels (parallel lists: the existing ids and their concrete labels)
UNWIND $ids AS node_id
MATCH (n:Node {id: node_id})
WITH n.id AS id, [l IN labels(n) WHERE NOT l IN $umbrella][0] AS label
RETURN collect(id) AS ids, collect(label) AS labels
