"""The txtai side of ``make bench-peers``; runs in txtai's own virtual environment.

Reads a JSON file ``{"model": folder, "documents": [...], "queries": [...], "limit": k,
"warmup": n}``, indexes the documents with ``txtai.Embeddings`` over the given model folder
(txtai's defaults otherwise: its transformers vectors, FAISS), searches every query once after
``warmup`` unmeasured ones, and prints ``{"index_s": ..., "search_ms": [...], ...}`` as JSON.
Percentiles are computed by the harness (``benchmarks/bench_peers.py``), the same way as for
ke-matcher. Only txtai and the standard library are imported: this file never sees ke-matcher.
"""

from __future__ import annotations

import json
import sys
import time
from importlib import metadata
from pathlib import Path


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[1]).read_text())
    from txtai import Embeddings  # type: ignore[import-not-found]

    embeddings = Embeddings(path=spec["model"])
    documents = spec["documents"]
    queries = spec["queries"]
    started = time.perf_counter()
    embeddings.index(documents)
    index_s = time.perf_counter() - started
    for query in queries[: spec["warmup"]]:
        embeddings.search(query, spec["limit"])
    search_ms = []
    for query in queries:
        t0 = time.perf_counter()
        embeddings.search(query, spec["limit"])
        search_ms.append((time.perf_counter() - t0) * 1000)
    print(
        json.dumps(
            {
                "txtai": metadata.version("txtai"),
                "torch": metadata.version("torch"),
                "faiss": metadata.version("faiss-cpu"),
                "documents": len(documents),
                "index_s": index_s,
                "search_ms": search_ms,
                "config": {k: str(v) for k, v in (embeddings.config or {}).items()},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
