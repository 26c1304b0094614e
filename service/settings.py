"""Settings, read once from the environment (``KE_MATCHER_*``) and passed down explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.briefs import MAX_BRIEF_CHARS
from matcher.model import Aggregation


class Settings(BaseSettings):
    """Every setting of the service and the CLI.

    Attributes:
        data_dir: where the catalogue and the index live.
        database_url: SQLAlchemy URL of the catalogue; ``sqlite:///<data_dir>/catalogue.db`` if unset,
            ``postgresql+psycopg://user:password@host:5432/db`` for a shared deployment.
        model_path: a local model folder; the packaged all-MiniLM-L6-v2 if unset.
        adapted_model: which weights the encoders load: ``auto`` (default: the adaptation made
            active by ``matcher adapt`` in this data directory, else ``model_path``), ``off``
            (always ``model_path``) or the folder of an adapted model.
        reranker: ``auto`` (default): the ranking profiles chosen in docs/quality.md use the
            re-ranker ``matcher learn`` trained on the index version, when it has one; ``off``:
            never (every profile ranks as if none had been trained).
        encoder: ``onnx`` (default: the packaged weights exported to ONNX on first use and run
            with ONNX Runtime, vectors identical to torch), ``onnx-int8`` (quantised, faster,
            cosine ≥ 0.985 to torch on real text) or ``torch`` (sentence-transformers).
        aggregation: how a profile's item similarities combine into its score.
        top_k: how many items ``top_k_mean`` averages.
        chunk_tokens: the longest chunk of an evidence text, in the model's word pieces with
            [CLS] and [SEP] counted; unset (default): the model's window, its
            ``max_seq_length`` (256 for the packaged all-MiniLM-L6-v2). A text longer than this
            is split into chunks on sentence boundaries (a sentence longer than a chunk on word
            boundaries), each chunk at most this many tokens and embedded on its own, so nothing
            is cut off before it is embedded; a value above the window is lowered to it.
        candidate_chunks: how many nearest chunks FAISS returns before exact re-scoring.
        max_brief_chars: the longest brief accepted.
        host, port: where ``matcher serve`` listens.
        reload_seconds: how often a server checks for a newer index version on disk.
        anonymous_search: let callers without a key search (public fields only); for demos.
        max_body_bytes: the largest JSON request body accepted (413 above it).
        max_upload_bytes: the largest file accepted by ``POST /api/v1/ingest``.
        demo_keys: at start-up, create one key per role and print them (demo only).
        search_threads: threads of BLAS and FAISS on the search path (1: its calls are small,
            and more threads fight the encoder and other requests for the cores).
        encoder_threads: ONNX Runtime's threads per encoder call; all cores (up to 8) if unset.
        micro_batch: the most concurrent searches of one process that share one encoder call and
            one first index search (16; 1: each search alone). Batches form only from searches
            that would otherwise wait for the step (:mod:`service.search.microbatch`).
        micro_batch_wait_ms: how long the first of them waits for others when the step is idle
            (0, the default: never; measured in docs/benchmarks.md).
        index_shared: memory-map the served index version's FAISS index and float16 copy
            read-only instead of reading them into each process, so that the workers of
            ``matcher serve --workers N`` share one copy (the page cache's) and start-up does
            not read them; 0 gives each process its own copy (measured in docs/benchmarks.md).
        rate_limits_enabled: switch rate limiting off (benchmarks and load tests that mean to
            send many requests from one address).
        rate_limit_search: searches allowed per API key and, separately, per client address
            (``limits`` notation: ``120/minute``, ``10/second;500/hour``); 429 above it.
        rate_limit_login: failed sign-ins (web form or a wrong API key) allowed per key prefix
            (the key's first characters, hashed), and web sign-ins per key; 429 with
            ``Retry-After`` above it. A valid key is never refused for others' failures.
        rate_limit_login_address: failed sign-ins allowed per client address, whatever the
            key (stops a spray of random keys; larger than ``rate_limit_login``, since everyone
            behind one proxy shares an address); only wrong keys are refused above it.
        trusted_proxies: the reverse proxies whose ``X-Forwarded-For`` / ``X-Forwarded-Proto``
            ``matcher serve`` believes, comma-separated addresses or networks
            (``10.0.0.5,192.168.0.0/16``; ``*``: any). Empty (default): proxy headers are
            ignored and the client address is the TCP peer, so that nobody can choose the
            address their failed sign-ins count against.
        secure_cookies: ``auto`` (default: cookies are ``Secure`` and HSTS is sent when the
            request came over https, directly or by a trusted proxy's ``X-Forwarded-Proto``),
            ``on`` (always: the service is only reached over https) or ``off``.
        rate_limit_storage: where the counters live (``memory://``: per process; a
            ``redis://`` URL shares them between workers).
        coauthor_years: works shared at most this many years ago make two imported people a
            conflict of interest (3, the practice of
            reviewer-assignment systems); grant co-investigators always do.
        import_consent: whether people the importers of research sources (OpenAlex, ORCID,
            GtR, Pure) create are ``listed`` in searches and listings or ``unlisted``
            (default: real people read from public sources are listed only by the office's
            documented decision, see docs/sources.md); profiles that exist keep their consent.
    """

    model_config = SettingsConfigDict(env_prefix="KE_MATCHER_", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = None
    model_path: Path | None = None
    encoder: Literal["onnx", "onnx-int8", "torch"] = "onnx"
    adapted_model: Literal["auto", "off"] | Path = "auto"
    reranker: Literal["auto", "off"] = "auto"
    aggregation: Aggregation = Aggregation.TOP_K_MEAN
    top_k: Annotated[int, Field(ge=1, le=50)] = 3
    chunk_tokens: Annotated[int, Field(ge=16, le=100_000)] | None = None
    candidate_chunks: Annotated[int, Field(ge=10, le=1_000_000)] = 2_000
    max_brief_chars: Annotated[int, Field(ge=100, le=1_000_000)] = MAX_BRIEF_CHARS
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    reload_seconds: Annotated[float, Field(ge=0)] = 2.0
    anonymous_search: bool = False
    max_body_bytes: Annotated[int, Field(ge=1_024)] = 1_000_000
    max_upload_bytes: Annotated[int, Field(ge=1_024)] = 20_000_000
    demo_keys: bool = False
    search_threads: Annotated[int, Field(ge=1, le=64)] = 1
    encoder_threads: Annotated[int, Field(ge=1, le=64)] | None = None
    micro_batch: Annotated[int, Field(ge=1, le=256)] = 16
    micro_batch_wait_ms: Annotated[float, Field(ge=0, le=1_000)] = 0.0
    index_shared: bool = True
    rate_limits_enabled: bool = True
    rate_limit_search: str = "120/minute"
    rate_limit_login: str = "10/minute"
    rate_limit_login_address: str = "100/minute"
    rate_limit_storage: str = "memory://"
    coauthor_years: Annotated[int, Field(ge=0, le=100)] = 3
    import_consent: Literal["listed", "unlisted"] = "unlisted"
    trusted_proxies: str = ""
    secure_cookies: Literal["auto", "on", "off"] = "auto"

    @field_validator("rate_limit_search", "rate_limit_login", "rate_limit_login_address")
    @classmethod
    def _valid_rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate limit; write it like '120/minute' or '10/second;500/hour'"
            ) from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxies(cls, value: str) -> str:
        import ipaddress

        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        for entry in entries:
            if entry == "*":
                continue
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an address or network; write trusted proxies like "
                    "'10.0.0.5,192.168.0.0/16' (or '*' for any)"
                ) from None
        return ",".join(entries)

    @property
    def catalogue_url(self) -> str:
        """The catalogue's URL, defaulting to a SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'catalogue.db'}"

    @property
    def model_cache_dir(self) -> Path:
        """Where exported ONNX models are kept."""
        return self.data_dir / "models"

    @property
    def index_dir(self) -> Path:
        """Where index versions are written."""
        return self.data_dir / "index"

    @property
    def batches_dir(self) -> Path:
        """Where batch jobs keep their call files and reports."""
        return self.data_dir / "batches"
