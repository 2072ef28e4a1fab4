"""Source files -> graph items: one module per source format, plus the demo data."""
