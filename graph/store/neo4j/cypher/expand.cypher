// Purpose: two levels of links in one read (the approval check's surroundings): the links of
//          $ids, then the links of the nodes they reach (other than $ids), except through a
//          hub (a node with $cap or more links, i.e. more than the caller's cap). Rows and
//          columns as links.cypher, the first level's rows first; a second-level row's own
//          records are null (they came with the first level, as an other end's).
//          With $prune, only links that lead towards records are sent: a second-level link
//          whose other end has records, a first-level link whose other end has records or
//          such second-level links (never counting $ids as the other end); second-level rows
//          only for nodes with a link left or that are hubs. The caller finishes the pruning.
// Parameters: as links.cypher, and $prune (boolean)
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
  WITH n, links, size(links) >= $cap AS hub
  WITH n, hub, CASE WHEN $prune AND NOT hub
                    THEN [l IN links WHERE size(l.records) > 0 AND NOT l.other.id IN $ids]
                    ELSE links END AS links
  WHERE NOT $prune OR hub OR size(links) > 0
  RETURN collect({n: n, links: links, hub: hub}) AS second
}
WITH first, second, [s IN second WHERE NOT s.hub AND size(s.links) > 0 | s.n.id] AS onward
UNWIND [f IN first | {n: f.n, hub: size(f.links) >= $cap, level: 1,
                      links: CASE WHEN $prune AND size(f.links) < $cap
                             THEN [l IN f.links WHERE NOT l.other.id IN $ids
                                   AND (size(l.records) > 0 OR l.other.id IN onward)]
                             ELSE f.links END}]
       + [s IN second | s {.*, level: 2}] AS row
WITH row.n AS n, row.links AS links, row.hub AS hub, row.level AS level
RETURN level, n.id AS id, labels(n) AS labels, n {.id, .name, .value} AS props, links, hub,
       CASE WHEN level = 2 THEN null WHEN $kinds = [] THEN [] ELSE COLLECT {
         MATCH (n)<-[:CONCERNS]-(x:Record)
         WHERE any(l IN labels(x) WHERE l IN $kinds)
         WITH x ORDER BY x.decision_date IS NULL, x.decision_date DESC, x.id
         LIMIT $record_limit
         RETURN x {.*, loaded_at: toString(x.loaded_at)}
       } END AS records
