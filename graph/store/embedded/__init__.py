"""The embedded store: networkx in memory, made durable by a journal and snapshots."""
