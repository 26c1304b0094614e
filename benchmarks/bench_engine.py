"""Benchmark of the matching engine on the demo data (``make bench``).

Measures embedding throughput, index build time, and search latency p50/p95/p99 both in process
(the engine's search path, no CLI) and through ``POST /api/v1/search`` served by uvicorn on
loopback, then writes a section of ``docs/benchmarks.md`` with the machine and the date.

The briefs are not in the index (``benchmarks/briefs.py``: the 60 written briefs of
``benchmarks/briefs.txt``, then generated ones; the run stops if one shares a sentence with an
indexed text). The latency of briefs copied from the pool (the demo's clinical needs and SME
challenges, title only and title and text) is measured too, and reported as a second, labelled
figure: such a brief's nearest chunk is itself.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.briefs import demo_briefs, held_out_briefs, require_outside, written_briefs
from benchmarks.common import (
    commit,
    machine,
    now,
    percentiles,
    serve,
    wait_for_search,
    write_section,
)
from index.encoders.base import Encoder
from index.encoders.onnx_runtime import OnnxEncoder
from index.encoders.sentence_transformer import SentenceTransformerEncoder
from matcher.briefs import make_brief
from matcher.model import Role
from service.container import Container, build_container, make_encoder
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
DEMO_FILES = [
    DEMO / "organisations.csv",
    DEMO / "academics.jsonl",
    DEMO / "clinical_teams.jsonl",
    DEMO / "smes.csv",
]


def search_latencies(container: Container, briefs: list[str]) -> list[float]:
    """In-process latency (ms) of each brief's search, after 20 warm-up searches."""
    for text in briefs[:20]:
        container.engine.search(make_brief(text))
    latencies = []
    for text in briefs:
        t0 = time.perf_counter()
        container.engine.search(make_brief(text))
        latencies.append((time.perf_counter() - t0) * 1000)
    return latencies


