"""Schemathesis against the app's OpenAPI schema: every operation, both stores, two roles.

For every operation of ``/openapi.json`` (each ``/v1`` route, ``/healthz``, ``/readyz``,
``/metrics``) schemathesis generates requests from the schema and checks every answer:
never a 500, only documented status codes, a content type and a body that conform to the
schema. Three kinds of request per operation: valid ones (random subjects, mostly unknown),
invalid ones, and valid ones whose subjects are entities of the loaded graph (so the other
parameters - dates, limits, relation types, depths - reach the questions themselves).

Questions are asked with an investigator key and an ``X-Purpose`` header (questions about
persons must state one), the administration routes with an admin key, and ``get_stats``
(the one route both may call) with both. Examples are few, derandomized and not shrunk, so
each store's run takes well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import policy
from api.app import create_app
from api.keys import KeyRing, Role
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore
from graph.store.protocol import GraphStore
from graph.vocabulary import RelType
from queries.clusters.history import RunHistory
from tests import factories
from tests.queries import scenarios as s
from tests.queries.test_cluster_history import cluster, make_run

MAX_EXAMPLES = 8  # per operation, caller and kind of request
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same examples on every run
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing case is shown
    suppress_health_check=list(HealthCheck),
)
UNGUARDED = {"healthz", "readyz", "metrics"}  # no key, no role: they ask nothing about anyone
ROLES = (Role.INVESTIGATOR, Role.ADMIN)
SPARE_KEYS = ["spare-1", "spare-2"]  # what DELETE /v1/keys/{name} may revoke

# Subjects of the loaded graph, as callers type them: ids, a citizen ID number, a phone.
KNOWN = [
    s.DEBTOR.id,
    s.SECOND.id,
    s.NEIGHBOUR.id,
    s.MODEL.id,
    s.COURT.id,
    s.LEGAL_REP.id,
    s.SUPERVISOR.id,
    s.PHONE.id,
    "42010219800101001X",  # 周明, the debtor's legal representative
]
RECORDS = [record.id for record in s.graph()["records"]]
TEXTS = ["武汉", "建设有限公司", s.DEBTOR.name, s.LEGAL_REP.name, s.DEBTOR.id, "42010219800101001X"]
ONE_SUBJECT = {"entity_id", "subject", "id", "authority_id", "source", "target", "staff"}
SUBJECT_LISTS = {"id": 2, "party": 1}  # query arrays of subjects, with their least size
BODY_SUBJECTS = {"POST /v1/checks", "POST /v1/evasion", "POST /v1/statuses"}  # "subjects" lists


@pytest.fixture
def world(store: GraphStore, tmp_path: Path) -> Iterator[tuple[Any, dict[Role, str]]]:
    """The app's schema, on ``store`` loaded with the scenarios graph, and one key per role."""
    store.init_schema()
    graph = s.graph()  # and a civil servant serving in the court, for the conflict routes
    graph["relations"].append(s.rel(RelType.SERVES_IN, s.SUPERVISOR, s.COURT, role="civil_servant"))
    factories.load(store, graph)
    settings = Settings(data_dir=tmp_path, id_hash_key=factories.KEY.decode())
    # one saved cluster run, so the cluster routes have something to answer
    RunHistory(settings.clusters_path).save(make_run(1, cluster(s.DEBTOR.id, s.SECOND.id)))
    ring = KeyRing(settings.keys_path)
    keys = {role: ring.create(f"st-{role.value}", role) for role in ROLES}
    for name in SPARE_KEYS:
        ring.create(name, Role.PUBLIC)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings, store))
    yield schema, keys
    asgi.shutdown_lifespans()  # schemathesis keeps the app's lifespan running until told


def grounded(operation: Any) -> st.SearchStrategy[Any] | None:
    """Valid cases whose subjects (path, query or body) are entities of the loaded graph."""
    path: dict[str, st.SearchStrategy[Any]] = {}
    for param in operation.path_parameters:
        if param.name == "record_id":
            path[param.name] = st.sampled_from(RECORDS)
        elif param.name == "name":
            path[param.name] = st.sampled_from(SPARE_KEYS)
        elif param.name == "cluster_id":
            path[param.name] = st.sampled_from(["cl-000001"])
        elif param.name in ONE_SUBJECT:
            path[param.name] = st.sampled_from(KNOWN)
    query: dict[str, st.SearchStrategy[Any]] = {}
    for param in operation.query:
        if param.name in SUBJECT_LISTS:
            least = SUBJECT_LISTS[param.name]
            query[param.name] = st.lists(st.sampled_from(KNOWN), min_size=least, max_size=4)
        elif param.name in ONE_SUBJECT:
            query[param.name] = st.sampled_from(KNOWN)
        elif param.name == "q":  # search
            query[param.name] = st.sampled_from(TEXTS)
    takes_subjects = operation.label in BODY_SUBJECTS
    if not path and not query and not takes_subjects:
        return None

    def cases(fixed: tuple[dict[str, Any], dict[str, Any]]) -> st.SearchStrategy[Any]:
        strategy: st.SearchStrategy[Any] = operation.as_strategy(
            path_parameters=fixed[0] or None, query=fixed[1] or None
        )
        if takes_subjects:
            strategy = st.tuples(strategy, st.lists(st.sampled_from(KNOWN), min_size=1, max_size=5))
            strategy = strategy.map(with_subjects)
        return strategy

    return st.tuples(st.fixed_dictionaries(path), st.fixed_dictionaries(query)).flatmap(cases)


