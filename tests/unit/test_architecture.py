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


def test_cypher_lives_only_beside_the_neo4j_store() -> None:
    """Cypher is the Neo4j store's implementation: .cypher files under graph/store/neo4j/cypher,
    and no Python module anywhere spells a statement out."""
    keywords = ("MATCH (", "MERGE (", "UNWIND $")
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("graph", "api", "loaders", "queries")
        for path in (ROOT / package).rglob("*.py")
        if any(word in path.read_text("utf-8") for word in keywords)
    ]
    assert offenders == []
    cypher_dir = ROOT / "graph" / "store" / "neo4j" / "cypher"
    stray = [
        str(path.relative_to(ROOT))
        for package in ("graph", "api", "loaders", "queries")
        for path in (ROOT / package).rglob("*.cypher")
        if path.parent != cypher_dir
    ]
    assert stray == []
    assert len(list(cypher_dir.glob("*.cypher"))) > 10


def test_packages_read_files_only_from_themselves() -> None:
    """A file dependency is a dependency: resources.files() names the package itself or below."""
    offenders = []
    for package in ("graph", "api", "loaders", "queries"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "attr", None) == "files"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    here = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
                    if not str(node.args[0].value).startswith(here):
                        offenders.append(f"{path.relative_to(ROOT)} reads {node.args[0].value}")
    assert offenders == []


def test_each_store_stands_alone() -> None:
    """The embedded and Neo4j stores share only graph/store's common modules."""
    store = ROOT / "graph" / "store"
    for name, other in (("embedded", "neo4j"), ("neo4j", "embedded")):
        for path in (store / name).rglob("*.py"):
            text = path.read_text("utf-8")
            assert f"graph.store.{other}" not in text, path


def test_the_synthetic_county_is_one_package() -> None:
    assert not list((ROOT / "loaders").glob("generate*.py"))
    assert (ROOT / "loaders" / "synthetic" / "county.py").exists()
