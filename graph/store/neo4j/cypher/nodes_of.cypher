// Purpose: the current state of the nodes a batch writes, read before writing in the same
//          transaction: concrete label, properties and, with $links, the ids a record's
//          CONCERNS and ISSUED_BY point at (write_entities / write_records).
// Parameters: $ids (node ids), $umbrella (labels to ignore: Node, Entity, Record),
//             $links (true to read the link targets)
// Columns: nodes (one list per existing node: [id, label, properties, concerns, issued_by];
//          the two id lists are null unless $links)
UNWIND $ids AS node_id
MATCH (n:Node {id: node_id})
RETURN collect([
  n.id,
  [l IN labels(n) WHERE NOT l IN $umbrella][0],
  properties(n),
  CASE WHEN $links THEN [(n)-[:CONCERNS]->(s) | s.id] END,
  CASE WHEN $links THEN [(n)-[:ISSUED_BY]->(a) | a.id] END
]) AS nodes
