"""When a ``matcher`` command is writing, seen from outside: the files its write phase touches.

The crash test must kill work while it writes, not while Python imports its modules or after the
work is done and the interpreter is shutting down (on these machines a command spends seconds in
each). The product prints nothing at those moments, so the harness watches the files the write
phase creates and changes, which needs no change to the product:

- the catalogue: ``catalogue.db-wal`` gets its first bytes when the first write transaction
  starts (opening a connection creates it empty, a read never writes to it), and ``catalogue.db``
  itself changes at a checkpoint; the file is removed when the last connection closes;
- the index folder: created by a first build, then its ``.lock``, a ``.build-*`` staging folder,
  a new version folder and a new ``CURRENT`` link;
- a batch's report folder: a hidden ``.NAME.partial`` file per report, renamed into place.

:func:`phase` names where a piece of work is from two snapshots (before it started, now):
``before`` nothing written yet, ``writing``, ``after`` its last write is done. Ingest and build
are done when ``CURRENT`` points to a new version, no staging folder is left and the catalogue is
closed (its WAL file removed); a batch is done when its last report, ``report.html``, is in place.
:func:`probe` snapshots a data directory before the work starts and
returns a function naming the phase at each call; :func:`time_phase` times an undisturbed run (a dry run that places the kill window) and
:func:`kill_in_phase` kills a run a chosen time after its write phase began, naming the phase the
kill landed in from a snapshot taken just before the signal.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Phase = Literal["before", "writing", "after"]
#: how often the harness looks (2 ms: a batch writes its reports in about 0.1 s)
POLL_S = 0.002
LAST_REPORT = "report.html"


@dataclass(frozen=True, slots=True)
class DiskState:
    """What the write phase of a command changes in a data directory, at one moment.

    Attributes:
        catalogue: ``catalogue.db``'s size and modification time (ns), ``None`` when absent.
        wal: ``catalogue.db-wal``'s size, ``None`` when absent.
        index: the names in the index folder, ``None`` when there is none.
        current: where ``CURRENT`` points, ``None`` when it does not exist.
        out: the names in the report folder, ``None`` when there is none (or none is watched).
    """

    catalogue: tuple[int, int] | None
    wal: int | None
    index: tuple[str, ...] | None
    current: str | None
    out: tuple[str, ...] | None

    @classmethod
    def read(cls, data_dir: Path, out: Path | None = None) -> DiskState:
        """Snapshot ``data_dir`` (and the report folder ``out``)."""
        try:
            stat = (data_dir / "catalogue.db").stat()
            catalogue: tuple[int, int] | None = (stat.st_size, stat.st_mtime_ns)
        except FileNotFoundError:
            catalogue = None
        try:
            wal: int | None = (data_dir / "catalogue.db-wal").stat().st_size
        except FileNotFoundError:
            wal = None
        try:
            current: str | None = os.readlink(data_dir / "index" / "CURRENT")
        except OSError:
            current = None
        return cls(catalogue, wal, _names(data_dir / "index"), current, _names(out))


def _names(folder: Path | None) -> tuple[str, ...] | None:
    if folder is None:
        return None
    try:
        return tuple(sorted(os.listdir(folder)))
    except FileNotFoundError:
        return None


def phase(kind: str, initial: DiskState, now: DiskState) -> Phase:
    """Where a piece of work of ``kind`` is, from the state before it started and now.

    Args:
        kind: ``ingest``, ``build`` or ``batch``.
        initial: the snapshot taken before the process started.
        now: a snapshot taken now.

    Raises:
        ValueError: an unknown kind.
    """
    if kind == "batch":
        if now.out and LAST_REPORT in now.out:
            return "after"
        return "writing" if now.out else "before"
    if kind not in ("ingest", "build"):
        raise ValueError(f"no write phase known for {kind!r}; choose ingest, build or batch")
    published = (
        now.current is not None
        and now.current != initial.current
        and not any(name.startswith(".build-") for name in now.index or ())
        and now.wal is None
    )
    if published:
        return "after"
    wrote = (
        (bool(now.wal) and now.wal != initial.wal)
        or now.catalogue != initial.catalogue
        or now.index != initial.index
    )
    return "writing" if wrote else "before"


def probe(kind: str, data_dir: Path, out: Path | None = None) -> Callable[[], Phase]:
    """Snapshot ``data_dir`` now (call it before the work starts) and return a function that
    names the work's phase whenever it is called."""
    initial = DiskState.read(data_dir, out)
    return lambda: phase(kind, initial, DiskState.read(data_dir, out))


