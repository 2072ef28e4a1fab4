"""Cypher statements for the Neo4j store: one named statement per .cypher file."""
