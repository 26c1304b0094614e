"""ONNX Runtime's offline transformer optimiser against the graph the encoder runs today.

    python -m benchmarks.onnx_graph [--rounds 4] [--out docs/benchmarks.md]

Today the encoder opens the exported float32 model with ``ORT_ENABLE_ALL`` (ONNX Runtime's own
graph optimisations, applied when the session opens). ``onnxruntime.transformers.optimizer``
(model type ``bert``, 12 heads, hidden size 384) rewrites the file offline into fused operators
(EmbedLayerNormalization, Attention, BiasGelu, SkipLayerNormalization). Measured here: how far
its vectors are from today's on 200 generated briefs, and the speed of both, in turn, in one
process: one brief at a time (p50 of 100) and the written paragraph briefs in batches of 8.
Written to the ``onnx-graph`` section of ``--out``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.briefs import held_out_briefs, written_briefs
from benchmarks.common import ROOT, commit, machine, now, write_section
from index.encoders.onnx_runtime import OnnxEncoder, onnx_file_name


class _FileEncoder(OnnxEncoder):
    """The packaged model's encoder running a given ONNX file."""

    def __init__(self, file: Path, cache_dir: Path) -> None:
        super().__init__(cache_dir=cache_dir)
        self._file = file

    @property
    def onnx_path(self) -> Path:
        return self._file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.onnx_graph")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    os.environ["HF_HUB_OFFLINE"] = "1"
    from onnxruntime.transformers import optimizer  # type: ignore[import-untyped]

    with tempfile.TemporaryDirectory(prefix="ke-onnx-graph-") as scratch:
        cache = Path(scratch)
        today = OnnxEncoder(cache_dir=cache)
        today.encode(["export the model"])
        source = cache / onnx_file_name(today.model_id)
        fused = optimizer.optimize_model(
            str(source), model_type="bert", num_heads=12, hidden_size=384, opt_level=1
        )
        counts = {k: v for k, v in fused.get_fused_operator_statistics().items() if v}
        target = cache / "fused.onnx"
        fused.save_model_to_file(str(target))
        optimised = _FileEncoder(target, cache)
        briefs = held_out_briefs(200)
        a, b = today.encode(briefs), optimised.encode(briefs)
        difference = float(np.abs(a - b).max())
        cosine = float((a * b).sum(axis=1).min())
        paragraphs = written_briefs() * 4
        timings: dict[str, dict[str, list[float]]] = {}
        for _ in range(args.rounds):
            for label, encoder in (("today", today), ("fused", optimised)):
                one = []
                for text in briefs[:100]:
                    started = time.perf_counter()
                    encoder.encode([text])
                    one.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                encoder.encode(paragraphs)
                rate = len(paragraphs) / (time.perf_counter() - started)
                found = timings.setdefault(label, {"one": [], "rate": []})
                found["one"].append(statistics.median(one))
                found["rate"].append(rate)

    def cells(label: str) -> str:
        one, rate = timings[label]["one"], timings[label]["rate"]
        return f"{', '.join(f'{v:.1f}' for v in one)} | {', '.join(f'{v:.0f}' for v in rate)}"

    shown = " ".join(["python -m benchmarks.onnx_graph", *(argv or sys.argv[1:])])
    body = "\n".join(
        [
            "## ONNX Runtime's transformer fusions (`python -m benchmarks.onnx_graph`)",
            "",
            f"Run {now()} at commit `{commit()}` on: {machine()}. `{shown}`.",
            f"Fused operators: {', '.join(f'{k} {v}' for k, v in counts.items())}. Vectors "
            f"against today's graph on 200 generated briefs: largest difference {difference:.1e}, "
            f"lowest cosine {cosine:.7f}. Each round runs both graphs in turn.",
            "",
            "| graph | one brief p50 (ms), per round | paragraph briefs in batches of 8, "
            "texts/s, per round |",
            "|---|---|---|",
            f"| today: the exported model, `ORT_ENABLE_ALL` when the session opens | "
            f"{cells('today')} |",
            f"| offline transformer optimiser (bert, 12 heads, 384) | {cells('fused')} |",
        ]
    )
    write_section(args.out, "onnx-graph", body)
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
