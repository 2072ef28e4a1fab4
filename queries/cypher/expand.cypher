// Purpose: two levels of links in one read (the approval check's surroundings): the links of
//          $ids, then the links of the nodes they reach (other than $ids), except through a
//          hub (a node with $cap or more links, i.e. more than the caller's cap). Rows and
//          columns as links.cypher, the first level's rows first; a second-level row's own
//          records are null (they came with the first level, as an other end's).
// Parameters: as links.cypher
// Columns: as links.cypher, and level (1 or 2)
UNWIND $ids AS node_id
MATCH (n:Node {id: node_id})
WHERE n:Entity OR n:ContactPoint
CALL (n) {
__INCLUDE_links_of__
}
WITH collect({n: n, links: links}) AS first
CALL (first) {
  UNWIND first AS f
  UNWIND CASE WHEN size(f.links) >= $cap THEN [] ELSE f.links END AS l
  WITH DISTINCT l.other.id AS next
  WHERE NOT next IN $ids
  MATCH (n:Node {id: next})
  WHERE n:Entity OR n:ContactPoint
  CALL (n) {
__INCLUDE_links_of__
  }
  RETURN collect({n: n, links: links}) AS second
}
UNWIND [f IN first | f {.*, level: 1}] + [s IN second | s {.*, level: 2}] AS row
WITH row.n AS n, row.links AS links, row.level AS level
RETURN level, n.id AS id, labels(n) AS labels, n {.id, .name, .value} AS props, links,
       CASE WHEN level = 2 THEN null WHEN $kinds = [] THEN [] ELSE COLLECT {
         MATCH (n)<-[:CONCERNS]-(x:Record)
         WHERE any(l IN labels(x) WHERE l IN $kinds)
         WITH x ORDER BY x.decision_date IS NULL, x.decision_date DESC, x.id
         LIMIT $record_limit
         RETURN x {.*, loaded_at: toString(x.loaded_at)}
       } END AS records
