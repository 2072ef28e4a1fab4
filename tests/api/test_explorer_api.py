"""The explorer's routes through the app (both stores): expand, statuses, whoami; purpose
and masking by role."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import KeyRing, Role
from graph.settings import Settings
from graph.store.protocol import GraphStore
from tests import factories
from tests.queries import scenarios as s

DAY = {"as_of": "2026-07-01"}
REP_ID_NUMBER = "42010219800101001X"  # 周明, the debtor's legal representative
EXPAND = f"/v1/entities/{s.DEBTOR.id}/expand"


@pytest.fixture
def world(store: GraphStore, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app on the scenario graph, and a key per role."""
    store.init_schema()
    factories.load(store, s.graph())
    settings = Settings(data_dir=tmp_path, id_hash_key=factories.KEY.decode())
    ring = KeyRing(settings.keys_path)
    keys = {role.value: ring.create(f"k-{role.value}", role) for role in Role}
    with TestClient(create_app(settings, store), headers={"X-Purpose": "tests"}) as client:
        yield client, keys


def as_role(keys: dict[str, str], role: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys[role]}", **headers}


def test_expand_answers_a_ranked_page(world: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = world
    headers = as_role(keys, "investigator")
    response = client.get(EXPAND, params={**DAY, "limit": 2}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "entity_id",
        "entity",
        "as_of",
        "total",
        "offset",
        "items",
        "next_offset",
        "hidden",
        "by_type",
        "truncated",
    }
    assert (body["total"], body["next_offset"], body["hidden"], body["truncated"]) == (
        5,
        2,
        3,
        False,
    )
    assert body["entity"]["id"] == body["entity_id"] and body["entity"]["status"]
    first = body["items"][0]
    assert first["relation"]["type"] == "ACTUAL_CONTROLLER_OF" and first["direction"] == "in"
    assert first["node"] == {
        "id": s.CONTROLLER.id,
        "label": "Person",
        "name": "王刚",
        "status": "reached",
        "in_force": 0,
    }
    assert body["by_type"]["HAS_PHONE"] == 1
    rest = client.get(EXPAND, params={**DAY, "offset": 2}, headers=headers).json()
    assert len(rest["items"]) == 3 and rest["next_offset"] is None and rest["hidden"] == 0
    phones = client.get(EXPAND, params={**DAY, "rel_type": "HAS_PHONE"}, headers=headers).json()
    assert [i["node"]["id"] for i in phones["items"]] == [s.PHONE.id]
    assert phones["by_type"] == {"HAS_PHONE": 1}


def test_expand_errors(world: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = world
    headers = as_role(keys, "investigator")
    missing = client.get("/v1/entities/nobody/expand", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    for params in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"rel_type": "CONCERNS"}):
        assert client.get(EXPAND, params=params, headers=headers).status_code == 422, params


def test_statuses_answer_in_the_order_asked(world: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = world
    body = {"subjects": [s.NEIGHBOUR.id, "nobody", s.DEBTOR.id, s.PHONE.id], **DAY}
    response = client.post("/v1/statuses", json=body, headers=as_role(keys, "approver"))
    assert response.status_code == 200, response.text
    page = response.json()
    assert [(n["id"], n["status"]) for n in page["items"]] == [
        (s.NEIGHBOUR.id, "clean"),
        (s.DEBTOR.id, "listed"),
        (s.PHONE.id, "linked"),
    ]
    assert page["missing"] == ["nobody"] and page["as_of"] == "2026-07-01"
    for wrong in ([s.DEBTOR.id] * 1001, [], [""]):
        refused = client.post(
            "/v1/statuses", json={"subjects": wrong}, headers=as_role(keys, "approver")
        )
        assert refused.status_code == 422


def test_statuses_of_a_person_need_a_purpose(world: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = world
    headers = as_role(keys, "investigator", **{"X-Purpose": ""})
    body: dict[str, Any] = {"subjects": [s.DEBTOR.id, s.LEGAL_REP.id], **DAY}
    refused = client.post("/v1/statuses", json=body, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "purpose_required"
    body["purpose"] = "失信联合惩戒关系核查"
    answered = client.post("/v1/statuses", json=body, headers=headers)
    assert answered.status_code == 200
    assert [n["status"] for n in answered.json()["items"]] == ["listed", "reached"]
    companies = {"subjects": [s.DEBTOR.id, s.SECOND.id], **DAY}
    assert client.post("/v1/statuses", json=companies, headers=headers).status_code == 200
    person = client.get(f"/v1/entities/{s.LEGAL_REP.id}/expand", headers=headers)
    assert person.status_code == 400


def test_people_are_masked_for_the_public(world: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = world

    def expand(role: str) -> Any:
        response = client.get(EXPAND, params=DAY, headers=as_role(keys, role))
        assert response.status_code == 200, response.text
        assert REP_ID_NUMBER not in response.text
        return response.json()

    def rep(body: Any) -> Any:
        [item] = [i for i in body["items"] if i["relation"]["type"] == "LEGAL_REPRESENTATIVE_OF"]
        return item

    public = rep(expand("public"))
    assert public["node"]["name"] == "周*" and re.fullmatch(r"person:\*\d+", public["node"]["id"])
    assert public["relation"]["source_id"] == public["node"]["id"]  # one pseudonym per answer
    assert "周明" not in json.dumps(expand("public"), ensure_ascii=False)
    approver = rep(expand("approver"))
    assert approver["node"]["name"] == "周*" and approver["node"]["id"] == s.LEGAL_REP.id
    investigator = rep(expand("investigator"))
    assert investigator["node"]["name"] == "周明" and investigator["node"]["id"] == s.LEGAL_REP.id
    body = {"subjects": [s.LEGAL_REP.id], **DAY}
    [node] = client.post("/v1/statuses", json=body, headers=as_role(keys, "public")).json()["items"]
    assert node == {
        "id": "person:*1",
        "label": "Person",
        "name": "周*",
        "status": "reached",
        "in_force": 0,
    }


PUBLIC_OPERATIONS = [
    "expand_entity",
    "get_entity",
    "get_record",
    "get_stats",
    "get_whoami",
    "list_neighbours",
    "post_statuses",
]
ADMIN_OPERATIONS = [
    "create_key",
    "get_stats",
    "get_whoami",
    "list_audit",
    "list_keys",
    "revoke_key",
]


@pytest.mark.parametrize("role", list(Role))
def test_whoami_for_every_role(world: tuple[TestClient, dict[str, str]], role: Role) -> None:
    client, keys = world
    response = client.get("/v1/whoami", headers=as_role(keys, role.value))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"name", "role", "full_names", "operations"}
    assert (body["name"], body["role"]) == (f"k-{role.value}", role.value)
    assert body["full_names"] is (role in (Role.INVESTIGATOR, Role.ADMIN))
    operations = body["operations"]
    assert operations == sorted(operations)
    if role is Role.PUBLIC:
        assert operations == PUBLIC_OPERATIONS
    elif role is Role.ADMIN:
        assert operations == ADMIN_OPERATIONS
    elif role is Role.APPROVER:
        assert operations == sorted(
            [*PUBLIC_OPERATIONS, "get_check", "post_checks", "list_measures"]
        )
    else:
        assert {"search", "get_paths", "expand_entity", "post_statuses"} <= set(operations)
        assert not (set(ADMIN_OPERATIONS) - {"get_stats", "get_whoami"}) & set(operations)


def test_whoami_without_keys_is_the_local_investigator(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        body = client.get("/v1/whoami").json()
    assert (body["name"], body["role"], body["full_names"]) == ("local", "investigator", True)
