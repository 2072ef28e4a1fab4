"""Source files -> model objects: one module per source format, plus the demo data."""
