"""The search path at scale on a synthetic region (``make bench``, ``make bench-full``).

For each size (in chunks, ascending) the region of ``benchmarks/region.py`` is grown to that size
in one data directory, then measured:

- ingestion through the real path (``index.ingest.ingest_files`` into the SQLite catalogue);
- the vectors: made from real embeddings of a smaller real-text sample and stored in the real
  embedding cache (see ``benchmarks/region.py`` for how, and why);
- the index build from that cache by ``matcher build --rebuild`` in a child process (its choice
  of index, parameters and measured recall are read back from the manifest);
- search in process (``SearchEngine.search``, top 20 per kind with evidence), with the brief's
  encoding and the scoring (FAISS, mapping, aggregation) also timed on their own;
- ``matcher serve`` in a child process (rate limits off): its start from process start to the
  first successful ``POST /api/v1/search`` with the index in the page cache (warm: just built and
  read), then latency over HTTP from one client, its resident memory, and the index and catalogue
  sizes on disk;
- a cold start: the same, after the index version's files and the catalogue are evicted from the
  page cache (``benchmarks/page_cache.py``: ``posix_fadvise``, or ``drop_caches`` when that is not
  enough; the share of their pages still cached is measured with ``mincore`` and reported);
  the Python libraries and the model stay cached;
- with ``--load`` at the largest size: a load test with wrk on loopback at several
  concurrencies, bounded in requests and in time, varying the briefs, counting every non-2xx.

The results go to one section of ``docs/benchmarks.md`` (``--section``), with the machine, the
date and the commit, and are printed as JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt

from benchmarks.common import (
    ROOT,
    commit,
    directory_mb,
    machine,
    memory_mb,
    now,
    percentiles,
    serve,
    tree_memory_mb,
    wait_for_search,
    write_section,
    wrk_cells,
)
from benchmarks.page_cache import evict, resident_share
from benchmarks.region import (
    Region,
    briefs,
    cache_region_vectors,
    sample_vectors,
    write_region,
)
from index.db.catalogue import Catalogue
from index.encoders.tokens import token_counter
from index.ingest import ingest_files
from index.vectors.store import IndexStore
from matcher.briefs import make_brief
from matcher.model import Role
from service.container import build_container, make_encoder
from service.settings import Settings

TOP = 20
SEED = 7

WRK_SCRIPT = """-- written by benchmarks/bench_scale.py: POST varied briefs, count non-2xx answers
bodies = {BODIES}
limit = {LIMIT}
responses = 0
bad = 0
counter = 0
local threads = {{}}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {SECRET}"

function setup(thread)
  thread:set("counter", #threads * 7919)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  return wrk.format(nil, "/api/v1/search", nil, bodies[(counter % #bodies) + 1])
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then bad = bad + 1 end
  if limit > 0 and responses >= limit then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local answered, non2xx = 0, 0
  for _, thread in ipairs(threads) do
    answered = answered + thread:get("responses")
    non2xx = non2xx + thread:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {{"requests": %d, "answered": %d, "duration_s": %.3f, "non2xx": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "mean_ms": %.2f}}\\n',
    summary.requests, answered, summary.duration / 1e6, non2xx,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
end
"""


def lua_string(text: str) -> str:
    """A Lua long-bracket string literal holding ``text`` verbatim."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def wrk_script(bodies: list[dict[str, Any]], secret: str, limit: int) -> str:
    """The Lua script that makes wrk send ``bodies`` in turn, each thread at most ``limit``."""
    literals = ",\n  ".join(lua_string(json.dumps(b)) for b in bodies)
    return WRK_SCRIPT.format(BODIES="{\n  " + literals + "\n}", LIMIT=limit, SECRET=secret)


def run_wrk(url: str, script: Path, *, connections: int, seconds: float) -> dict[str, Any]:
    """One wrk run of at most ``seconds`` (the script bounds the number of requests)."""
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 120
    ).stdout
    found = re.search(r"WRK_JSON (\{.*\})", out)
    if found is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    result: dict[str, Any] = json.loads(found.group(1))
    result["throughput"] = result["answered"] / max(result["duration_s"], 1e-9)
    result["connections"] = connections
    return result


