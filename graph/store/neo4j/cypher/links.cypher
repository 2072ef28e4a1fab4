// Purpose: the links of several entities or contact points at once, of the given types,
//          valid on $as_of; at most $cap + 1 per node are returned (more marks a hub).
//          The types are spliced from the RelType enum after checking (a typed pattern skips
//          the record links of a dense node, e.g. an authority's ISSUED_BY). With $kinds not
//          empty, each node and each other end also brings its records of those kinds.
// Parameters: $ids, $direction ('out' | 'in' | 'both'), $as_of (date or null), $cap,
//             $kinds (concrete record labels, or []), $record_limit
// Columns: id, labels, props (of the node), records (of the node), hub (more than the cap),
//          links (list of {type, rel, way, other, other_labels, records});
//          loaded_at comes as text: the driver's DateTime decoding cost more than the query
UNWIND $ids AS node_id
MATCH (n:Node {id: node_id})
WHERE n:Entity OR n:ContactPoint
CALL (n) {
__INCLUDE_links_of__
}
RETURN n.id AS id, labels(n) AS labels, n {.id, .name, .value} AS props, links,
       size(links) >= $cap AS hub,
       CASE WHEN $kinds = [] THEN [] ELSE COLLECT {
         MATCH (n)<-[:CONCERNS]-(x:Record)
         WHERE any(l IN labels(x) WHERE l IN $kinds)
         WITH x ORDER BY x.decision_date IS NULL, x.decision_date DESC, x.id
         LIMIT $record_limit
         RETURN x {.*, loaded_at: toString(x.loaded_at)}
       } END AS records
