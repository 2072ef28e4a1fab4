"""credgraph domain core: model, identifiers, settings and the graph stores."""
