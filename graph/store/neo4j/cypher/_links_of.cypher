// Fragment (spliced where a statement includes links_of): the body of `CALL (n) {}`
// that answers node n's links of the given types valid on $as_of as one list `links` of at
// most $cap maps {type, rel, way, other, other_labels, records}; with $kinds not empty each
// other end brings its records of those kinds (newest decision first, at most $record_limit).
  MATCH (n)-[r:__TYPES__]-(m)
  WHERE ($as_of IS NULL OR ((r.valid_from IS NULL OR r.valid_from <= $as_of)
                            AND (r.valid_to IS NULL OR r.valid_to >= $as_of)))
  WITH r, m, CASE WHEN startNode(r) = n THEN 'out' ELSE 'in' END AS way
  WHERE $direction = 'both' OR $direction = way
  WITH r, m, way
  LIMIT $cap
  RETURN collect({type: type(r), rel: r {.*, loaded_at: toString(r.loaded_at)}, way: way,
                  other: m {.id, .name, .value}, other_labels: labels(m),
                  records: CASE WHEN $kinds = [] THEN [] ELSE COLLECT {
                    MATCH (m)<-[:CONCERNS]-(x:Record)
                    WHERE any(l IN labels(x) WHERE l IN $kinds)
                    WITH x ORDER BY x.decision_date IS NULL, x.decision_date DESC, x.id
                    LIMIT $record_limit
                    RETURN x {.*, loaded_at: toString(x.loaded_at)}
                  } END}) AS links
