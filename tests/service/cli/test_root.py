"""What every command shares through :func:`service.cli.main`: one-line errors, exit statuses."""

from __future__ import annotations

import pytest

from service.cli import main
from service.settings import Settings


def run(settings: Settings, *args: str) -> int:
    return main(list(args), settings=settings)


def test_errors_are_one_line_without_traceback(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(settings, "ingest", "/no/such/file.jsonl") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "cannot read" in err
    assert run(settings, "search", "") == 2
    assert "text: the brief is empty" in capsys.readouterr().err
    assert run(settings, "search", "falls", "--kind", "robot") != 0
    assert "Traceback" not in capsys.readouterr().err
    assert run(settings, "eval", "goldstandard", "/no/such/dir") == 2
    assert "not a directory" in capsys.readouterr().err
