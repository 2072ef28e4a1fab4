// Purpose: the baseline of bench/load.py: one relation merged by one statement.
//          __TYPE__ is spliced from the RelType enum after checking.
// Parameters: $source_id, $target_id, $key, $props
// Columns: none
MATCH (a:Node {id: $source_id})
MATCH (b:Node {id: $target_id})
MERGE (a)-[r:__TYPE__ {key: $key}]->(b)
SET r += $props
