// Purpose: wait until every index and constraint is online (after init_schema).
// Parameters: $seconds
// Columns: none
CALL db.awaitIndexes($seconds)
