"""``matcher serve --shards N``: the profile-sharded index on Ray Serve (issue 21 item 3).

One Serve application, :data:`APP`: a deployment per shard (:class:`service.scale.shards.ShardServer`, shard ``s`` of
``N`` as :mod:`service.scale.shards` cuts it) and a router
(:class:`service.scale.router.Router`) that fans a brief's
vector out to every shard, awaits their per-kind top lists and merges them exactly
(:func:`service.scale.router.merge_answers`). The HTTP service is unchanged: its engine keeps
the catalogue, the whole version (for explanations) and the encoder, and its search step
delegates to the router (:attr:`service.search.engine.SearchEngine.shards`, set by
:func:`sharded_search`). The front encodes the brief once and sends the vector; a caller that
sends the text only (``query=None``) has it encoded by the router. Serve's own HTTP proxy is
not started: ``matcher serve`` answers HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt

from index.vectors.store import IndexSnapshot
from matcher.model import Brief
from matcher.ranking import AggregationConfig
from service.scale.ray_embed import EncoderFactory, one_thread_encoder
from service.scale.ray_session import RayUnavailableError, cluster_cpus, import_ray, ray_session
from service.scale.router import Router, ShardAnswer, ShardRequest
from service.scale.shards import ShardServer, as_scored
from service.search.engine import ScoredBrief, SearchEngine
from service.settings import Settings

logger = logging.getLogger(__name__)

#: The Serve application's name (one per cluster: a second ``serve --shards`` replaces it).
APP = "ke-matcher-shards"
#: How long the front waits for the router's answer (seconds).
ROUTER_TIMEOUT = 30.0


def import_serve() -> Any:
    """The ``ray.serve`` module.

    Raises:
        RayUnavailableError: the optional extra (Ray with Serve) is not installed.
    """
    import_ray()
    try:
        from ray import serve
    except ImportError as error:
        raise RayUnavailableError(
            f"Ray Serve is not installed ({error}): pip install 'ke-matcher[ray]'"
        ) from error
    return serve


def _result(response: Any, timeout: float) -> Any:
    """A Serve response's result, waited for on a thread of its own when this thread runs an
    asyncio event loop (Serve refuses a blocking wait there: a caller inside an event loop, e.g.
    a Playwright or Jupyter session, would otherwise get a RuntimeError)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return response.result(timeout_s=timeout)
    with ThreadPoolExecutor(max_workers=1) as waiter:
        return waiter.submit(response.result, timeout_s=timeout).result()


class RouterClient:
    """The front engine's search step (:data:`service.search.engine.ShardedScoring`): asks the
    router and turns its answer into the engine's scores.

    Args:
        handle: the router's deployment handle.
        timeout: seconds to wait for an answer.
    """

    def __init__(self, handle: Any, *, timeout: float = ROUTER_TIMEOUT) -> None:
        self.handle = handle
        self.timeout = timeout
        #: the last answer's merge time (ms), for the benchmark
        self.last_merge_ms = 0.0

    def ask(self, request: ShardRequest) -> ShardAnswer:
        """The router's merged answer to ``request``."""
        answer: ShardAnswer = _result(self.handle.score.remote(request), self.timeout)
        self.last_merge_ms = answer.merge_ms
        return answer

    def __call__(
        self,
        snap: IndexSnapshot,
        brief: Brief,
        query: npt.NDArray[np.float32],
        top: int,
        aggregation: AggregationConfig,
    ) -> ScoredBrief | None:
        try:
            answer = self.ask(ShardRequest(brief, np.asarray(query, np.float32), top, aggregation))
        except Exception as error:
            # the front holds the whole version: a shard down, a timeout or Serve gone costs
            # this brief its speed, never its answer
            logger.warning("sharded search failed (%s); scored locally", type(error).__name__)
            return None
        return as_scored(snap, brief, answer)


def shard_application(
    settings: Settings,
    shards: int,
    *,
    model_id: str,
    dimension: int,
    encoder_factory: EncoderFactory,
    cpus_per_shard: float,
) -> Any:
    """The Serve application: ``shards`` shard deployments bound into one router."""
    serve = import_serve()
    bound = [
        serve.deployment(ShardServer)
        .options(name=f"shard-{s}", ray_actor_options={"num_cpus": cpus_per_shard})
        .bind(settings, s, shards, model_id, dimension)
        for s in range(shards)
    ]
    router = serve.deployment(Router).options(name="router", ray_actor_options={"num_cpus": 0})
    return router.bind(bound, pickle.dumps(encoder_factory))


@contextlib.contextmanager
def sharded_search(
    settings: Settings,
    engine: SearchEngine,
    shards: int,
    *,
    address: str | None = None,
    encoder_factory: EncoderFactory | None = None,
    num_cpus: int | None = None,
) -> Iterator[RouterClient]:
    """The sharded index served on Ray for the block, ``engine``'s search step delegating to it.

    Ray is joined or started as by :func:`service.scale.ray_session.ray_session`; each shard
    reserves an equal part of the cluster's CPUs (at most one). The block starts once every
    shard has loaded the current version; afterwards the application is deleted and the engine
    searches locally again.

    Args:
        settings: the service settings (the shards open the same catalogue and index directory).
        engine: the front's engine (its encoder's model must have built the index).
        shards: how many shards (at least 1).
        address: a Ray cluster (``None``/``"local"``: ``$KE_MATCHER_RAY_ADDRESS`` or local Ray).
        encoder_factory: makes the router's encoder (default: the configured one, one thread).
        num_cpus: CPUs of a locally started Ray.

    Raises:
        ValueError: ``shards`` below 1.
        RayUnavailableError: Ray (with Serve) is not installed or the cluster cannot be reached.
        IndexUnavailableError: a shard cannot load the index.
    """
    if shards < 1:
        raise ValueError(f"shards must be at least 1, not {shards}")
    factory = encoder_factory or one_thread_encoder(settings)
    serve = import_serve()
    with ray_session(address, num_cpus=num_cpus) as ray:
        cpus = min(1.0, int(10 * cluster_cpus(ray) / shards) / 10) or 0.1
        # no Serve HTTP proxy: it would take port 8000, and matcher serve answers HTTP
        serve.start(proxy_location="Disabled")
        app = shard_application(
            settings,
            shards,
            model_id=engine.encoder.model_id,
            dimension=engine.encoder.dimension,
            encoder_factory=factory,
            cpus_per_shard=cpus,
        )
        handle = serve.run(app, name=APP, route_prefix=None)
        try:
            _result(handle.versions.remote(), 600)
            client = RouterClient(handle)
            engine.shards = client
            yield client
        finally:
            engine.shards = None
            serve.delete(APP)
