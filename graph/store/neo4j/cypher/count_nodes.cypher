// Purpose: number of nodes in the database (from the count store); a first load by
//          neo4j-admin import refuses a database where this is not 0.
// Parameters: none
// Columns: n
MATCH (n)
RETURN count(n) AS n
