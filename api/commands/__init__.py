"""Command modules of the ``credgraph`` CLI, one per group of questions; each has register(app)."""
