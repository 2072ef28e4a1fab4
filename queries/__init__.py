"""The questions credgraph answers, written once against GraphStore; Cypher text in cypher/."""
