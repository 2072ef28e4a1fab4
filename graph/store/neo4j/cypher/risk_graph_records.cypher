// Purpose: the candidate records of a risk graph: black-list entries valid on $as_of and
//          administrative penalties decided in [$since, $as_of] (label scans; the caller
//          decides status and revocation with common.risk_record, as the embedded store).
// Parameters: $as_of (date), $since (date)
// Columns: record (property map of the fields risk_record reads)
CALL () {
  MATCH (x:ListEntry)
  WHERE x.list_type = 'black'
    AND (x.valid_from IS NULL OR x.valid_from <= $as_of)
    AND (x.valid_to IS NULL OR x.valid_to >= $as_of)
  RETURN x
  UNION ALL
  MATCH (x:AdministrativePenalty)
  WHERE x.decision_date >= $since AND x.decision_date <= $as_of
  RETURN x
}
RETURN x {.id, .kind, .subject_id, .list_type, .list_name, .status, .status_since,
          .decision_date, .valid_from, .valid_to, .violation_type, .title} AS record