def say(message: str) -> None:
    """Progress on standard error, with the time."""
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def timed_ms(function: Any, *args: Any, **kwargs: Any) -> float:
    t0 = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - t0) * 1000


def measure_in_process(settings: Settings, texts: list[str]) -> dict[str, Any]:
    """Latencies of the engine in this process: the whole search, encoding, scoring."""
    say("searching in process")
    container = build_container(settings)
    try:
        engine = container.engine
        started = time.perf_counter()
        engine.reload()
        load_s = time.perf_counter() - started
        for text in texts[:20]:
            engine.search(make_brief(text, top=TOP))
        whole, encode, score, explain = [], [], [], []
        for text in texts:
            brief = make_brief(text, top=TOP)
            whole.append(timed_ms(engine.search, brief))
            t0 = time.perf_counter()
            query = engine.encode_briefs([brief.text])[0]
            t1 = time.perf_counter()
            scored = engine.score(brief, query)
            t2 = time.perf_counter()
            engine.explain(brief, query, scored)
            t3 = time.perf_counter()
            encode.append((t1 - t0) * 1000)
            score.append((t2 - t1) * 1000)
            explain.append((t3 - t2) * 1000)
        _key, secret = container.accounts.create_key(name="benchmark", role=Role.CLINICIAN)
    finally:
        container.close()
    return {
        "index_load_s": load_s,
        "search_ms": percentiles(whole),
        "encode_ms": percentiles(encode),
        "score_ms": percentiles(score),
        "explain_ms": percentiles(explain),
        "secret": secret,
    }


