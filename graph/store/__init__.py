"""Graph stores behind one protocol; ``open_store`` picks one from the settings."""

from __future__ import annotations

from graph.settings import Settings
from graph.store.protocol import GraphStore


def open_store(settings: Settings, *, read_only: bool = False) -> GraphStore:
    """Neo4j when CREDGRAPH_NEO4J_URI is set, else the embedded store under data_dir/graph.

    ``read_only`` (for commands that only ask questions): an embedded graph that exists is
    opened without taking it, so it works beside the process that owns it (``credgraph
    serve`` or a load) and sees every batch that process committed.
    """
    if settings.neo4j_uri:
        from graph.store.neo4j.store import Neo4jStore

        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
        auth = (settings.neo4j_user, password) if password is not None else None
        return Neo4jStore(
            settings.neo4j_uri,
            auth,
            database=settings.neo4j_database,
            batch_size=settings.write_batch_size,
            fetch_size=settings.neo4j_fetch_size,
            query_timeout=settings.query_timeout,
            connect_timeout=settings.connect_timeout,
        )
    from graph.store.embedded.store import EmbeddedStore

    directory = settings.data_dir / "graph"
    if read_only and directory.is_dir():
        return EmbeddedStore(directory, read_only=True)
    return EmbeddedStore(directory)
