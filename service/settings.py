"""Settings, read once from the environment (``KE_MATCHER_*``) and passed down explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.briefs import MAX_BRIEF_CHARS
from matcher.model import Aggregation


class Settings(BaseSettings):
    """Every setting of the service and the CLI.

    Attributes:
        data_dir: where the catalogue and the index live.
        database_url: SQLAlchemy URL of the catalogue; ``sqlite:///<data_dir>/catalogue.db`` if unset.
        model_path: a local model folder; the packaged all-MiniLM-L6-v2 if unset.
        encoder: ``onnx`` (default: the packaged weights exported to ONNX on first use and run
            with ONNX Runtime, vectors identical to torch), ``onnx-int8`` (quantised, faster,
            cosine ≥ 0.985 to torch on real text) or ``torch`` (sentence-transformers).
        aggregation: how a profile's item similarities combine into its score.
        top_k: how many items ``top_k_mean`` averages.
        chunk_words: texts longer than this many words are split into chunks.
        candidate_chunks: how many nearest chunks FAISS returns before exact re-scoring.
        max_brief_chars: the longest brief accepted.
        host, port: where ``matcher serve`` listens.
        reload_seconds: how often a server checks for a newer index version on disk.
        anonymous_search: let callers without a key search (public fields only); for demos.
        max_body_bytes: the largest JSON request body accepted (413 above it).
        max_upload_bytes: the largest file accepted by ``POST /api/v1/ingest``.
        demo_keys: at start-up, create one key per role and print them (demo only).
    """

    model_config = SettingsConfigDict(env_prefix="KE_MATCHER_", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = None
    model_path: Path | None = None
    encoder: Literal["onnx", "onnx-int8", "torch"] = "onnx"
    aggregation: Aggregation = Aggregation.TOP_K_MEAN
    top_k: Annotated[int, Field(ge=1, le=50)] = 3
    chunk_words: Annotated[int, Field(ge=20, le=10_000)] = 300
    candidate_chunks: Annotated[int, Field(ge=10, le=1_000_000)] = 2_000
    max_brief_chars: Annotated[int, Field(ge=100, le=1_000_000)] = MAX_BRIEF_CHARS
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    reload_seconds: Annotated[float, Field(ge=0)] = 2.0
    anonymous_search: bool = False
    max_body_bytes: Annotated[int, Field(ge=1_024)] = 1_000_000
    max_upload_bytes: Annotated[int, Field(ge=1_024)] = 20_000_000
    demo_keys: bool = False

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
