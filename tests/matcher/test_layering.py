"""The layering rule of DESIGN.md: imports point down only; matcher/ stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_MATCHER = {
    "faiss", "torch", "sentence_transformers", "fastapi", "sqlite3", "sqlalchemy", "index",
    "service", "os", "pathlib", "uvicorn", "starlette", "pydantic", "onnxruntime",
}  # fmt: skip
FORBIDDEN_IN_INDEX = {"service", "fastapi", "uvicorn", "starlette"}
FORBIDDEN_CALLS_IN_MATCHER = {"open", "getenv"}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted((ROOT / "matcher").rglob("*.py")), ids=str)
def test_matcher_imports_nothing_impure(path: Path) -> None:
    assert not imported_roots(path) & FORBIDDEN_IN_MATCHER
    tree = ast.parse(path.read_text())
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & FORBIDDEN_CALLS_IN_MATCHER


@pytest.mark.parametrize("path", sorted((ROOT / "index").rglob("*.py")), ids=str)
def test_index_does_not_import_service(path: Path) -> None:
    assert not imported_roots(path) & FORBIDDEN_IN_INDEX


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import faiss\nfrom service.api import create_app\n")
    assert imported_roots(bad) & FORBIDDEN_IN_MATCHER == {"faiss", "service"}
