"""What every command shares through :func:`service.cli.main`: one-line errors, exit statuses."""

from __future__ import annotations

import click
import pytest

from service.cli import cli, main
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


def test_matcher_alone_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("Usage: matcher") and "Commands:" in captured.out
    assert "matcher: Usage" not in captured.out + captured.err


def _commands(group: click.Group, prefix: str = "matcher") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = [(prefix, group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix} {name}"))
        else:
            found.append((f"{prefix} {name}", command))
    return found


def test_every_command_and_option_has_help() -> None:
    missing = [
        f"{name} {param.opts[0]}"
        for name, command in _commands(cli)
        for param in command.params
        if isinstance(param, click.Option) and not param.help
    ]
    missing += [name for name, command in _commands(cli) if not command.help]
    assert not missing