def measure_service(
    data_dir: Path,
    texts: list[str],
    secret: str,
    *,
    load: dict[str, Any] | None,
    scratch: Path,
) -> dict[str, Any]:
    """Cold start, latency over HTTP, memory and (optionally) a wrk load test of one server."""
    say("serving: cold start, searches over HTTP" + (", load test" if load else ""))
    headers = {"authorization": f"Bearer {secret}"}
    result: dict[str, Any] = {}
    with (
        serve(data_dir) as server,
        httpx.Client(base_url=server.url, timeout=60, headers=headers) as client,
    ):
        result["warm_start_s"] = wait_for_search(
            server, client, {"text": texts[0], "top": TOP}, timeout=600
        )
        result["memory_after_start_mb"] = memory_mb(server.process.pid)
        for text in texts[:20]:
            client.post("/api/v1/search", json={"text": text, "top": TOP}).raise_for_status()
        latencies = []
        for text in texts:
            t0 = time.perf_counter()
            response = client.post("/api/v1/search", json={"text": text, "top": TOP})
            latencies.append((time.perf_counter() - t0) * 1000)
            response.raise_for_status()
        result["http_ms"] = percentiles(latencies)
        if load is not None:
            bodies = [{"text": text, "top": TOP} for text in texts]
            runs = []
            for connections in load["concurrency"]:
                script = scratch / f"wrk-{connections}.lua"
                script.write_text(
                    wrk_script(bodies, secret, max(1, load["requests"] // min(2, connections)))
                )
                runs.append(
                    run_wrk(
                        server.url,
                        script,
                        connections=connections,
                        seconds=load["seconds"],
                    )
                )
            result["load"] = runs
        result["memory_mb"] = memory_mb(server.process.pid)
        result["tree_memory_mb"] = tree_memory_mb(server.process.pid)
    return result


#: The worker configurations of the load test beyond one process: (label, workers, environment).
WORKER_CONFIGURATIONS = (
    ("2 workers, index shared (memory-mapped, the default)", 2, {}),
    (
        "2 workers, each its own copy (KE_MATCHER_INDEX_SHARED=0)",
        2,
        {"KE_MATCHER_INDEX_SHARED": "0"},
    ),
)


def load_test_server(
    data_dir: Path,
    secret: str,
    bodies: list[dict[str, Any]],
    *,
    workers: int,
    env: Mapping[str, str],
    seconds: float,
    requests: int,
    scratch: Path,
) -> dict[str, Any]:
    """wrk at 1 and 8 connections against one ``matcher serve`` of ``workers`` processes, every
    worker warmed first: seconds from its start to the first search answered (``start_s``),
    the two wrk runs (``runs``; each level bounded to ``requests``, 0: by ``seconds`` only) and
    the memory of all its processes after them (``memory``, :func:`tree_memory_mb`)."""
    headers = {"authorization": f"Bearer {secret}"}
    args = ["--workers", str(workers)] if workers != 1 else []
    with (
        serve(data_dir, env=env, args=args) as server,
        httpx.Client(base_url=server.url, timeout=60, headers=headers) as client,
    ):
        start_s = wait_for_search(server, client, bodies[0], timeout=600)
        for body in bodies[:20] * workers:  # every worker warm
            client.post("/api/v1/search", json=body).raise_for_status()
        runs = []
        for connections in (1, 8):
            limit = max(1, requests // min(2, connections)) if requests else 0
            script = scratch / f"wrk-workers-{connections}.lua"
            script.write_text(wrk_script(bodies, secret, limit))
            runs.append(run_wrk(server.url, script, connections=connections, seconds=seconds))
        memory = tree_memory_mb(server.process.pid)
    return {"start_s": start_s, "runs": runs, "memory": memory}


def measure_workers(
    data_dir: Path, texts: list[str], secret: str, *, load: dict[str, Any], scratch: Path
) -> list[dict[str, Any]]:
    """The load test at 1 and 8 connections against ``matcher serve --workers 2``, the index
    shared between the workers and not, with the memory of all the server's processes."""
    bodies = [{"text": text, "top": TOP} for text in texts]
    found = []
    for label, workers, env in WORKER_CONFIGURATIONS:
        say(f"load test: {label}")
        measured = load_test_server(
            data_dir, secret, bodies, workers=workers, env=env, seconds=load["seconds"],
            requests=load["requests"], scratch=scratch,
        )  # fmt: skip
        found.append({"label": label, **measured})
    return found


def measure_cold_start(settings: Settings, text: str, secret: str) -> dict[str, Any]:
    """Start ``matcher serve`` after evicting the index version and the catalogue from the page
    cache; seconds from process start to the first search answered, and how the files were
    evicted (their share still cached when the server started)."""
    say("cold start: the index and the catalogue evicted from the page cache")
    current = IndexStore(settings.index_dir).current_dir()
    if current is None:
        raise SystemExit("no index to start from")
    files = [current, *sorted(settings.data_dir.glob("catalogue.db*"))]
    method = evict(files)
    cached = resident_share(files)
    with (
        serve(settings.data_dir) as server,
        httpx.Client(
            base_url=server.url, timeout=60, headers={"authorization": f"Bearer {secret}"}
        ) as client,
    ):
        seconds = wait_for_search(server, client, {"text": text, "top": TOP}, timeout=600)
    return {"cold_start_s": seconds, "eviction": method, "cached_at_cold_start": cached}


def grow(
    settings: Settings,
    region: Region | None,
    size: int,
    *,
    files: Path,
    model_id: str,
    vectors: tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]],
) -> tuple[Region, dict[str, Any]]:
    """Grow the region in ``settings.data_dir`` to ``size`` chunks: write the new profiles,
    ingest them, store their vectors in the embedding cache."""
    figures: dict[str, Any] = {"grown_at": now()}
    say(f"writing the region's profiles up to {size:,} chunks")
    started = time.perf_counter()
    part = write_region(files / f"part-{size}", chunks=size, seed=SEED, after=region)
    figures["generate_s"] = time.perf_counter() - started
    tokens = token_counter(settings.model_path)
    catalogue = Catalogue(
        settings.catalogue_url, max_tokens=tokens.limit(settings.chunk_tokens), count=tokens.count
    )
    try:
        say("ingesting them")
        started = time.perf_counter()
        report = ingest_files(catalogue, part.files)
        figures["ingest_s"] = time.perf_counter() - started
        if report.errors:
            raise SystemExit(f"the region has invalid rows: {report.errors[:3]}")
        figures["ingested_chunks"] = size - (region.chunks if region else 0)
        sample, sample_topics = vectors
        say("storing their vectors in the embedding cache")
        started = time.perf_counter()
        figures["cached_vectors"] = cache_region_vectors(
            catalogue,
            model_id,
            part.item_topics,
            sample,
            sample_topics,
            seed=SEED + size,
        )
        figures["cache_s"] = time.perf_counter() - started
        figures["counts"] = catalogue.counts()
    finally:
        catalogue.close()
    return part, figures


def build(settings: Settings) -> dict[str, Any]:
    """``matcher build --rebuild`` in a child process; its time and what it built."""
    say("matcher build --rebuild")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "service.cli", "-q", "build", "--rebuild"],
        env={**os.environ, "KE_MATCHER_DATA_DIR": str(settings.data_dir)},
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    figures: dict[str, Any] = {"build_s": time.perf_counter() - started}
    store = IndexStore(settings.index_dir)
    manifest = store.current_manifest()
    current = store.current_dir()
    if manifest is None or current is None:
        raise SystemExit("matcher build wrote no index")
    figures["index"] = {
        "type": manifest.index_type,
        "params": manifest.index_params,
        "recall": manifest.recall_at_k,
        "vectors": manifest.vector_count,
    }
    figures["index_mb"] = directory_mb(current)
    figures["catalogue_mb"] = sum(
        p.stat().st_size / 1024 / 1024 for p in settings.data_dir.glob("catalogue.db*")
    )
    return figures


