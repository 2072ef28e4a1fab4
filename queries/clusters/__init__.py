"""Scheduled risk-cluster jobs: the risk graph, clusters, scores, run history and changes."""
