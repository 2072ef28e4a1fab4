"""Maps the graph error hierarchy to HTTP responses, in one place."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from graph.errors import CredgraphError, InvalidInput


def install(app: FastAPI) -> None:
    """Register the handler that turns CredgraphError into its status code and a JSON body."""

    @app.exception_handler(CredgraphError)
    async def handle(_: Request, exc: CredgraphError) -> JSONResponse:
        body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
        if isinstance(exc, InvalidInput) and exc.field:
            body["field"] = exc.field
        return JSONResponse(status_code=exc.status_code, content=body)
