"""Keys and roles: every route x every role (and no key, a wrong key, a revoked key), masking."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api import policy
from api.app import create_app
from api.keys import KeyRing, Role
from graph.records import CreditCommitment, ListEntry, ListKind, ListType, record_id
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore
from graph.vocabulary import Label, RelType
from queries.clusters.history import RunHistory
from tests import factories
from tests.queries import scenarios as s
from tests.queries.test_cluster_history import cluster, make_run

REP_ID_NUMBER = "42010219800101001X"  # 周明, the debtor's legal representative
EXPIRED_ENTRY = ListEntry(
    id=record_id(Label.LIST_ENTRY, "严重违法失信名单", s.DEBTOR.id, "2020-01-01"),
    subject_id=s.DEBTOR.id,
    issuing_authority="武汉市市场监督管理局",
    list_type=ListType.BLACK,
    list_kind=ListKind.SERIOUS_VIOLATION,
    list_name="严重违法失信名单",
    decision_date=date(2020, 1, 1),
    valid_from=date(2020, 1, 1),
    valid_to=date(2021, 1, 1),
)
COMMITMENT = CreditCommitment(
    id=record_id(Label.CREDIT_COMMITMENT, "承诺", s.DEBTOR.id),
    subject_id=s.DEBTOR.id,
    issuing_authority="武汉市发展和改革委员会",
    commitment_type="审批替代型",
    decision_date=date(2025, 3, 1),
)
DEBTOR_ENTRY = record_id(Label.LIST_ENTRY, "失信被执行人名单", s.DEBTOR.id, "2022-05-10")

# The access the issue asks for, written out (not derived from api.policy).
P, A, I, ADM = "public", "approver", "investigator", "admin"  # noqa: E741
EXPECTED: dict[str, set[str]] = {
    "get_entity": {P, A, I},
    "list_neighbours": {P, A, I},
    "get_record": {P, A, I},
    "get_stats": {P, A, I, ADM},
    "list_measures": {A, I},
    "get_check": {A, I},
    "post_checks": {A, I},
    "search": {I},
    "get_propagation": {I},
    "get_exposure": {I},
    "get_equity": {I},
    "get_controllers": {I},
    "get_person_roles": {I},
    "get_evasion": {I},
    "post_evasion": {I},
    "get_paths": {I},
    "get_connection": {I},
    "get_conflicts": {I},
    "get_authority_conflicts": {I},
    "list_clusters": {I},
    "get_cluster": {I},
    "list_cluster_changes": {I},
    "expand_entity": {P, A, I},
    "post_statuses": {P, A, I},
    "get_whoami": {P, A, I, ADM},
    "list_keys": {ADM},
    "create_key": {ADM},
    "revoke_key": {ADM},
    "list_audit": {ADM},
}

# One good request per operation: (method, path, query, json body)
REQUESTS: dict[str, tuple[str, str, dict[str, Any], Any]] = {
    "get_entity": ("GET", f"/v1/entities/{s.DEBTOR.id}", {}, None),
    "list_neighbours": ("GET", f"/v1/entities/{s.DEBTOR.id}/neighbours", {}, None),
    "get_record": ("GET", f"/v1/records/{DEBTOR_ENTRY}", {}, None),
    "get_stats": ("GET", "/v1/stats", {}, None),
    "list_measures": ("GET", "/v1/catalogue/measures", {}, None),
    "get_check": ("GET", "/v1/check", {"subject": s.DEBTOR.id, "matter": "bidding"}, None),
    "post_checks": (
        "POST",
        "/v1/checks",
        {},
        {"subjects": [s.DEBTOR.id, s.CLEAN.id], "matter": "bidding"},
    ),
    "search": ("GET", "/v1/search", {"q": "武汉甲"}, None),
    "get_propagation": ("GET", f"/v1/entities/{s.DEBTOR.id}/propagation", {}, None),
    "get_exposure": ("GET", f"/v1/entities/{s.NEIGHBOUR.id}/exposure", {}, None),
    "get_equity": ("GET", f"/v1/entities/{s.DEBTOR.id}/equity", {}, None),
    "get_controllers": ("GET", f"/v1/entities/{s.DEBTOR.id}/controllers", {}, None),
    "get_person_roles": ("GET", f"/v1/persons/{s.LEGAL_REP.id}/roles", {}, None),
    "get_evasion": ("GET", f"/v1/entities/{s.DEBTOR.id}/evasion", {}, None),
    "post_evasion": ("POST", "/v1/evasion", {}, {"subjects": [s.DEBTOR.id]}),
    "get_paths": ("GET", "/v1/paths", {"source": s.DEBTOR.id, "target": s.SECOND.id}, None),
    "get_connection": ("GET", "/v1/connect", {"id": [s.DEBTOR.id, s.SECOND.id]}, None),
    "get_conflicts": (
        "GET",
        "/v1/conflicts",
        {"staff": s.SUPERVISOR.id, "party": s.SECOND.id},
        None,
    ),
    "get_authority_conflicts": ("GET", f"/v1/authorities/{s.COURT.id}/conflicts", {}, None),
    "list_clusters": ("GET", "/v1/clusters", {}, None),
    "get_cluster": ("GET", "/v1/clusters/cl-000001", {}, None),
    "list_cluster_changes": ("GET", "/v1/clusters/changes", {"since": "2026-07-01"}, None),
    "expand_entity": ("GET", f"/v1/entities/{s.DEBTOR.id}/expand", {}, None),
    "post_statuses": ("POST", "/v1/statuses", {}, {"subjects": [s.DEBTOR.id, s.LEGAL_REP.id]}),
    "get_whoami": ("GET", "/v1/whoami", {}, None),
    "list_keys": ("GET", "/v1/keys", {}, None),
    "create_key": ("POST", "/v1/keys", {}, {"name": "new-key", "role": "public"}),
    "revoke_key": ("DELETE", "/v1/keys/throwaway", {}, None),
    "list_audit": ("GET", "/v1/audit", {}, None),
}
OK = {"create_key": 201}
CALLERS = [*(r.value for r in Role), "no key", "wrong key", "revoked key"]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], KeyRing]]:
    store = EmbeddedStore(tmp_path / "graph")
    graph = s.graph()
    graph["relations"].append(s.rel(RelType.SERVES_IN, s.SUPERVISOR, s.COURT, role="civil_servant"))
    graph["records"] += [EXPIRED_ENTRY, COMMITMENT]
    factories.load(store, graph)
    settings = Settings(data_dir=tmp_path, id_hash_key=factories.KEY.decode())
    RunHistory(settings.clusters_path).save(make_run(1, cluster(s.DEBTOR.id, s.SECOND.id)))
    ring = KeyRing(settings.keys_path)
    keys = {role.value: ring.create(f"k-{role.value}", role) for role in Role}
    keys["revoked key"] = ring.create("gone", Role.INVESTIGATOR)
    ring.revoke("gone")
    keys["wrong key"] = "cg_" + "x" * 43
    with TestClient(create_app(settings, store), headers={"X-Purpose": "tests"}) as client:
        yield client, keys, ring
    store.close()


def ask(
    client: TestClient, operation: str, key: str | None, **headers: str
) -> Any:  # the httpx response
    method, path, params, body = REQUESTS[operation]
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return client.request(method, path, params=params, json=body, headers=headers)


def test_the_policy_lists_exactly_the_guarded_routes() -> None:
    app = create_app(Settings(data_dir=Path("/nonexistent")))
    operations = {
        op["operationId"]
        for path, item in app.openapi()["paths"].items()
        if path.startswith("/v1/")
        for op in item.values()
    }
    assert operations == set(policy.ACCESS) == set(EXPECTED) == set(REQUESTS)
    assert {k: {r.value for r in v} for k, v in policy.ACCESS.items()} == EXPECTED


@pytest.mark.parametrize("caller", CALLERS)
def test_every_route_for_every_caller(
    world: tuple[TestClient, dict[str, str], KeyRing], caller: str
) -> None:
    client, keys, ring = world
    statuses = {}
    for operation in REQUESTS:
        if operation == "revoke_key":
            ring.create("throwaway", Role.PUBLIC) if "throwaway" not in {
                k.name for k in ring.list()
            } else None
        if operation == "create_key":
            REQUESTS[operation][3]["name"] = f"new-{caller.replace(' ', '-')}"
        response = ask(client, operation, keys.get(caller))
        statuses[operation] = response.status_code
        body = response.json()
        assert REP_ID_NUMBER not in response.text  # never a full ID number, to any role
        if response.status_code >= 400:
            assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    if caller in ("no key", "wrong key", "revoked key"):
        expected = dict.fromkeys(REQUESTS, 401)
    else:
        expected = {
            op: (OK.get(op, 200) if caller in roles else 403) for op, roles in EXPECTED.items()
        }
    assert statuses == expected


def test_masking_by_role(world: tuple[TestClient, dict[str, str], KeyRing]) -> None:
    client, keys, _ = world

    def get(role: str, operation: str) -> Any:
        response = ask(client, operation, keys[role])
        assert response.status_code == 200, response.text
        return response.json()

    public = get(P, "get_entity")
    [view] = public["records"]  # the in-force list entry only: not expired, no commitment
    assert view["record"]["id"] == DEBTOR_ENTRY and public["record_total"] == 1
    assert len(get(I, "get_entity")["records"]) == 3
    neighbours = get(P, "list_neighbours")
    people = [n["node"] for n in neighbours["items"] if n["node"]["label"] == "Person"]
    assert people and all(re.fullmatch(r"person:\*\d+", p["id"]) for p in people)
    # one pseudonym per person within the answer: 周明's roles share one, 吴芳 has another
    alias = {p["name"]: {q["id"] for q in people if q["name"] == p["name"]} for p in people}
    assert len(alias["周*"]) == 1 and alias["周*"] != alias["吴*"]
    assert {p["name"] for p in people} >= {"周*", "吴*"}
    assert "周明" not in json.dumps(neighbours, ensure_ascii=False)
    full = get(I, "list_neighbours")
    assert "周明" in {n["node"]["name"] for n in full["items"]}
    # approvers see the people a verdict rests on by masked name, investigators in full
    params = {"subject": s.LEGAL_REP.id, "matter": "travel", "as_of": "2025-09-01"}
    for role, name in ((A, "周*"), (I, "周明")):
        auth = {"Authorization": f"Bearer {keys[role]}"}
        check = client.get("/v1/check", params=params, headers=auth).json()
        assert check["verdict"] == "restrict" and check["subject"]["name"] == name
    # the public sees no person's profile and no record that is not public
    auth = {"Authorization": f"Bearer {keys[P]}"}
    assert client.get(f"/v1/entities/{s.LEGAL_REP.id}", headers=auth).status_code == 404
    assert client.get(f"/v1/records/{COMMITMENT.id}", headers=auth).status_code == 404
    assert client.get(f"/v1/records/{EXPIRED_ENTRY.id}", headers=auth).status_code == 404
    auth = {"Authorization": f"Bearer {keys[A]}"}
    assert client.get(f"/v1/records/{COMMITMENT.id}", headers=auth).status_code == 200


def test_a_revoked_key_stops_at_once(world: tuple[TestClient, dict[str, str], KeyRing]) -> None:
    client, keys, ring = world
    assert ask(client, "get_stats", keys[P]).status_code == 200
    KeyRing(ring.path).revoke(f"k-{P}")  # as `credgraph keys revoke` would, from elsewhere
    response = ask(client, "get_stats", keys[P])
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert ask(client, "get_stats", keys[A]).status_code == 200


def test_questions_about_persons_need_a_purpose(
    world: tuple[TestClient, dict[str, str], KeyRing],
) -> None:
    client, keys, _ = world
    auth = {"Authorization": f"Bearer {keys[I]}", "X-Purpose": ""}
    for url, params in (
        (f"/v1/persons/{s.LEGAL_REP.id}/roles", {}),
        ("/v1/check", {"subject": REP_ID_NUMBER, "matter": "bidding"}),
        ("/v1/conflicts", {"staff": s.SUPERVISOR.id, "party": s.SECOND.id}),
    ):
        response = client.get(url, params=params, headers=auth)
        assert response.status_code == 400, url
        assert response.json()["error"] == {
            "code": "purpose_required",
            "message": response.json()["error"]["message"],
            "field": "purpose",
        }
    body = {"subjects": [s.DEBTOR.id, REP_ID_NUMBER], "matter": "bidding"}
    assert client.post("/v1/checks", json=body, headers=auth).status_code == 400
    body["purpose"] = "招标 7"
    assert client.post("/v1/checks", json=body, headers=auth).status_code == 200
    company = client.get(
        "/v1/check", params={"subject": s.DEBTOR.id, "matter": "bidding"}, headers=auth
    )
    assert company.status_code == 200  # a company needs no purpose


def test_the_audit_names_the_key_not_the_claim(
    world: tuple[TestClient, dict[str, str], KeyRing],
) -> None:
    client, keys, _ = world
    headers = {"X-Caller": "somebody-else", "X-Purpose": quote("核查 9")}  # UTF-8, encoded
    ask(client, "get_paths", keys[I], **headers)
    lines = ask(client, "list_audit", keys[ADM]).json()
    [line] = [x for x in lines if x["question"] == "GET /v1/paths"]
    assert line["caller"] == f"k-{I}" and line["role"] == "investigator"
    assert line["declared_caller"] == "somebody-else" and line["purpose"] == "核查 9"
    assert keys[I] not in json.dumps(lines)  # a key is never logged
    only = client.get(
        "/v1/audit",
        params={"caller": f"k-{I}", "question": "paths"},
        headers={"Authorization": f"Bearer {keys[ADM]}"},
    ).json()
    assert [x["question"] for x in only] == ["GET /v1/paths"]