def with_subjects(pair: tuple[Any, list[str]]) -> Any:
    case, subjects = pair
    if isinstance(case.body, dict):
        case.body = {**case.body, "subjects": subjects}
    return case


def strategies(operation: Any) -> dict[str, st.SearchStrategy[Any]]:
    """The kinds of request asked of ``operation``, by name."""
    kinds = {
        "valid": operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        "invalid": operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    }
    known = grounded(operation)
    if known is not None:
        kinds["known subjects"] = known
    return kinds


def run(
    strategy: st.SearchStrategy[Any], headers: dict[str, str], statuses: set[int], *, optional: bool
) -> None:
    """Ask the cases of ``strategy`` and check each answer; raises on the first failure."""

    @SETTINGS
    @hypothesis.given(case=strategy)
    def ask(case: schemathesis.Case[Any]) -> None:
        response = case.call(headers=headers)
        statuses.add(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        ask()
    except hypothesis.errors.Unsatisfiable:
        if not optional:
            raise
        # no invalid request exists (no parameters, or only free strings): nothing to ask


def test_every_operation_conforms_to_the_schema(world: tuple[Any, dict[Role, str]]) -> None:
    schema, keys = world
    failures: list[str] = []
    asked: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        op_id = operation.definition.raw["operationId"]
        asked.add(op_id)
        callers: list[Role | None] = (
            [None] if op_id in UNGUARDED else [r for r in ROLES if policy.allowed(r, op_id)]
        )
        assert callers, f"{op_id}: neither an investigator nor an admin may call it"
        for role in callers:
            headers = {"X-Purpose": "schemathesis"}
            if role is not None:
                headers["Authorization"] = f"Bearer {keys[role]}"
            statuses: set[int] = set()
            for kind, strategy in strategies(operation).items():
                try:
                    run(strategy, headers, statuses, optional=kind == "invalid")
                except (Exception, BaseExceptionGroup) as exc:  # reported together below
                    failures.append(f"{operation.label} as {role} ({kind}):\n{exc}")
            if not statuses & {200, 201}:  # the key, the purpose and the subjects did work
                failures.append(f"{operation.label} as {role}: never answered, only {statuses}")
    assert not failures, "\n\n".join(failures)
    paths = schema.app.openapi()["paths"]
    documented = {op["operationId"] for item in paths.values() for op in item.values()}
    assert asked == documented  # no operation excluded
    assert documented - UNGUARDED <= set(policy.ACCESS)
    # /v1/search is served once queries/search.py exists; every other route must be there
    assert set(policy.ACCESS) - documented <= {"search"}


def test_what_schemathesis_found(tmp_path: Path) -> None:
    """Regressions: an all-unknown batch, a body that is not UTF-8, 404 on query subjects."""
    store = EmbeddedStore(tmp_path / "graph")
    factories.load(store, s.graph())
    settings = Settings(data_dir=tmp_path, id_hash_key=factories.KEY.decode())
    with TestClient(create_app(settings, store), headers={"X-Purpose": "tests"}) as client:
        batch = client.post("/v1/checks", json={"subjects": ["nobody", ""], "matter": "bidding"})
        assert batch.status_code == 200, batch.text  # not "at least one subject is needed"
        assert batch.json()["results"] == [] and batch.json()["not_found"] == ["nobody", ""]
        for raw in (b"\xc0\xaf", b"{"):  # not UTF-8; not JSON
            bad = client.post(
                "/v1/checks", content=raw, headers={"Content-Type": "application/json"}
            )
            assert bad.status_code == 422, bad.text
            assert bad.json()["error"]["code"] == "invalid_input"
            assert bad.json()["error"]["field"] == "body"
        paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
        for path in ("/v1/paths", "/v1/connect", "/v1/conflicts"):
            assert "404" in paths[path]["get"]["responses"], path
        assert client.get("/v1/paths", params={"source": "x", "target": "y"}).status_code == 404
    store.close()
