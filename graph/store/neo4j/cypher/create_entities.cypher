// Purpose: create nodes of one concrete label (__LABELS__ spliced from the Label enum) whose
//          ids the same transaction found absent (nodes_of), so no MERGE and no comparison.
// Parameters: $rows (property maps, id included, no nulls, no loaded_at),
//             $loaded_at (ISO text: the first acceptance, parsed once)
// Columns: none
WITH datetime($loaded_at) AS stamp
UNWIND $rows AS props
CREATE (n:__LABELS__)
SET n = props, n.loaded_at = stamp
