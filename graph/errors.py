"""The one error hierarchy of credgraph; api/ maps each class to an HTTP status."""

from __future__ import annotations


class CredgraphError(Exception):
    """Base class of every error credgraph raises on purpose."""

    status_code = 500


class NotFound(CredgraphError):
    """A requested entity, record or relation does not exist."""

    status_code = 404


class InvalidInput(CredgraphError):
    """Input that breaks a rule of the model: the message names the field and the reason."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StoreUnavailable(CredgraphError):
    """The graph store cannot be reached or is not ready (schema missing, server down)."""

    status_code = 503


class StoreInUse(StoreUnavailable):
    """An embedded data directory is owned by another process (or store) right now."""


class QueryTimeout(CredgraphError):
    """A question ran past the store's time limit (CREDGRAPH_QUERY_TIMEOUT) and was cut."""

    status_code = 504
