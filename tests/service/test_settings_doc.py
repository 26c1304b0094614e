"""The README's settings table is the one generated from ``Settings``: every setting, its
default and its meaning."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import settings_doc
from service.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_setting_as_generated() -> None:
    table = settings_doc.readme_table(README.read_text())
    assert table, f"README.md has no block between {settings_doc.START} and {settings_doc.END}"
    assert table == settings_doc.settings_table(), (
        "README.md's settings table is stale: paste the output of `python -m service.settings_doc`"
    )
    for name in Settings.model_fields:
        assert f"`KE_MATCHER_{name.upper()}`" in table


def test_defaults_and_meanings_come_from_the_class() -> None:
    table = settings_doc.settings_table()
    assert "| `KE_MATCHER_TOP_K` | `3` | how many items `top_k_mean` averages. |" in table
    assert "| `KE_MATCHER_DATABASE_URL` | (unset) |" in table
    assert "| `KE_MATCHER_ANONYMOUS_SEARCH` | `0` |" in table


def test_attribute_sections_are_parsed_with_continuations_and_shared_entries() -> None:
    doc = """Settings.

    Attributes:
        alpha: the first
            and its continuation.
        host, port: where it listens.

    Other text.
    """
    assert settings_doc.attribute_docs(doc) == {
        "alpha": "the first and its continuation.",
        "host": "where it listens.",
        "port": "where it listens.",
    }


def test_a_setting_without_a_docstring_entry_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Settings, "__doc__", "No attributes here.")
    with pytest.raises(ValueError, match=r"without a docstring entry: .*data_dir"):
        settings_doc.settings_table()