def fingerprint(model_id: str, sample_size: int) -> str:
    """What a kept region depends on: the generators' code, the seed, the sample, the model."""
    sources = [ROOT / "benchmarks" / "region.py", *sorted((ROOT / "data" / "demo").glob("*.py"))]
    digest = hashlib.sha256(f"{SEED} {model_id} {sample_size}".encode())
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def size_names(sizes: list[int]) -> str:
    """``[10000, 100000, 1000000]`` as "10k, 100k and 1M" (for a report's title)."""
    names = [
        f"{s // 1_000_000}M"
        if s % 1_000_000 == 0
        else f"{s // 1000}k"
        if s % 1000 == 0
        else f"{s:,}"
        for s in sizes
    ]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def report_body(results: dict[str, Any], *, title: str, command: str) -> str:
    """The Markdown of one run."""
    sizes = results["sizes"]
    head = "| | " + " | ".join(f"{s['chunks']:,} chunks" for s in sizes) + " |"
    rule = "|---|" + "---|" * len(sizes)

    def row(label: str, values: list[str]) -> str:
        return f"| {label} | " + " | ".join(values) + " |"

    def lat(key: str, sub: str | None = None) -> list[str]:
        out = []
        for s in sizes:
            p = s[key][sub] if sub else s[key]
            out.append(f"{p['p50']:.1f} / {p['p95']:.1f} / {p['p99']:.1f}")
        return out

    def index_text(s: dict[str, Any]) -> str:
        index = s["index"]
        params = ", ".join(f"{k}={v}" for k, v in index["params"].items() if k != "trained_on")
        text = str(index["type"]) + (f" ({params})" if params else "")
        if index["recall"] is not None and index["recall"] < 1:
            text += f", recall@100 {index['recall']:.3f}"
        return text

    lines = [
        f"## {title}",
        "",
        f"Run {results['date']} at commit `{results['commit']}` on: {results['machine']}.",
        f"`{command}`. Encoder: {results['encoder']}; {results['queries']} briefs per measure "
        f"(generated needs and challenges, title only or title and text, never in the index), "
        f"top {TOP} per kind with evidence. Vectors of the stored chunks are made from real "
        f"embeddings of {results['sample_texts']:,} generated texts (mixed, perturbed, "
        "renormalised; see `benchmarks/region.py`); the catalogue, the index, the mapping and "
        "the service are the real ones at full size; briefs are encoded for real.",
        "",
        head,
        rule,
        row("profiles (academics / clinical teams / SMEs)", [
            f"{s['counts']['profiles']:,} ({s['counts'].get('profiles_academic', 0):,} / "
            f"{s['counts'].get('profiles_clinical_team', 0):,} / "
            f"{s['counts'].get('profiles_sme', 0):,})"
            for s in sizes
        ]),
        row("ingestion of the new chunks (`ingest_files`)", [
            f"{s['ingested_chunks'] / s['ingest_s']:,.0f} chunks/s ({fmt(s['ingest_s'])} s)"
            + (f", measured {s['grown_at']} (region reused)" if s.get("reused") else "")
            for s in sizes
        ]),
        row("index build from the cache (`matcher build --rebuild`)", [
            f"{fmt(s['build_s'])} s" for s in sizes
        ]),
        row("index chosen", [index_text(s) for s in sizes]),
        row("index on disk / catalogue on disk", [
            f"{s['index_mb']:,.0f} MB / {s['catalogue_mb']:,.0f} MB" for s in sizes
        ]),
        row("loading the index into memory (in process)", [
            f"{fmt(s['in_process']['index_load_s'], 2)} s" for s in sizes
        ]),
        row("search in process, p50 / p95 / p99 (ms)", lat("in_process", "search_ms")),
        row("… of which encoding the brief", lat("in_process", "encode_ms")),
        row("… of which scoring (FAISS, mapping, aggregation)", lat("in_process", "score_ms")),
        row("… of which explaining (evidence, snippets, shared terms)", lat("in_process", "explain_ms")),
        row("`POST /api/v1/search` over HTTP, one client, p50 / p95 / p99 (ms)", lat("http_ms")),
        row("warm start (index in the page cache): process start → first search answered", [
            f"{fmt(s['warm_start_s'])} s" for s in sizes
        ]),
        row("cold start (index and catalogue evicted from the page cache): the same", [
            f"{fmt(s['cold_start_s'])} s ({s['eviction']}; "
            f"{100 * s['cached_at_cold_start']:.0f}% of their pages cached at start)"
            for s in sizes
        ]),
        row("resident memory of the server after start / after the run (peak)", [
            f"{s['memory_after_start_mb']['rss']:,.0f} / {s['memory_mb']['rss']:,.0f} "
            f"({s['memory_mb']['peak']:,.0f}) MB"
            for s in sizes
        ]),
        row("… of which its own (anonymous) / mapped files, after the run", [
            f"{s['memory_mb'].get('anon', 0):,.0f} / {s['memory_mb'].get('file', 0):,.0f} MB"
            for s in sizes
        ]),
        row("… proportional set (PSS) of the server, after the run", [
            f"{s['tree_memory_mb']['pss']:,.0f} MB" for s in sizes
        ]),
    ]  # fmt: skip
    load = sizes[-1].get("load")
    if load:
        spec = results["load"]
        lines += [
            "",
            f"Load test at {sizes[-1]['chunks']:,} chunks: {spec['wrk']} on loopback against "
            f"`POST /api/v1/search` (one uvicorn process, rate limits off), each level bounded "
            f"to {spec['requests']:,} requests and {spec['seconds']:.0f} s, briefs varied across "
            "requests; wrk runs on the same 2 cores as the server.",
            "",
            "| concurrency | requests | throughput (req/s) | p50 (ms) | p99 (ms) | max (ms) | "
            "non-2xx | socket errors / timeouts |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for run in load:
            lines.append(
                f"| {run['connections']} | {run['answered']:,} | {run['throughput']:.1f} | "
                f"{run['p50_ms']:.1f} | {run['p99_ms']:.1f} | {run['max_ms']:.1f} | "
                f"{run['non2xx']} | {run['socket_errors']} / {run['timeouts']} |"
            )
    workers = sizes[-1].get("workers")
    if workers:
        lines += [
            "",
            f"Worker processes at {sizes[-1]['chunks']:,} chunks (`matcher serve --workers 2`, "
            "every worker warmed first; the same wrk bounds). Memory of all the server's "
            "processes after the run: RSS summed (a page two processes share counts twice) and "
            "PSS summed (a shared page counts once: what the machine gives them).",
            "",
            "| configuration | start → first search (s) | 1 connection: req/s, p50 / p99 (ms) | "
            "8 connections: req/s, p50 / p99 (ms) | non-2xx, errors | RSS / PSS, all "
            "processes |",
            "|---|---|---|---|---|---|",
        ]
        for w in workers:
            lines.append(
                f"| {w['label']} | {w['start_s']:.1f} | {wrk_cells(w['runs'])} | "
                f"{w['memory']['rss']:,.0f} / {w['memory']['pss']:,.0f} MB |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000", help="chunks, comma-separated")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--section", default="scale", help="section name in the report")
    parser.add_argument("--title", default="The search path at 10k and 100k chunks")
    parser.add_argument("--command", default="make bench")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--sample-per-topic", type=int, default=114)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--load", action="store_true", help="wrk load test at the largest size")
    parser.add_argument("--load-concurrency", default="1,8,32")
    parser.add_argument("--load-seconds", type=float, default=20)
    parser.add_argument("--load-requests", type=int, default=20_000)
    parser.add_argument(
        "--load-workers",
        action="store_true",
        help="after the load test, the same at 1 and 8 connections with --workers 2, the "
        "index shared and not",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the region (WORK/region) for --reuse"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure a region kept by --keep (one size, the same) without ingesting it again "
        "(the region is kept again)",
    )
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.load and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (make bench-full installs Debian's package)")

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.work.mkdir(parents=True, exist_ok=True)
    data_dir = args.work / "region"
    stamp = data_dir / "bench-region.json"
    kept = json.loads(stamp.read_text()) if args.reuse and stamp.exists() else None
    if not kept:
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir()
    settings = Settings(data_dir=data_dir)
    # the ONNX export of the model is made once and kept with the benchmark's other inputs
    models = args.work / "models"
    if models.is_dir():
        shutil.copytree(models, settings.model_cache_dir, dirs_exist_ok=True)
    encoder = make_encoder(settings)
    encoder.encode(["warm up"])
    if settings.model_cache_dir.is_dir():
        shutil.copytree(settings.model_cache_dir, models, dirs_exist_ok=True)
    say(f"embedding the real-text sample ({args.sample_per_topic} texts a topic), or reusing it")
    started = time.perf_counter()
    vectors = sample_vectors(encoder, args.work, per_topic=args.sample_per_topic, seed=SEED)
    sample_s = time.perf_counter() - started
    key = fingerprint(encoder.model_id, int(vectors[0].shape[0]))
    if kept and (kept["fingerprint"] != key or kept["chunks"] != sizes[-1] or len(sizes) > 1):
        raise SystemExit(
            f"--reuse: {data_dir} holds a region of {kept['chunks']:,} chunks made by other code "
            f"or settings, or more than one size was asked for; run without --reuse"
        )
    texts = briefs(args.queries)
    load = (
        {
            "concurrency": [int(c) for c in args.load_concurrency.split(",")],
            "seconds": args.load_seconds,
            "requests": args.load_requests,
            "wrk": subprocess.run(["wrk", "--version"], capture_output=True, text=True)
            .stdout.split(" [")[0]
            .strip(),
        }
        if args.load
        else None
    )
    results: dict[str, Any] = {
        "date": now(),
        "commit": commit(),
        "machine": machine(),
        "encoder": f"{encoder.encoder_name} ({encoder.model_id})",
        "queries": len(texts),
        "sample_texts": int(vectors[0].shape[0]),
        "sample_embed_s": sample_s,
        "load": load,
        "sizes": [],
    }
    region: Region | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="ke-bench-scale-") as scratch:
            for size in sizes:
                say(f"region of {size:,} chunks")
                if kept:
                    figures = {**kept["figures"], "reused": True}
                else:
                    region, figures = grow(
                        settings,
                        region,
                        size,
                        files=args.work / "files",
                        model_id=encoder.model_id,
                        vectors=vectors,
                    )
                grown = dict(figures)
                figures.update(build(settings))
                figures["chunks"] = size
                measured = measure_in_process(settings, texts)
                secret = measured.pop("secret")
                figures["in_process"] = measured
                figures.update(
                    measure_service(
                        data_dir,
                        texts,
                        secret,
                        load=load if size == sizes[-1] else None,
                        scratch=Path(scratch),
                    )
                )
                if load is not None and size == sizes[-1] and args.load_workers:
                    figures["workers"] = measure_workers(
                        data_dir, texts, secret, load=load, scratch=Path(scratch)
                    )
                figures.update(measure_cold_start(settings, texts[1], secret))
                results["sizes"].append(figures)
                print(json.dumps(figures, default=str), file=sys.stderr, flush=True)
        if args.keep and not kept:
            stamp.write_text(
                json.dumps({"chunks": sizes[-1], "fingerprint": key, "figures": grown})
            )
    finally:
        shutil.rmtree(args.work / "files", ignore_errors=True)
        if not (args.keep or kept):
            shutil.rmtree(data_dir, ignore_errors=True)
    title = args.title.replace("{sizes}", size_names(sizes))
    write_section(args.out, args.section, report_body(results, title=title, command=args.command))
    print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
