"""Beyond one machine on Ray (``make bench-ray``, issue 21): embedding throughput of encoder actors,
and the profile-sharded search against the single index.

**Embedding.** The same real texts (the region's real-text sample, ``benchmarks/region.py``) are
embedded three ways: by the local path (the configured ONNX encoder, its default threads: every
core), and by a pool of 1 and of 2 Ray actors, each holding the same encoder with one thread
(:func:`service.scale.ray_embed.one_thread_encoder`), the texts handed out in the build's batches
of :data:`index.vectors.sync.EMBED_BATCH`. Each actor loads its model and embeds a warm-up text
before the clock starts, so the rate is the actors' work plus Ray's hand-off, not their start.
From the one-actor rate, the time a cluster would take for 3M and 30M chunks is projected
(a projection: linear in actors, discounted by the 2-actor efficiency measured here).

**Sharded search.** A region of ``--size`` chunks (``BENCH_RAY_SIZE``; 100k by default) is
written, ingested, given generated vectors and built exactly as ``make bench`` does
(``benchmarks/bench_scale.py``'s ``grow`` and ``build``). The same encoded briefs are then scored
by the engine in process over the single index, and through ``SearchEngine.shards`` by the
router of 2 shards on a local Ray Serve (:func:`service.scale.ray_serve.sharded_search`): the
scoring step alone (``SearchEngine.score`` with the brief's vector; the encoding, the same in
both, is timed on its own), with the merge's own time as the router measures it, and whether the
two answered the same top lists.

The results go to the ``ray`` section of ``docs/benchmarks.md`` with the machine, date and
commit, and are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from benchmarks.bench_scale import SEED, build, grow
from benchmarks.common import ROOT, commit, machine, now, percentiles, write_section
from benchmarks.region import briefs, sample_texts
from index.encoders.base import Encoder
from index.vectors.sync import EMBED_BATCH
from matcher.briefs import make_brief
from service.container import build_container, make_encoder
from service.scale.ray_embed import EncoderFactory, one_thread_encoder
from service.scale.ray_serve import sharded_search
from service.settings import Settings

TOP = 20
SHARDS = 2
#: Projected cluster sizes (machines of this machine's cores).
MACHINES = (1, 10, 50, 100)
#: Projected pool sizes (chunks).
POOLS = (3_000_000, 30_000_000)


def say(message: str) -> None:
    """Progress on stderr-like output (flushed)."""
    print(f"[bench-ray] {message}", flush=True)


class EmbedActor:
    """A Ray actor with one encoder (built and warmed before it is timed)."""

    def __init__(self, factory: EncoderFactory) -> None:
        self.encoder = factory()
        self.encoder.encode(["warm up"])

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """The texts' vectors."""
        return self.encoder.encode(texts)


def embed_local(encoder: Encoder, texts: Sequence[str]) -> tuple[float, npt.NDArray[np.float32]]:
    """Seconds the local path takes for ``texts`` (in the build's batches) and the vectors."""
    started = time.perf_counter()
    parts = [
        encoder.encode(list(texts[s : s + EMBED_BATCH])) for s in range(0, len(texts), EMBED_BATCH)
    ]
    return time.perf_counter() - started, np.vstack(parts)


def embed_actors(
    ray: Any, factory: EncoderFactory, texts: Sequence[str], actors: int
) -> tuple[float, npt.NDArray[np.float32]]:
    """Seconds ``actors`` one-thread actors take for ``texts`` (batches handed out in turn,
    each actor working through its own queue), and the vectors in order."""
    remote: Any = ray.remote(num_cpus=1)(EmbedActor)
    pool = [remote.remote(factory) for _ in range(actors)]
    ray.get([a.encode.remote(["ready"]) for a in pool])  # started, model loaded, warmed
    batches = [list(texts[s : s + EMBED_BATCH]) for s in range(0, len(texts), EMBED_BATCH)]
    started = time.perf_counter()
    refs = [pool[i % actors].encode.remote(batch) for i, batch in enumerate(batches)]
    vectors = np.vstack(ray.get(refs))
    seconds = time.perf_counter() - started
    for actor in pool:
        ray.kill(actor)
    return seconds, vectors


