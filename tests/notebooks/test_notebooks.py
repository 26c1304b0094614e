"""Both notebooks run top to bottom with papermill on tiny made-up inputs in ``tests/data``.

The notebooks use the real model (ONNX, exported once into a data directory shared by both runs)
and the kernel is the test run's own interpreter, as it is for ``make notebooks``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).parents[2]
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "tests" / "data"
GOLDSTANDARD = DATA / "goldstandard"

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def model_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The configured data directory of the kernels: where the exported model is kept."""
    directory = tmp_path_factory.mktemp("notebook-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KE_MATCHER_DATA_DIR", str(directory))
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("TRANSFORMERS_OFFLINE", "1")
        patch.setenv("TOKENIZERS_PARALLELISM", "false")
        yield directory


def execute(name: str, output_dir: Path, parameters: dict[str, Any]) -> Any:
    """Run ``notebooks/<name>`` from the repository root; papermill raises on any failing cell."""
    output = output_dir / name
    papermill.execute_notebook(
        NOTEBOOKS / name,
        output,
        parameters=parameters,
        cwd=str(ROOT),
        kernel_name="python3",
        progress_bar=False,
    )
    return nbformat.read(output, as_version=4)


def outputs(notebook: Any) -> list[Any]:
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]


def markdown(notebook: Any) -> list[str]:
    return [
        o.data["text/markdown"] for o in outputs(notebook) if "text/markdown" in o.get("data", {})
    ]


def images(notebook: Any) -> int:
    return sum("image/png" in o.get("data", {}) for o in outputs(notebook))


def printed(notebook: Any) -> str:
    return "".join(o.text for o in outputs(notebook) if o.output_type == "stream")


def table_rows(table: str) -> list[list[str]]:
    lines = [line for line in table.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_the_kernel_is_this_interpreter() -> None:
    # the ipykernel spec says "python"; jupyter_client runs it as the current interpreter (the
    # venv's), so the notebooks see the installed packages
    command = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert command[0] == sys.executable


def test_benchmark_notebook_compares_profiles_and_peers(
    model_data_dir: Path, tmp_path: Path
) -> None:
    notebook = execute(
        "expertise_benchmark.ipynb",
        tmp_path,
        {
            "goldstandard_dir": str(GOLDSTANDARD.relative_to(ROOT)),
            "profiles": ["fast", "thorough"],
            "authorship_min_papers": 3,
        },
    )
    assert not [o for o in outputs(notebook) if o.output_type == "error"]
    losses, paired, authorship, authorship_paired, candidates, lane = markdown(notebook)
    rows = {row[0]: row for row in table_rows(losses)}
    assert set(rows) == {"**ours (fast)**", "**ours (thorough)**", "constant"}
    assert rows["constant"][1:3] == ["0.500", "[0.500, 0.500]"]  # a constant scorer ties every pair
    for ours in ("**ours (fast)**", "**ours (thorough)**"):
        low, high = (float(v) for v in rows[ours][2].strip("[]").split(","))
        assert low <= float(rows[ours][1]) <= high < 0.5  # distinct made-up topics: far from chance
    comparisons = [row[0] for row in table_rows(paired)]
    assert comparisons == [
        "ours (fast) − constant",
        "ours (thorough) − constant",
        "ours (fast) − ours (thorough)",
    ]
    assert [row[0] for row in table_rows(authorship)] == ["fast", "thorough"]
    assert [row[0] for row in table_rows(authorship_paired)] == ["fast − thorough"]
    assert "3 held-out papers among 3 researchers" in printed(notebook)
    # the issue-18 candidates, read from docs/quality.md where the benchmark scripts write them
    kinds = {row[0]: row[1] for row in table_rows(candidates)}
    assert {"fast", "thorough"} <= set(kinds) and kinds["fast"] == "old"
    assert {"prf", "rerank logistic"} <= {name for name, kind in kinds.items() if kind == "**new**"}
    lanes = table_rows(lane)
    assert {row[0] for row in lanes} == {"fast", "thorough"} and {row[1] for row in lanes} >= {"1"}
    # losses, easy/hard, paired differences, per version, authorship; candidates, the lane
    assert images(notebook) == 7
    # only figures and names: no text of the benchmark's papers reaches the outputs
    shown = json.dumps([o for o in outputs(notebook)])
    for version in ("d_3_1", "d_3_2"):
        for archive in (GOLDSTANDARD / version / "archives").glob("*.jsonl"):
            for line in archive.read_text(encoding="utf-8").splitlines():
                assert json.loads(line)["content"]["title"] not in shown


def test_landscape_notebook_maps_and_clusters_the_pool(
    model_data_dir: Path, tmp_path: Path
) -> None:
    files = [DATA / "organisations.csv", DATA / "profiles.jsonl", DATA / "smes.csv"]
    notebook = execute(
        "expertise_landscape.ipynb",
        tmp_path,
        {
            "input_files": [str(p.relative_to(ROOT)) for p in files],
            "clusters": 3,
            "min_df": 1,
        },
    )
    assert not [o for o in outputs(notebook) if o.output_type == "error"]
    assert "6 profiles" in printed(notebook)
    (clusters,) = markdown(notebook)
    rows = table_rows(clusters)
    assert len(rows) == 3
    assert sum(int(row[1]) for row in rows) == 6
    assert all(int(row[1]) == sum(int(v) for v in row[2:5]) for row in rows)  # kinds add up
    assert all(row[5] for row in rows)  # every cluster has top terms
    assert images(notebook) == 2  # by kind and unit; clusters
