"""Micro-batching: concurrent callers of one step (encoding a brief, the first FAISS search)
share one batched call.

Requests of the web server run on threads. Each searching thread used to encode its brief and
search the index alone; with :class:`MicroBatcher` a thread that finds the step busy queues its
input, and when the step is free the oldest waiting thread runs it once for everything queued
(at most ``max_batch``), then hands each caller its own answer. Nobody waits when the step is
idle (``max_wait`` 0, the default): batches form only from requests that would have queued for
the cores anyway, so one client sees no extra latency. A ``max_wait`` above 0 holds the first
caller up to that long for companions (measured in docs/benchmarks.md).

The step must answer each input as it would alone: the engine's steps do (the encoder sorts a
batch by length and pools each text over its own tokens; FAISS searches each query on its own;
an exact index's one matrix product gives each query's similarities to float rounding, see
``tests/service/search/test_microbatch.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class _Ticket(Generic[T, R]):
    item: T
    done: bool = False
    result: R | None = None
    error: BaseException | None = None


@dataclass(slots=True)
class BatchStats:
    """What a batcher has done: batched calls made, inputs answered, largest batch."""

    calls: int = 0
    items: int = 0
    largest: int = 0
    sizes: dict[int, int] = field(default_factory=dict)

    @property
    def mean_batch(self) -> float:
        """Inputs per call (1.0: nothing was batched)."""
        return self.items / self.calls if self.calls else 0.0


class MicroBatcher(Generic[T, R]):
    """Run ``step`` on the inputs of concurrent callers together.

    Args:
        step: answers a list of inputs with one answer per input, in order.
        max_batch: the most inputs in one call (1: every call alone, no batching).
        max_wait: seconds the first caller of an idle step waits for others (0: none).
        concurrency: how many calls of ``step`` may run at once (1: the step has the cores).

    Raises:
        ValueError: ``max_batch`` or ``concurrency`` below 1, or ``max_wait`` negative.
    """

    def __init__(
        self,
        step: Callable[[list[T]], Sequence[R]],
        *,
        max_batch: int = 16,
        max_wait: float = 0.0,
        concurrency: int = 1,
    ) -> None:
        if max_batch < 1 or concurrency < 1:
            raise ValueError("max_batch and concurrency must be at least 1")
        if max_wait < 0:
            raise ValueError("max_wait cannot be negative")
        self._step = step
        self.max_batch = max_batch
        self.max_wait = max_wait
        self._concurrency = concurrency
        self._queue: list[_Ticket[T, R]] = []
        self._running = 0
        self._cond = threading.Condition()
        self.stats = BatchStats()

    def __call__(self, item: T) -> R:
        """The step's answer for ``item``, computed alone or with other callers' inputs.

        Raises:
            Whatever ``step`` raised for the batch ``item`` was in (every caller of that batch
            gets the error).
        """
        if self.max_batch == 1:
            return self._run_alone(item)
        ticket: _Ticket[T, R] = _Ticket(item)
        with self._cond:
            self._queue.append(ticket)
            self._cond.notify_all()  # a caller holding for companions counts them
            while not ticket.done:
                if self._running < self._concurrency and self._queue[0] is ticket:
                    batch = self._take()
                    break
                self._cond.wait()
            else:
                return self._answer(ticket)
        self._run(batch)
        return self._answer(ticket)

    def _take(self) -> list[_Ticket[T, R]]:
        """The batch the caller at the queue's head runs (the lock is held)."""
        if self.max_wait > 0:
            deadline = time.monotonic() + self.max_wait
            while len(self._queue) < self.max_batch:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
        batch = self._queue[: self.max_batch]
        del self._queue[: self.max_batch]
        self._running += 1
        return batch

    def _run(self, batch: list[_Ticket[T, R]]) -> None:
        try:
            answers = self._step([t.item for t in batch])
            if len(answers) != len(batch):
                raise RuntimeError(f"the step answered {len(answers)} of {len(batch)} inputs")
            for ticket, answer in zip(batch, answers, strict=True):
                ticket.result = answer
        except BaseException as error:  # every caller of the batch sees the step's error
            for ticket in batch:
                ticket.error = error
        finally:
            with self._cond:
                for ticket in batch:
                    ticket.done = True
                self._running -= 1
                self._count(len(batch))
                self._cond.notify_all()

    def _run_alone(self, item: T) -> R:
        answers = self._step([item])
        with self._cond:
            self._count(1)
        return answers[0]

    def _count(self, size: int) -> None:
        stats = self.stats
        stats.calls += 1
        stats.items += size
        stats.largest = max(stats.largest, size)
        stats.sizes[size] = stats.sizes.get(size, 0) + 1

    @staticmethod
    def _answer(ticket: _Ticket[T, R]) -> R:
        if ticket.error is not None:
            raise ticket.error
        return ticket.result  # type: ignore[return-value]
