"""The error tree drawn in ``matcher/errors.py`` names every error the product defines, and each
derives from one of the families the HTTP status table maps (never from ``MatcherError`` alone)."""

from __future__ import annotations

import importlib
import pkgutil

import matcher.errors as errors
from service.http.errors import STATUS_BY_ERROR


def all_errors() -> set[type[errors.MatcherError]]:
    for package in ("matcher", "index", "service"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            if ".migrations." in module.name or module.name.endswith("__main__"):
                continue
            importlib.import_module(module.name)
    found: set[type[errors.MatcherError]] = set()
    pending = [errors.MatcherError]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.add(sub)
            pending.append(sub)
    return found


def test_every_error_is_drawn_in_the_tree_and_belongs_to_a_family() -> None:
    tree = errors.__doc__ or ""
    for error in all_errors():
        assert f" {error.__name__} " in tree or f" {error.__name__}\n" in tree, error
        assert any(issubclass(error, family) for family in STATUS_BY_ERROR), error
