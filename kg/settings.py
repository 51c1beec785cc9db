"""The one Settings object; only entry points read it."""

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DECK = PROJECT_ROOT.parent / "shared" / "corpus" / "das-c01-slides.txt"
SAMPLE_DECK = PROJECT_ROOT / "tests" / "data" / "sample-deck.txt"


def default_deck() -> Path:
    """The real deck when it is beside the project, else the project's own sample deck."""
    return SHARED_DECK if SHARED_DECK.exists() else SAMPLE_DECK


class FaissIndex(StrEnum):
    """How passages are searched: exact (flat) or approximate (IVF lists, HNSW graph)."""

    FLAT = "flat"
    IVF = "ivf"
    HNSW = "hnsw"


class Settings(BaseSettings):
    """Configuration read from KGQA_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="KGQA_", extra="ignore")

    data_dir: Path = PROJECT_ROOT / "data"
    embed_model: str = "all-MiniLM-L6-v2"
    embed_backend: str = "onnx"
    top_k: int = 8
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    query_timeout_s: float = 10.0
    max_results: int = 10000
    max_query_chars: int = 20000
    max_question_chars: int = 2000
    public_base_url: str = ""
    slack_signing_secret: SecretStr = SecretStr("")
    slack_bot_token: SecretStr = SecretStr("")
    slack_app_token: SecretStr = SecretStr("")
    slack_api_url: str = "https://slack.com/api/"
    sparql_url: str = ""
    sparql_update_url: str = ""
    sparql_store_url: str = ""
    versions_dir: Path | None = None
    reload_interval_s: float = 1.0
    faiss_index: FaissIndex = FaissIndex.FLAT
    # Resource limits and posture (issue 10).
    onnx_dir: Path | None = None
    max_result_bytes: int = 16 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024
    client_timeout_s: float = 10.0
    sparql_workers: int = 2
    sparql_queue: int = 8
    sparql_queue_wait_s: float = 2.0
    query_memory_mb: int = 2048
    cors_origins: str = "*"
    api_tokens: SecretStr = SecretStr("")
    metrics_public: bool = True


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