def http_latencies(client: httpx.Client, briefs: list[str]) -> list[float]:
    """Latency (ms) of each brief's ``POST /api/v1/search``, after 20 warm-up requests."""
    for text in briefs[:20]:
        client.post("/api/v1/search", json={"text": text})
    latencies = []
    for text in briefs:
        t0 = time.perf_counter()
        response = client.post("/api/v1/search", json={"text": text})
        latencies.append((time.perf_counter() - t0) * 1000)
        response.raise_for_status()
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args(argv)

    os.environ["HF_HUB_OFFLINE"] = "1"
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="ke-bench-") as scratch:
        data_dir = Path(scratch)
        settings = Settings(data_dir=data_dir)
        encoder = make_encoder(settings)
        encoder.encode(["warm up"])
        container = build_container(settings, encoder=encoder)

        started = time.perf_counter()
        report, sync = container.ingest(DEMO_FILES)
        ingest_s = time.perf_counter() - started
        texts = [
            t
            for t in container.catalogue.chunk_texts(
                [r.id for r in container.catalogue.chunk_rows()]
            ).values()
        ]
        sample = texts[:600]
        encoders: dict[str, Encoder] = {
            "torch (sentence-transformers)": SentenceTransformerEncoder(),
            "ONNX Runtime fp32 (default)": encoder,
            "ONNX Runtime int8": OnnxEncoder(cache_dir=settings.model_cache_dir, quantize=True),
        }
        encoder_rows = []
        for label, candidate in encoders.items():
            candidate.encode(["warm up"])
            started = time.perf_counter()
            candidate.encode(sample)
            docs_per_s = len(sample) / (time.perf_counter() - started)
            one = []
            for text in written_briefs():
                t0 = time.perf_counter()
                candidate.encode([text])
                one.append((time.perf_counter() - t0) * 1000)
            encoder_rows.append((label, docs_per_s, percentiles(one)))
        embed_s = len(sample) / encoder_rows[1][1]
        started = time.perf_counter()
        rebuild = container.sync(force_rebuild=True)
        rebuild_s = time.perf_counter() - started

        briefs = held_out_briefs(args.queries)
        require_outside(briefs, texts)
        pool_briefs = demo_briefs(args.queries)
        latencies = search_latencies(container, briefs)
        pool_latencies = search_latencies(container, pool_briefs)
        encode_ms = []
        for text in briefs[:100]:
            t0 = time.perf_counter()
            encoder.encode([text])
            encode_ms.append((time.perf_counter() - t0) * 1000)
        _key, secret = container.accounts.create_key(name="benchmark", role=Role.CLINICIAN)
        container.close()

        with (
            serve(data_dir) as server,
            httpx.Client(
                base_url=server.url, timeout=30, headers={"authorization": f"Bearer {secret}"}
            ) as client,
        ):
            wait_for_search(server, client, {"text": briefs[0]})
            http_ms = http_latencies(client, briefs)
            pool_http_ms = http_latencies(client, pool_briefs)

    counts = {"profiles": report.added, "vectors": sync.vector_count}
    in_process = percentiles(latencies)
    over_http = percentiles(http_ms)
    pool_in_process = percentiles(pool_latencies)
    pool_over_http = percentiles(pool_http_ms)
    encode_one = percentiles(encode_ms)
    results = {
        "counts": counts,
        "ingest_and_embed_s": ingest_s,
        "embedding_docs_per_s": len(sample) / embed_s,
        "encoders": {
            label: {"docs_per_s": rate, "query_ms": lat} for label, rate, lat in encoder_rows
        },
        "rebuild_from_cache_s": rebuild_s,
        "in_process_ms": in_process,
        "http_ms": over_http,
        "in_pool_briefs": {"in_process_ms": pool_in_process, "http_ms": pool_over_http},
        "encode_query_ms": encode_one,
    }
    encoder_table = "\n".join(
        f"| {label} | {rate:.1f} | {lat['p50']:.1f} | {lat['p95']:.1f} |"
        for label, rate, lat in encoder_rows
    )
    body = f"""## Matching engine on the demo data (`make bench`)

Run {now()} at commit `{commit()}` on: {machine()}.
Demo pool: {counts["profiles"]} profiles, {counts["vectors"]} vectors (one per evidence chunk);
{len(briefs)} briefs not in the index (the 60 written ones of `benchmarks/briefs.txt`, then
generated ones: `benchmarks/briefs.py`), top 10 per kind with evidence and shared terms; the
second pair of rows searches {len(pool_briefs)} briefs copied from the pool instead (the demo's
clinical needs and SME challenges, title only and title + text), each brief's nearest chunk
being itself; encoder: all-MiniLM-L6-v2 through ONNX Runtime (the default);
index: {rebuild.summary().split(":")[0]}, exact inner product.

| measure | value |
|---|---|
| first ingest of the demo (validate, write, embed, build) | {ingest_s:.1f} s |
| index build from the embedding cache (`matcher build --rebuild`) | {rebuild_s:.2f} s |
| query encoding alone (default encoder), p50 / p95 | {encode_one["p50"]:.1f} / {encode_one["p95"]:.1f} ms |

| encoder ({len(sample)} demo evidence texts, batches of 8 sorted by length, each encoder's default; one query: the 60 written briefs) | docs/s | one query p50 (ms) | p95 (ms) |
|---|---|---|---|
{encoder_table}

| search latency (ms) | p50 | p95 | p99 | mean |
|---|---|---|---|---|
| in process (`SearchEngine.search`) | {in_process["p50"]:.1f} | {in_process["p95"]:.1f} | {in_process["p99"]:.1f} | {in_process["mean"]:.1f} |
| `POST /api/v1/search` over HTTP (uvicorn, loopback, one client) | {over_http["p50"]:.1f} | {over_http["p95"]:.1f} | {over_http["p99"]:.1f} | {over_http["mean"]:.1f} |
| in process, briefs copied from the pool | {pool_in_process["p50"]:.1f} | {pool_in_process["p95"]:.1f} | {pool_in_process["p99"]:.1f} | {pool_in_process["mean"]:.1f} |
| over HTTP, briefs copied from the pool | {pool_over_http["p50"]:.1f} | {pool_over_http["p95"]:.1f} | {pool_over_http["p99"]:.1f} | {pool_over_http["mean"]:.1f} |
"""
    write_section(args.out, "engine", body)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