def measure_embedding(
    ray: Any, settings: Settings, texts: list[str]
) -> tuple[dict[str, Any], npt.NDArray[np.float32]]:
    """Texts per second: the local path, 1 actor, 2 actors (the same texts); and the local
    vectors (the region's sample)."""
    encoder = make_encoder(settings)
    encoder.encode(["warm up"])
    say(f"embedding {len(texts)} texts: the local path")
    local_s, local = embed_local(encoder, texts)
    factory = one_thread_encoder(settings)
    figures: dict[str, Any] = {
        "texts": len(texts),
        "local": {"seconds": local_s, "rate": len(texts) / local_s},
        "local_threads": settings.encoder_threads or "all cores",
    }
    for actors in (1, 2):
        say(f"embedding {len(texts)} texts: {actors} actor(s) of one thread")
        seconds, vectors = embed_actors(ray, factory, texts, actors)
        figures[f"actors_{actors}"] = {
            "seconds": seconds,
            "rate": len(texts) / seconds,
            "max_abs_diff_to_local": float(np.abs(vectors - local).max()),
        }
    figures["speedup_2_over_1"] = figures["actors_2"]["rate"] / figures["actors_1"]["rate"]
    return figures, local


def project(per_actor: float, efficiency: float, cores: int) -> list[dict[str, Any]]:
    """Hours to embed each of :data:`POOLS` on clusters of :data:`MACHINES` machines of
    ``cores`` cores, one actor per core, from the measured one-actor rate discounted by the
    measured efficiency of two actors (a projection, not a measurement)."""
    rows = []
    for machines in MACHINES:
        rate = per_actor * machines * cores * min(1.0, efficiency)
        rows.append(
            {"machines": machines, "actors": machines * cores}
            | {str(pool): pool / rate / 3600 for pool in POOLS}
        )
    return rows


def measure_search(settings: Settings, texts: list[str]) -> dict[str, Any]:
    """The scoring step's latency over the single index and over 2 shards on Ray Serve."""
    container = build_container(settings)
    try:
        engine = container.engine
        queries_briefs = [make_brief(t, top=TOP) for t in texts]
        started = time.perf_counter()
        queries = engine.encode_briefs([b.text for b in queries_briefs])
        encode_ms = (time.perf_counter() - started) * 1000 / len(texts)
        pairs = list(zip(queries_briefs, queries, strict=True))
        for brief, query in pairs[:5]:
            engine.score(brief, query)  # warm
        single, single_ms = _timed_scores(engine, pairs)
        say(f"starting {SHARDS} shards and the router on Ray Serve")
        started = time.perf_counter()
        with sharded_search(settings, engine, SHARDS) as client:
            start_s = time.perf_counter() - started
            for brief, query in pairs[:5]:
                engine.score(brief, query)
            merge_ms: list[float] = []
            sharded, sharded_ms = _timed_scores(engine, pairs, client=client, merges=merge_ms)
        same = sum(
            all(
                a.groups[k].profiles.tolist() == b.groups[k].profiles.tolist()
                and np.allclose(a.groups[k].scores, b.groups[k].scores, rtol=0, atol=1e-6)
                for k in a.groups
            )
            for a, b in zip(single, sharded, strict=True)
        )
        snap = engine.snapshot()
        return {
            "chunks": snap.size,
            "profiles": len(snap.profiles),
            "index_type": snap.manifest.index_type,
            "briefs": len(pairs),
            "encode_ms_per_brief": encode_ms,
            "single_ms": percentiles(single_ms),
            "sharded_ms": percentiles(sharded_ms),
            "merge_ms": percentiles(merge_ms),
            "serve_start_s": start_s,
            "same_answers": same,
        }
    finally:
        container.close()


