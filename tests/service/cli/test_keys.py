"""``keys create``, ``keys list`` and ``keys revoke``."""

from __future__ import annotations

import pytest

from service.cli import main
from service.settings import Settings


def test_create_list_revoke(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "create", "--role", "admin", "--name", "Ops"], settings=settings) == 0
    created, secret = capsys.readouterr().out.splitlines()
    key_id = created.split()[1]
    assert "admin, Ops" in created and secret not in created
    assert main(["keys", "list"], settings=settings) == 0
    listed = capsys.readouterr().out
    assert key_id in listed and "active" in listed and secret not in listed
    assert main(["keys", "revoke", key_id], settings=settings) == 0
    assert capsys.readouterr().out.strip() == f"revoked {key_id} (Ops)"
    assert main(["keys", "list"], settings=settings) == 0
    assert "revoked" in capsys.readouterr().out
