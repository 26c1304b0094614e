"""A throwaway Redis server on loopback for the replica load test (``make redis`` installs
Debian's ``redis-server`` when it is missing).

:func:`throwaway_redis` starts ``redis-server`` on a free port with no persistence, in a
temporary directory, yields its URL and stops it (and removes the directory) afterwards.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.common import free_port


class RedisMissingError(RuntimeError):
    """``redis-server`` is not installed."""


def redis_binary() -> str:
    """The ``redis-server`` program.

    Raises:
        RedisMissingError: it is not installed.
    """
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
    )
    if found is None:
        raise RedisMissingError(
            "redis-server is not installed: 'make redis' installs Debian's redis-server"
        )
    return found


@contextlib.contextmanager
def throwaway_redis(*, timeout: float = 30.0) -> Iterator[str]:
    """Start a Redis server on a free loopback port; yields ``redis://127.0.0.1:PORT/0``.

    Raises:
        RedisMissingError: ``redis-server`` is not installed.
        RuntimeError: it did not start within ``timeout`` seconds.
    """
    binary = redis_binary()
    port = free_port()
    root = Path(tempfile.mkdtemp(prefix="ke-matcher-redis-"))
    command = [
        binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(root),
        "--save", "", "--appendonly", "no", "--logfile", str(root / "redis.log"),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited {process.returncode}; see {root}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
