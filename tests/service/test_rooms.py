"""The HTTP edge's rooms: the API (``service/http``) never imports the pages (``service/web``);
the pages use the API's lower modules (deps, auth, security, exports ...) but never its routers;
only the app factory (``service/app.py``) puts the two together."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parents[2] / "service"


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at module level or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _within(names: set[str], *packages: str) -> set[str]:
    return {n for n in names if any(n == p or n.startswith(p + ".") for p in packages)}


@pytest.mark.parametrize("path", sorted((SERVICE / "http").rglob("*.py")), ids=str)
def test_the_api_never_imports_the_pages(path: Path) -> None:
    assert not _within(imported_modules(path), "service.web", "service.app")


@pytest.mark.parametrize("path", sorted((SERVICE / "web").rglob("*.py")), ids=str)
def test_the_pages_never_import_the_api_routers(path: Path) -> None:
    assert not _within(
        imported_modules(path), "service.http.routes", "service.http.main", "service.app"
    )


def test_only_the_app_factory_assembles_both() -> None:
    outside = [p for p in sorted(SERVICE.rglob("*.py")) if p.relative_to(SERVICE).parts[0] != "web"]
    importers = [
        p.relative_to(SERVICE).as_posix()
        for p in outside
        if _within(imported_modules(p), "service.web")
    ]
    assert importers == ["app.py"]


def test_the_check_sees_a_lazy_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from service.web.render import render\n")
    assert _within(imported_modules(module), "service.web") == {
        "service.web.render",
        "service.web.render.render",
    }