def _timed_scores(
    engine: Any, pairs: list[Any], *, client: Any = None, merges: list[float] | None = None
) -> tuple[list[Any], list[float]]:
    results, samples = [], []
    for brief, query in pairs:
        started = time.perf_counter()
        results.append(engine.score(brief, query))
        samples.append((time.perf_counter() - started) * 1000)
        if client is not None and merges is not None:
            merges.append(client.last_merge_ms)
    return results, samples


def fmt(value: float, digits: int = 1) -> str:
    """A number with thousands separators."""
    return f"{value:,.{digits}f}"


def report_body(results: dict[str, Any]) -> str:
    """The Markdown section."""
    e, s = results["embedding"], results["search"]
    cores = results["cores"]
    lines = [
        "## Beyond one machine on Ray (`make bench-ray`, issue 21)",
        "",
        f"{results['date']}, commit {results['commit']}, {results['machine']}; Ray "
        f"{results['ray']}, {results['encoder']}. Load average {results['load_before']} "
        f"before, {results['load_after']} after"
        + (
            " — **a loaded host** (more than one process per core before the run): every "
            "figure is pessimistic and noisy; rerun it on a quiet machine for reference figures."
            if float(results["load_before"]) > cores
            else " (the benchmark's own Ray processes raise it while it runs)."
        )
        + f" Command: `{results['command']}`.",
        "",
        f"**Embedding** {e['texts']} real texts (the region's real-text sample), the same "
        "texts each way:",
        "",
        "| path | seconds | texts/s | max abs. difference to the local vectors |",
        "|---|---|---|---|",
        f"| local (ONNX, threads: {e['local_threads']}) | {fmt(e['local']['seconds'])} | "
        f"{fmt(e['local']['rate'])} | – |",
    ]
    for n in (1, 2):
        a = e[f"actors_{n}"]
        lines.append(
            f"| {n} Ray actor{'s' if n > 1 else ''} of one thread | {fmt(a['seconds'])} | "
            f"{fmt(a['rate'])} | {a['max_abs_diff_to_local']:.1e} |"
        )
    met = "met" if e["speedup_2_over_1"] >= 1.8 else "missed"
    lines += [
        "",
        f"2 actors / 1 actor: **{e['speedup_2_over_1']:.2f}×** (target ≥ 1.8×: {met}). On "
        f"{cores} cores two one-thread actors are the ceiling: 2× is all the cores there are, "
        "and the driver and Ray's own processes (raylet, GCS, the object store) take some of "
        "them."
        + (
            f" This run's load ({results['load_before']} to {results['load_after']} on "
            f"{cores} cores) left each process a fraction of a core: the rates, the ratio and "
            "the projection below say nothing about a quiet host (issue 21 quotes ~57 texts/s "
            "for a quiet 2-core machine); rerun `make bench-ray` there to judge the target."
            if float(results["load_before"]) > cores
            else ""
        ),
        "",
        f"**Projection** (not a measurement): hours to embed 3M and 30M chunks on a cluster of "
        f"N machines of {cores} cores, one actor per core, at the measured one-actor rate "
        f"({fmt(e['actors_1']['rate'])} texts/s) times the measured 2-actor efficiency "
        f"({min(1.0, e['speedup_2_over_1'] / 2):.2f}); catalogue reads, cache writes and the "
        "index build on the driver are not in it:",
        "",
        "| machines | actors | 3M chunks (h) | 30M chunks (h) |",
        "|---|---|---|---|",
    ]
    for row in results["projection"]:
        lines.append(
            f"| {row['machines']} | {row['actors']} | {fmt(row[str(POOLS[0])])} | "
            f"{fmt(row[str(POOLS[1])])} |"
        )
    lines += [
        "",
        f"**Sharded search**, {fmt(s['chunks'], 0)} chunks ({fmt(s['profiles'], 0)} profiles, "
        f"generated vectors as `make bench` makes them, index `{s['index_type']}`), "
        f"{s['briefs']} briefs, top {TOP} per kind; the scoring step (`SearchEngine.score` with "
        f"the brief's vector; encoding it, the same either way, took {fmt(s['encode_ms_per_brief'])} "
        "ms a brief):",
        "",
        "| | p50 ms | p99 ms | mean ms |",
        "|---|---|---|---|",
        f"| 1 index, in process | {fmt(s['single_ms']['p50'])} | {fmt(s['single_ms']['p99'])} | "
        f"{fmt(s['single_ms']['mean'])} |",
        f"| {SHARDS} shards on Ray Serve, through the router | {fmt(s['sharded_ms']['p50'])} | "
        f"{fmt(s['sharded_ms']['p99'])} | {fmt(s['sharded_ms']['mean'])} |",
        f"| of which the router's merge | {fmt(s['merge_ms']['p50'], 3)} | "
        f"{fmt(s['merge_ms']['p99'], 3)} | {fmt(s['merge_ms']['mean'], 3)} |",
        "",
        f"Answers equal to the single index's (same profiles in the same order, scores within "
        f"1e-6): {s['same_answers']} of {s['briefs']}. Serve's start (2 shards loading their "
        f"part of the version, and the router): {fmt(s['serve_start_s'])} s. On one machine "
        "the shards share its cores with the front, so sharding buys no speed here: it is for "
        "pools whose index does not fit one machine, each shard on its own; the hop through "
        "Serve (two handle calls and the pickled answers) is the price per brief, the merge "
        "itself is negligible. At 1M chunks: "
        "`BENCH_RAY_SIZE=1000000 make bench-ray` (about 10 minutes of ingestion on 2 cores).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=int(os.environ.get("BENCH_RAY_SIZE", "100000")))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-ray")
    parser.add_argument("--per-topic", type=int, default=12, help="real sample texts a topic")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import ray

    load_before = os.getloadavg()[0]
    data_dir = args.work / "region"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    settings = Settings(data_dir=data_dir)
    models = args.work / "models"  # the ONNX export, kept between runs
    if models.is_dir():
        shutil.copytree(models, settings.model_cache_dir, dirs_exist_ok=True)
    encoder = make_encoder(settings)
    encoder.encode(["warm up"])  # exports the ONNX model once, before the actors load it
    if settings.model_cache_dir.is_dir():
        shutil.copytree(settings.model_cache_dir, models, dirs_exist_ok=True)
    texts, topics = sample_texts(args.per_topic, seed=SEED)
    ray.init(
        num_cpus=os.cpu_count() or 2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}},
    )
    try:
        embedding, vectors = measure_embedding(ray, settings, texts)
        say(f"region of {args.size:,} chunks")
        _, grown = grow(
            settings,
            None,
            args.size,
            files=args.work / "files",
            model_id=encoder.model_id,
            vectors=(vectors, topics),
        )
        built = build(settings)
        search = measure_search(settings, briefs(args.queries))
    finally:
        ray.shutdown()
    cores = os.cpu_count() or 2
    results = {
        "date": now(),
        "commit": commit(),
        "machine": machine(),
        "ray": ray.__version__,
        "encoder": f"{encoder.encoder_name} ({encoder.model_id})",
        "command": "make bench-ray"
        + (f" BENCH_RAY_SIZE={args.size}" if args.size != 100_000 else ""),
        "cores": cores,
        "load_before": f"{load_before:.1f}",
        "load_after": f"{os.getloadavg()[0]:.1f}",
        "embedding": embedding,
        "projection": project(
            embedding["actors_1"]["rate"], embedding["speedup_2_over_1"] / 2, cores
        ),
        "region": {**grown, **built},
        "search": search,
    }
    write_section(args.out, "ray", report_body(results))
    print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
