// Purpose: number of relationships of one type (__TYPE__ spliced from the RelType enum).
// Parameters: none
// Columns: n
MATCH ()-[r:__TYPE__]->()
RETURN count(r) AS n
