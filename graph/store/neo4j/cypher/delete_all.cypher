// Purpose: empty a database the caller owns (tests' and benchmarks' own servers only).
// Parameters: none
// Columns: none
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS
