"""The neo4j-admin files of ``load --initial``: typed headers, one file per label and type,
empty strings apart from absent properties, lists, line breaks, and what is refused."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph.store.neo4j.bulk import (
    ARRAY_DELIMITER,
    BulkImportError,
    ImportFiles,
    _neo4j_type,
    admin_command,
    export_items,
    node_columns,
    relationship_columns,
)
from graph.vocabulary import NODE_LABELS, RECORD_REL_TYPES, RelType

STAMP = "2025-01-02T03:04:05.000006Z"
ENTERPRISE: dict[str, Any] = {
    "id": "91420103MA9HHA0E3H",
    "name": '武汉"越泓"商贸有限公司',
    "label": "Enterprise",
    "kind": "company",
    "established": "2020-04-20",
    "former_names": ["甲公司", "乙公司"],
    "source_file": "企业登记信息.csv",
    "source_row": 2,
    "loaded_at": STAMP,
}
PERSON = {"id": "person:1", "name": "张三", "label": "Person", "loaded_at": STAMP}
PENALTY = {
    "id": "penalty:1",
    "kind": "AdministrativePenalty",
    "subject_id": "91420103MA9HHA0E3H",
    "issuing_authority": "市场监督管理局",
    "content": "第一行\n第二行",
    "fine_amount": 0.1,
    "status": "active",
    "loaded_at": STAMP,
}
SHAREHOLDER = {
    "type": "SHAREHOLDER_OF",
    "key": "",
    "ratio": 0.6,
    "loaded_at": STAMP,
    "source_id": "person:1",
    "target_id": "91420103MA9HHA0E3H",
}
CONCERNS = {
    "type": "CONCERNS",
    "key": "",
    "source_id": "penalty:1",
    "target_id": "91420103MA9HHA0E3H",
}


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def lines(path: Path) -> list[str]:
    return path.read_text("utf-8").split("\n")


@pytest.fixture
def files(tmp_path: Path) -> ImportFiles:
    items: list[tuple[str, dict[str, Any]]] = [
        ("node", dict(ENTERPRISE)),
        ("node", dict(PERSON)),
        ("node", dict(PENALTY)),
        ("edge", dict(SHAREHOLDER)),
        ("edge", dict(CONCERNS)),
    ]
    return export_items(items, tmp_path / "import")


def test_field_types_are_what_the_driver_stores() -> None:
    assert _neo4j_type(str) == "string"
    assert _neo4j_type(int | None) == "long"  # a Python int is a 64-bit integer
    assert _neo4j_type(float | None) == "double"  # neo4j-admin's float is 32 bits
    assert _neo4j_type(date | None) == "date"
    assert _neo4j_type(list[str]) == "string[]"
    assert _neo4j_type(RelType) == "string"
    with pytest.raises(TypeError):
        _neo4j_type(dict[str, str])


def test_every_label_and_type_has_columns() -> None:
    nodes = node_columns()
    assert set(nodes) == {str(label) for label in NODE_LABELS}
    assert nodes["Enterprise"]["former_names"] == "string[]"
    assert nodes["Enterprise"]["loaded_at"] == "datetime"
    assert nodes["AdministrativePenalty"]["fine_amount"] == "double"
    assert nodes["AdministrativePenalty"]["decision_date"] == "date"
    rels = relationship_columns()
    assert set(rels) == {str(t) for t in RelType}
    for rel_type in RECORD_REL_TYPES:  # MERGEd by upsert_records with only their key
        assert rels[str(rel_type)] == {"key": "string"}
    assert "source_id" not in rels["SHAREHOLDER_OF"]
    assert rels["SHAREHOLDER_OF"]["type"] == "string"  # the online upsert stores it too


def test_one_file_per_label_with_the_umbrella_labels(files: ImportFiles) -> None:
    assert sorted(files.nodes) == [
        "Node:Entity:Enterprise",
        "Node:Entity:Person",
        "Node:Record:AdministrativePenalty",
    ]
    assert sorted(files.relationships) == ["CONCERNS", "SHAREHOLDER_OF"]
    assert (files.node_count, files.relationship_count) == (3, 2)
    assert files.multiline == [files.nodes["Node:Record:AdministrativePenalty"]]  # two lines


def test_node_rows_are_typed_and_keep_absent_apart_from_empty(files: ImportFiles) -> None:
    path = files.nodes["Node:Entity:Enterprise"]
    header = lines(path)[0].split(",")
    assert header[0] == "id:ID"
    assert "established:date" in header and "source_row:long" in header
    assert "loaded_at:datetime" in header and "former_names:string[]" in header
    assert "id" not in [h.split(":")[0] for h in header[1:]]  # the id property is id:ID
    row = dict(zip(header, rows(path)[1], strict=True))
    assert row["name:string"] == ENTERPRISE["name"]  # quotes survive
    assert row["former_names:string[]"] == ARRAY_DELIMITER.join(ENTERPRISE["former_names"])
    assert row["established:date"] == "2020-04-20"
    assert row["source_row:long"] == "2"
    text = lines(path)[1]
    assert ",," in text  # an absent property: an empty unquoted field, no property
    assert text.startswith('"91420103MA9HHA0E3H",')


def test_relationship_rows_keep_an_empty_key(files: ImportFiles) -> None:
    concerns = lines(files.relationships["CONCERNS"])
    assert concerns[0] == ":START_ID,:END_ID,key:string"
    assert concerns[1] == '"penalty:1","91420103MA9HHA0E3H",""'  # key '' is a property
    shareholder = files.relationships["SHAREHOLDER_OF"]
    header = lines(shareholder)[0].split(",")
    row = dict(zip(header, rows(shareholder)[1], strict=True))
    assert row[":START_ID"] == "person:1" and row["ratio:double"] == "0.6"
    assert row["type:string"] == "SHAREHOLDER_OF"
    assert '""' in lines(shareholder)[1]  # the empty key, quoted


def test_unknown_properties_labels_and_delimiters_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BulkImportError, match="no column for"):
        export_items([("node", {**PERSON, "nickname": "x"})], tmp_path / "a")
    with pytest.raises(BulkImportError, match="unknown label"):
        export_items([("node", {"id": "x", "label": "Planet"})], tmp_path / "b")
    with pytest.raises(BulkImportError, match="array delimiter"):
        named = {**ENTERPRISE, "former_names": [f"甲{ARRAY_DELIMITER}乙"]}
        export_items([("node", named)], tmp_path / "c")


def test_the_admin_command(files: ImportFiles, tmp_path: Path) -> None:
    command = admin_command("java", tmp_path / "lib", files, "neo4j")
    assert command[command.index("org.neo4j.cli.AdminTool") + 1 :][:4] == [
        "database",
        "import",
        "full",
        "neo4j",
    ]
    assert "--overwrite-destination=true" in command
    assert "--multiline-fields-format=v2" in command
    penalties = files.nodes["Node:Record:AdministrativePenalty"]
    assert f"--multiline-fields={penalties}" in command
    assert f"--nodes=Node:Entity:Person={files.nodes['Node:Entity:Person']}" in command
    inside = files.admin_arguments("neo4j", directory="/import")
    assert "--relationships=CONCERNS=/import/relationships-CONCERNS.csv" in inside


def test_the_docker_compose_commands_name_the_files_inside_the_container(
    files: ImportFiles,
) -> None:
    from api.commands.initial import docker_commands

    stop, run, up = docker_commands(files, "neo4j")
    assert stop == "docker compose stop neo4j credgraph"
    assert f"-v {files.directory.resolve()}:/import:ro neo4j" in run
    assert "neo4j-admin database import full neo4j --overwrite-destination=true" in run
    assert "--nodes=Node:Entity:Person=/import/nodes-Person.csv" in run
    assert up.startswith("docker compose up")
