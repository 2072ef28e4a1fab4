"""The dependency direction api -> queries -> graph <- loaders holds, read from the imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "graph": {"api", "loaders", "queries"},
    "queries": {"api", "loaders"},
    "loaders": {"api", "queries"},
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_import_only_downstream(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if imports(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_cypher_lives_only_in_queries() -> None:
    keywords = ("MATCH (", "MERGE (", "UNWIND $")
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("graph", "api", "loaders")
        for path in (ROOT / package).rglob("*.py")
        if any(word in path.read_text("utf-8") for word in keywords)
    ]
    assert offenders == []
