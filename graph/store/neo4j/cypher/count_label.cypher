// Purpose: number of nodes with one label (__LABELS__ spliced from the Label enum).
// Parameters: none
// Columns: n
MATCH (n:__LABELS__)
RETURN count(n) AS n
