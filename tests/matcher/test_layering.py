"""The layering rule: imports point down only (``service`` → ``index`` → ``matcher``), ``matcher``
stays pure (no I/O, no model, index or web libraries), and no module imports another that imports
it back, directly or through others."""

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


# ------------------------------------------------------------------ no import cycles anywhere
PACKAGES = ("matcher", "index", "service")


def type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines inside ``if TYPE_CHECKING:`` blocks (imports for annotations only)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the project modules it imports (at module level or inside functions), from
    ``import a.b`` and ``from a.b import c`` (``c`` counted when it is itself a module)."""
    paths = [p for package in PACKAGES for p in sorted((root / package).rglob("*.py"))]
    modules = {_relative_name(root, p): p for p in paths}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        skip = type_checking_lines(tree)
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def _relative_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_modules() -> None:
    assert cycles(import_graph(ROOT)) == []


def test_the_cycle_check_catches_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "service"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from service.b import g\n")
    (package / "b.py").write_text("from service import a\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from service.a import f\n"
    )
    for other in ("matcher", "index"):
        (tmp_path / other).mkdir()
    assert cycles(import_graph(tmp_path)) == [["service.a", "service.b"]]


# ------------------------------------------------------------------ rooms stay small
MAX_FUNCTION_LINES = 120


def long_functions(root: Path, *, limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """Functions of the packages over ``limit`` lines (Alembic revisions are declarations)."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts and "versions" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = (node.end_lineno or node.lineno) - node.lineno + 1
                    if lines > limit:
                        found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} {lines}")
    return found


def test_no_function_is_longer_than_a_screenful_or_two() -> None:
    assert long_functions(ROOT) == []


def test_the_length_check_catches_a_long_function(tmp_path: Path) -> None:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "index" / "long.py").write_text(f"def long():\n{body}")
    assert long_functions(tmp_path) == [f"index/long.py:1 long {MAX_FUNCTION_LINES + 1}"]
