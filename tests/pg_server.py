"""Run a command against a throwaway PostgreSQL server, then stop the server.

    python tests/pg_server.py -- .venv/bin/pytest -q

Creates a cluster in a temporary directory (``initdb``), starts it on a free loopback port
(``pg_ctl``), runs the command with ``KE_MATCHER_TEST_PG_URL`` pointing at it, and stops the
server and deletes the directory afterwards, whether the command passed, failed or was
interrupted. The exit status is the command's.

PostgreSQL refuses to run as root: when run as root, the server runs as the ``postgres`` system
user (Debian's package creates it), else as ``nobody``. The server binaries are looked up with
``pg_config --bindir``, then under ``/usr/lib/postgresql/*/bin``; ``make test`` installs Debian's
``postgresql`` package when neither finds them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

ENV_URL = "KE_MATCHER_TEST_PG_URL"


def find_bindir() -> Path:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Raises:
        SystemExit: PostgreSQL's server binaries are not installed.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if found.returncode == 0:
            candidates.append(Path(found.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    raise SystemExit(
        "pg_server: PostgreSQL's server binaries (initdb, pg_ctl) are not installed; "
        "'make test' installs Debian's postgresql package"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """The unprivileged user the server runs as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise SystemExit("pg_server: running as root and there is no 'postgres' or 'nobody' user")


def _as(user: str | None, argv: Sequence[str]) -> list[str]:
    if user is None:
        return list(argv)
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", user, "--", *argv]
    return ["su", "-s", "/bin/sh", user, "-c", shlex.join(argv)]


@contextlib.contextmanager
def throwaway_server(*, port: int | None = None) -> Iterator[str]:
    """Start a server in a temporary directory; yields its SQLAlchemy URL (database
    ``postgres``, user ``postgres``, trust authentication on loopback only)."""
    bindir = find_bindir()
    user = _server_user()
    port = port or free_port()
    root = Path(tempfile.mkdtemp(prefix="ke-matcher-pg-"))
    data = root / "data"
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    log = root / "server.log"
    started = False
    try:
        subprocess.run(
            _as(
                user,
                [
                    str(bindir / "initdb"),
                    "--pgdata",
                    str(data),
                    "--username",
                    "postgres",
                    "--auth",
                    "trust",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C.UTF-8",
                    "--no-sync",
                ],
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        subprocess.run(
            _as(
                user,
                [
                    str(bindir / "pg_ctl"),
                    "--pgdata",
                    str(data),
                    "--log",
                    str(log),
                    "--options",
                    options,
                    "--wait",
                    "--timeout",
                    "60",
                    "start",
                ],
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        started = True
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    except subprocess.CalledProcessError as error:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise SystemExit(f"pg_server: {error}\n{tail}") from error
    finally:
        if started:
            subprocess.run(
                _as(
                    user,
                    [str(bindir / "pg_ctl"), "--pgdata", str(data), "--mode", "immediate", "stop"],
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(root, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, start the server, run the command, stop the server."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run (after --)")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    # SIGTERM (e.g. from a CI runner) unwinds like Ctrl-C, so the server is still stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with throwaway_server() as url:
        print(f"pg_server: PostgreSQL at {url}", file=sys.stderr, flush=True)
        try:
            return subprocess.run(command, env={**os.environ, ENV_URL: url}).returncode
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main())
