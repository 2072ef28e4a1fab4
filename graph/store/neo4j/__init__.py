"""The Neo4j store: the official driver and the named Cypher statements beside it (cypher/)."""
