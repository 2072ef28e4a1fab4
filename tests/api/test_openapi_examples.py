"""Every /v1 operation documents examples: each parameter, each body field, its answer.

The answer examples (api/examples.json, written by scripts/examples) must validate against
the response schema of the same OpenAPI document, so a model change that the examples do
not follow fails here: run ``.venv/bin/python scripts/examples`` again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from api import policy
from api.app import create_app
from api.examples import load_examples
from graph.settings import Settings

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
REGENERATE = "run .venv/bin/python scripts/examples"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    spec: dict[str, Any] = create_app(Settings(data_dir=Path("/nonexistent"))).openapi()
    return spec


def operation(document: dict[str, Any], operation_id: str) -> dict[str, Any]:
    """The /v1 operation ``operation_id`` of the document; skipped while it is not served."""
    for path, item in document["paths"].items():
        for op in item.values():
            if path.startswith("/v1/") and op.get("operationId") == operation_id:
                found: dict[str, Any] = op
                return found
    pytest.skip(f"{operation_id} is not served yet")


def served(document: dict[str, Any]) -> set[str]:
    return {
        op["operationId"]
        for path, item in document["paths"].items()
        if path.startswith("/v1/")
        for op in item.values()
    }


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` itself, or the component its ``$ref`` names."""
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = document
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


def problems(document: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    """Why ``value`` does not validate against ``schema`` (JSON Schema 2020-12, the
    document's components resolving its ``$ref``s); empty when it does."""
    root = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": document.get("components", {}),
    }
    validator = jsonschema_rs.Draft202012Validator(root, validate_formats=True)
    return [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(value)
    ]


def examples_of(holder: dict[str, Any]) -> list[Any]:
    """The example values an OpenAPI object (parameter, media type, schema) carries."""
    found: list[Any] = []
    if "example" in holder:
        found.append(holder["example"])
    examples = holder.get("examples")
    if isinstance(examples, list):  # JSON Schema: a list of values
        found += examples
    elif isinstance(examples, dict):  # OpenAPI: named Example objects
        found += [item["value"] for item in examples.values() if "value" in item]
    return found


OPERATIONS = sorted(policy.ACCESS)


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_every_parameter_has_a_valid_example(document: dict[str, Any], operation_id: str) -> None:
    op = operation(document, operation_id)
    for parameter in op.get("parameters", []):
        name = f"{operation_id}: {parameter['in']} parameter {parameter['name']}"
        schema = parameter.get("schema", {})
        found = examples_of(parameter) + examples_of(schema)
        assert found, f"{name} has no example"
        for value in found:
            errors = problems(document, schema, value)
            assert not errors, f"{name}: the example {value!r} does not fit: {errors}"


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_every_body_field_has_a_valid_example(document: dict[str, Any], operation_id: str) -> None:
    op = operation(document, operation_id)
    if "requestBody" not in op:
        return
    media = op["requestBody"]["content"]["application/json"]
    model = resolve(document, media["schema"])
    whole = examples_of(media) + examples_of(model)
    for value in whole:
        errors = problems(document, media["schema"], value)
        assert not errors, f"{operation_id}: the body example does not fit: {errors}"
    if whole:
        return
    assert model.get("properties"), f"{operation_id}: a body without examples or fields"
    for field, schema in model["properties"].items():
        found = examples_of(schema)
        assert found, f"{operation_id}: body field {field} has no example"
        for value in found:
            errors = problems(document, schema, value)
            assert not errors, (
                f"{operation_id}: body field {field}: {value!r} does not fit: {errors}"
            )


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_the_answer_example_fits_the_answer_schema(
    document: dict[str, Any], operation_id: str
) -> None:
    op = operation(document, operation_id)
    [status] = [code for code in op["responses"] if code.startswith("2")]
    media = op["responses"][status].get("content", {}).get("application/json", {})
    found = examples_of(media)
    assert found, f"{operation_id}: no example of its {status} answer ({REGENERATE})"
    for value in found:
        errors = problems(document, media["schema"], value)
        assert not errors, f"{operation_id}: the example does not fit ({REGENERATE}): {errors}"


def test_examples_are_of_served_operations_and_show_no_id_number(
    document: dict[str, Any],
) -> None:
    examples = load_examples()
    assert set(examples) <= served(document), f"examples of unknown operations ({REGENERATE})"
    text = json.dumps(examples, ensure_ascii=False)
    assert ID_NUMBER.findall(text) == []