@dataclass(frozen=True, slots=True)
class PhaseTiming:
    """An undisturbed run's write phase, in seconds from the process start.

    Attributes:
        began: the first write seen (``None``: the process wrote nothing).
        ended: the last write seen done (the exit when the end was not seen).
        exited: when the process was seen to have exited.
        returncode: its exit status.
    """

    began: float | None
    ended: float | None
    exited: float
    returncode: int

    @property
    def seconds(self) -> float:
        """How long the write phase lasted (0 when nothing was written)."""
        if self.began is None or self.ended is None:
            return 0.0
        return max(self.ended - self.began, 0.0)


def time_phase(
    process: subprocess.Popen[bytes], probe: Callable[[], Phase], *, timeout: float = 600
) -> PhaseTiming:
    """Watch ``process`` to its exit and time its write phase.

    Args:
        process: the command, just started.
        probe: its phase now (:func:`phase` over fresh snapshots).
        timeout: seconds to wait for the exit.

    Raises:
        subprocess.TimeoutExpired: the process ran longer than ``timeout``.
    """
    started = time.monotonic()
    began: float | None = None
    ended: float | None = None
    while process.poll() is None:
        elapsed = time.monotonic() - started
        if elapsed > timeout:
            raise subprocess.TimeoutExpired(process.args, timeout)
        now = probe()
        if began is None and now != "before":
            began = elapsed
        if ended is None and now == "after":
            ended = elapsed
        time.sleep(POLL_S)
    exited = time.monotonic() - started
    if probe() != "before" and began is None:
        began = exited
    if began is not None and ended is None:
        ended = exited
    return PhaseTiming(began, ended, exited, process.returncode)


@dataclass(frozen=True, slots=True)
class Kill:
    """Where a kill landed.

    Attributes:
        at: seconds from the process start to the signal (or to its exit, when it exited first).
        write_began: seconds from the process start to its first write seen (``None``: none).
        phase: the phase just before the signal; ``exited`` when the process ended by itself.
        returncode: the exit status (negative: killed by that signal).
    """

    at: float
    write_began: float | None
    phase: Phase | Literal["exited"]
    returncode: int

    @property
    def killed_writing(self) -> bool:
        """The signal hit the process while it was writing."""
        return self.phase == "writing"


def kill_in_phase(
    process: subprocess.Popen[bytes],
    probe: Callable[[], Phase],
    *,
    after: float,
    timeout: float = 600,
) -> Kill:
    """SIGKILL ``process`` (its process group) ``after`` seconds after its write phase began.

    Args:
        process: the command, just started in its own session.
        probe: its phase now (:func:`phase` over fresh snapshots).
        after: seconds between the first write seen and the signal.
        timeout: seconds to wait for the write phase to begin; the process is killed then.
    """
    started = time.monotonic()
    began: float | None = None
    while process.poll() is None and time.monotonic() - started < timeout:
        if probe() != "before":
            began = time.monotonic()
            break
        time.sleep(POLL_S)
    if began is not None:
        time.sleep(max(began + after - time.monotonic(), 0.0))
    # the snapshot right before the signal says where the kill lands
    seen: Phase = probe()
    at = time.monotonic() - started
    if process.poll() is not None:
        return Kill(at, _since(began, started), "exited", process.returncode)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return Kill(at, _since(began, started), seen, process.returncode)


def _since(moment: float | None, started: float) -> float | None:
    return None if moment is None else moment - started
