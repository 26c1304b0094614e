"""Shared helpers for the benchmarks: machine description, percentiles, report sections."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    """One line naming the CPU, cores, memory, Python and OS."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(re.findall(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[0])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def commit() -> str:
    """The current git commit (short), or 'unknown'."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def now() -> str:
    """The date and time of the run, UTC."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99 and mean of latencies in milliseconds."""
    values = np.asarray(samples_ms, dtype=np.float64)
    return {
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "p99": float(np.percentile(values, 99)),
        "mean": float(values.mean()),
        "n": float(values.size),
    }


def write_section(report: Path, name: str, body: str) -> None:
    """Replace (or append) the section ``name`` of a Markdown report, leaving other sections."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}\n"
    text = report.read_text() if report.exists() else "# Benchmarks\n\n"
    if start in text and end in text:
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        text = text.rstrip() + "\n\n" + block
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(text)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A ``matcher serve`` child process on loopback.

    Attributes:
        process: the child process.
        url: its base URL.
        started: ``time.perf_counter()`` just before the process was started.
    """

    process: subprocess.Popen[bytes]
    url: str
    started: float


@contextlib.contextmanager
def serve(
    data_dir: Path, *, env: Mapping[str, str] | None = None, args: Sequence[str] = ()
) -> Iterator[Server]:
    """Run ``matcher serve`` over ``data_dir`` on a free loopback port until the block ends
    (``args``: more options of ``matcher serve``, e.g. ``--workers 2``).

    Rate limits are off (a benchmark sends every request from one address with one key)
    unless ``env`` says otherwise.
    """
    port = free_port()
    environment = {
        **os.environ,
        "KE_MATCHER_DATA_DIR": str(data_dir),
        "KE_MATCHER_RATE_LIMITS_ENABLED": "false",
        **(env or {}),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "-q", "serve", "--port", str(port), *args],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield Server(process, f"http://127.0.0.1:{port}", started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def wait_for_search(
    server: Server, client: httpx.Client, body: Mapping[str, object], *, timeout: float = 300
) -> float:
    """Post ``body`` to ``/api/v1/search`` until it succeeds; seconds from process start.

    Raises:
        SystemExit: the server died or did not answer within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if client.post("/api/v1/search", json=body, timeout=timeout).status_code == 200:
                return time.perf_counter() - server.started
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.process.poll() is not None:
            raise SystemExit(f"the server did not answer a search (exit {server.process.poll()})")
        time.sleep(0.02)


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory of a process now (``rss``) and at its peak (``peak``), in MB, and the
    part of ``rss`` that is the process's own (``anon``: heap, FAISS's codes) as against pages of
    files it maps (``file``: ``vectors.npy``, libraries), which the kernel can drop and re-read."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = dict(
        re.findall(r"^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem):\s+(\d+) kB", status, flags=re.M)
    )
    return {
        "rss": int(found["VmRSS"]) / 1024,
        "peak": int(found["VmHWM"]) / 1024,
        "anon": int(found.get("RssAnon", 0)) / 1024,
        "file": (int(found.get("RssFile", 0)) + int(found.get("RssShmem", 0))) / 1024,
    }


def tree_memory_mb(pid: int) -> dict[str, float]:
    """Memory of a process and its children (uvicorn's workers) together, in MB: ``rss`` sums
    their resident sets (a page two processes share counts twice), ``pss`` their proportional
    sets (``/proc/PID/smaps_rollup``: a shared page counts once in the total, split between
    the processes mapping it) -- what the machine gives them."""
    totals = {"rss": 0.0, "pss": 0.0}
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found = dict(re.findall(r"^(Rss|Pss):\s+(\d+) kB", rollup, flags=re.M))
        totals["rss"] += int(found.get("Rss", 0)) / 1024
        totals["pss"] += int(found.get("Pss", 0)) / 1024
        pids.extend(int(c) for c in children)
    return totals


def wrk_cells(runs: Sequence[Mapping[str, float]]) -> str:
    """Table cells of a wrk run at 1 and at 8 connections: each one's req/s and p50 / p99, then
    the non-2xx answers and socket errors of both (``a | b | c``)."""
    one, eight = runs
    bad = sum(r["non2xx"] + r["socket_errors"] + r["timeouts"] for r in runs)
    return (
        f"{one['throughput']:.1f}, {one['p50_ms']:.1f} / {one['p99_ms']:.1f} | "
        f"{eight['throughput']:.1f}, {eight['p50_ms']:.1f} / {eight['p99_ms']:.1f} | {bad}"
    )


def directory_mb(path: Path) -> float:
    """Size of the files under ``path`` (links not followed), in MB."""
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return total / 1024 / 1024
