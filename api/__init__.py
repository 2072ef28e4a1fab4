"""credgraph's HTTP API and command line."""
