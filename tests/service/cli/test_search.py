"""``search``: what it says when there is nothing to search, or a filter names nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli import main
from service.settings import Settings
from tests.conftest import DEMO_FILES


def run(settings: Settings, *args: str) -> int:
    return main(list(args), settings=settings)


@pytest.mark.parametrize("command", [["search", "falls in older inpatients"], ["stats"]])
def test_a_read_only_command_never_creates_a_catalogue(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong directory (or a forgotten KE_MATCHER_DATA_DIR) is named, not searched empty."""
    settings = Settings(data_dir=tmp_path / "wrong-folder", reload_seconds=0)
    assert run(settings, *command) != 0
    err = capsys.readouterr().err
    assert "no catalogue" in err and "matcher ingest" in err and "KE_MATCHER_DATA_DIR" in err
    assert str(tmp_path / "wrong-folder") in err
    assert not (tmp_path / "wrong-folder").exists()


def test_search_of_an_empty_catalogue_says_so(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(settings, "db", "upgrade") == 0  # a catalogue with nothing in it
    capsys.readouterr()
    assert run(settings, "search", "falls in older inpatients") != 0
    captured = capsys.readouterr()
    assert "(none)" not in captured.out
    assert "empty" in captured.err and "matcher ingest" in captured.err


def test_an_unknown_organisation_filter_is_named(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(settings, "ingest", *map(str, DEMO_FILES)) == 0
    capsys.readouterr()
    assert run(settings, "search", "falls", "--organisation", "org-nope") == 2
    captured = capsys.readouterr()
    assert "(none)" not in captured.out
    assert "unknown organisation 'org-nope'" in captured.err
    assert "org-uni-a" in captured.err  # the valid ones are listed
    assert run(settings, "search", "falls", "--organisation", "org-uni-a") == 0
