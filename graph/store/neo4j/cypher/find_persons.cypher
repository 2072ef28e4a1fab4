// Purpose: persons by exact name, for entity resolution of masked ID numbers.
// Parameters: $names (list of names)
// Columns: name, persons (list of property maps, ordered by id)
UNWIND $names AS name
MATCH (p:Entity {name: name})
WHERE p:Person
WITH name, p
ORDER BY p.id
RETURN name, collect(properties(p)) AS persons
