// Purpose: one level of a risk graph: for each node of $ids, its relations of the risk types
//          (__TYPES__ spliced from the RelType enum after checking) valid on $as_of. On level
//          1 (seeds) every such relation; on level 2 a person's or contact point's every
//          such relation, an organisation's outgoing $holding ones. A node whose relations
//          reach more than $cap distinct nodes sends its degree and no links.
// Parameters: $ids, $as_of (date), $level (1 or 2), $holding (relation type names), $cap
// Columns: id, label (labels of the node), name, established, degree,
//          links (list of [type, source id, target id, valid_from, other id, other labels,
//          other name, other established])
UNWIND $ids AS node_id
MATCH (n:Node {id: node_id})
CALL (n) {
  MATCH (n)-[r:__TYPES__]-(m)
  WHERE (r.valid_from IS NULL OR r.valid_from <= $as_of)
    AND (r.valid_to IS NULL OR r.valid_to >= $as_of)
    AND ($level = 1 OR n:Person OR n:ContactPoint
         OR (startNode(r) = n AND type(r) IN $holding))
  WITH r, m, startNode(r) = n AS out
  RETURN count(DISTINCT m) AS degree,
         collect([type(r), CASE WHEN out THEN n.id ELSE m.id END,
                  CASE WHEN out THEN m.id ELSE n.id END, r.valid_from, m.id, labels(m),
                  coalesce(m.name, m.value, m.id), m.established]) AS links
}
RETURN n.id AS id, labels(n) AS label, coalesce(n.name, n.value, n.id) AS name,
       n.established AS established, degree,
       CASE WHEN $level = 2 AND degree > $cap THEN [] ELSE links END AS links
