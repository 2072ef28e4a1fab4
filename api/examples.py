"""Response examples for the OpenAPI page: real answers kept in ``api/examples.json``.

``scripts/examples`` writes the file from the answers of an app on the scenario graph
(``{operation_id: body}``); ``GuardedRoute`` adds each operation's example to its success
response. The file is read once, on first use.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

FILE = "examples.json"


@cache
def load_examples() -> dict[str, Any]:
    """Every operation's example answer, by operation id (empty when the file is missing)."""
    source = resources.files("api").joinpath(FILE)
    if not source.is_file():
        return {}
    examples: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return examples


def response_examples(operation_id: str, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """The FastAPI ``responses`` entry carrying the example answer of ``operation_id``.

    >>> entry = response_examples("create_key", 201)
    >>> list(entry), entry[201]["content"]["application/json"]["example"]["role"]
    ([201], 'approver')
    >>> response_examples("no_such_operation")
    {}
    """
    examples = load_examples()
    if operation_id not in examples:
        return {}
    return {status: {"content": {"application/json": {"example": examples[operation_id]}}}}
