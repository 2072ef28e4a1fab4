// Purpose: organisations by a legacy code; __FIELD__ is org_code or registration_number,
//          checked against CODE_FIELDS before it is spliced.
// Parameters: $values (list of codes)
// Columns: value, ids (node ids, sorted)
UNWIND $values AS value
MATCH (n:Entity {__FIELD__: value})
WITH value, n.id AS id
ORDER BY id
RETURN value, collect(id) AS ids
