// Purpose: the baseline of bench/load.py: one node merged by one statement (no batching).
//          __LABELS__ is spliced from the Label enum after checking.
// Parameters: $id, $props
// Columns: none
MERGE (n:Node {id: $id})
SET n:__LABELS__
SET n += $props
