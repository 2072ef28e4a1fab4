// Purpose: the constraints and indexes that exist, with their state.
// Parameters: none
// Columns: name, state
SHOW INDEXES YIELD name, state
RETURN name, state
