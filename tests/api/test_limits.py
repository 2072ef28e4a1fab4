"""Bad and oversized input: clear errors in one shape, nothing echoed in full, batches kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.settings import Settings
from graph.store.embedded.store import EmbeddedStore
from tests import factories
from tests.queries import scenarios as s

REP_ID_NUMBER = "42010219800101001X"
UNKNOWN_ID_NUMBER = "110105194912310021"  # valid, not in the graph
PURPOSE = {"X-Purpose": "tests"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = EmbeddedStore(tmp_path / "graph")
    factories.load(store, s.graph())
    settings = Settings(
        data_dir=tmp_path, id_hash_key=factories.KEY.decode(), max_body_bytes=20_000
    )
    with TestClient(create_app(settings, store), headers=PURPOSE) as client:
        yield client
    store.close()


def error(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    detail: dict[str, object] = body["error"]
    return detail


def test_id_numbers_are_never_echoed(client: TestClient, tmp_path: Path) -> None:
    missing = client.get(f"/v1/entities/{UNKNOWN_ID_NUMBER}")
    assert missing.status_code == 404 and UNKNOWN_ID_NUMBER not in missing.text
    bad = client.get("/v1/check", params={"subject": REP_ID_NUMBER[:-1] + "3", "matter": "travel"})
    assert bad.status_code == 422 and error(bad)["field"] == "subject"
    assert "check digit" in str(error(bad)["message"]) and REP_ID_NUMBER[:-1] not in bad.text
    assert REP_ID_NUMBER[:-1] not in (tmp_path / "audit.jsonl").read_text("utf-8")


def test_a_wrong_uscc_check_digit_is_422_not_404(client: TestClient) -> None:
    typo = s.DEBTOR.id[:-1] + "X"
    response = client.get("/v1/check", params={"subject": typo, "matter": "bidding"})
    assert response.status_code == 422 and error(response)["field"] == "subject"
    zero_width = s.DEBTOR.id[:4] + "\u200b" + s.DEBTOR.id[4:]
    found = client.get("/v1/check", params={"subject": zero_width, "matter": "bidding"})
    assert found.status_code == 200 and found.json()["subject"]["id"] == s.DEBTOR.id


def test_a_batch_answers_the_known_and_names_the_rest(client: TestClient, tmp_path: Path) -> None:
    subjects = [s.DEBTOR.id, "nobody", UNKNOWN_ID_NUMBER, s.CLEAN.id[:-1] + "X", s.CLEAN.id]
    body = {"subjects": subjects, "matter": "bidding", "purpose": "招标 WH-31"}
    response = client.post("/v1/checks", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [r["subject"]["id"] for r in answer["results"]] == [s.DEBTOR.id, s.CLEAN.id]
    assert answer["not_found"][0] == "nobody" and len(answer["not_found"]) == 3
    assert UNKNOWN_ID_NUMBER not in response.text
    [line] = [json.loads(x) for x in (tmp_path / "audit.jsonl").read_text("utf-8").splitlines()]
    assert line["purpose"] == "招标 WH-31" and len(line["params"]["subjects"]) == 5
    assert UNKNOWN_ID_NUMBER not in json.dumps(line, ensure_ascii=False)


def test_sizes_are_bounded(client: TestClient, tmp_path: Path) -> None:
    huge = client.post(
        "/v1/checks",
        content=json.dumps(
            {"subjects": [s.DEBTOR.id], "matter": "bidding", "purpose": "x" * 30_000}
        ),
        headers={"Content-Type": "application/json"},
    )
    assert huge.status_code == 413 and error(huge)["code"] == "payload_too_large"
    many = client.post("/v1/checks", json={"subjects": ["9" * 18] * 501, "matter": "bidding"})
    assert many.status_code == 422 and error(many)["field"] == "subjects"
    assert len(many.text) < 500  # the subjects are not echoed back
    purpose = client.get(f"/v1/entities/{s.DEBTOR.id}", params={"purpose": "p" * 501})
    assert purpose.status_code == 422 and error(purpose)["field"] == "purpose"
    caller = client.get(f"/v1/entities/{s.DEBTOR.id}", headers={"X-Caller": "c" * 201})
    assert caller.status_code == 422 and error(caller)["field"] == "X-Caller"
    for line in (tmp_path / "audit.jsonl").read_text("utf-8").splitlines():
        assert len(line) < 15_000 and "x" * 600 not in line  # a batch's subjects at most


def test_every_error_has_the_one_shape(client: TestClient) -> None:
    for response in (
        client.get("/v1/nowhere"),
        client.get("/v1/check", params={"matter": "bidding"}),  # subject missing
        client.get("/v1/check", params={"subject": s.DEBTOR.id, "matter": "flying"}),
        client.post(
            "/v1/checks", content=b"{not json", headers={"Content-Type": "application/json"}
        ),
        client.delete(f"/v1/entities/{s.DEBTOR.id}"),
    ):
        detail = error(response)
        assert set(detail) == {"code", "message", "field"} and response.status_code >= 400
