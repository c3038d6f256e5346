"""All of Dossier's settings in one typed place.

Values come, highest first, from keyword arguments, ``DOSSIER_*`` environment
variables, a TOML file (``dossier.toml`` in the working directory, or the path in
``DOSSIER_CONFIG``) and the defaults below, which run fully offline.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

BUNDLED_MODEL = "all-MiniLM-L6-v2"
EmbeddingBackend = Literal["onnx", "onnx-int8", "torch"]
DEFAULT_BACKEND: EmbeddingBackend = "onnx-int8"
"""Chosen by measurement (docs/BENCHMARKS.md, "Embedder choice"): about 2x torch encode throughput,
retrieval within the quality bar in quick mode; "onnx" (fp32) is exact to torch if full mode disagrees."""


def _config_file() -> Path:
    return Path(os.environ.get("DOSSIER_CONFIG", "dossier.toml"))


class Settings(BaseSettings):
    """Every knob of the product; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="DOSSIER_", extra="ignore")

    # --- ingestion -----------------------------------------------------------
    corpus_dir: Path = Field(Path("corpus"), description="Folder of articles to index.")
    index_dir: Path = Field(Path(".dossier/index"), description="Where the index lives.")
    collection: str = Field("dossier", description="Chroma collection name prefix.")
    embedding_model: str = Field(
        BUNDLED_MODEL,
        description="'all-MiniLM-L6-v2' (bundled, offline) or a sentence-transformers folder.",
    )
    embedding_backend: EmbeddingBackend = Field(
        DEFAULT_BACKEND,
        description="'onnx-int8' (ONNX Runtime, int8 weights; default), 'onnx' (fp32) or 'torch' (sentence-transformers).",
    )
    embed_batch_size: int = Field(64, ge=1, le=4096)
    embeddings_url: str | None = Field(
        None, description="An OpenAI-compatible embeddings server (e.g. http://10.0.0.5:7997): "
        "index builds and queries embed there instead of on this machine.")
    embeddings_model: str | None = Field(
        None, description="The model name sent to that server (default: embedding_model); it must "
        "serve the same model as embedding_model's folder, whose tokenizer sizes the chunks.")
    embeddings_api_key: SecretStr | None = None
    embeddings_batch_size: int = Field(64, ge=1, le=4096, description="Texts per request to the server.")
    embeddings_timeout_s: float = Field(60.0, gt=0)
    embeddings_retries: int = Field(5, ge=0, le=20, description="Retries on connection errors, 5xx and 429.")
    chunk_tokens: int = Field(200, ge=32, description="Max word pieces per chunk.")
    chunk_overlap_tokens: int = Field(32, ge=0)
    max_file_mb: float = Field(10.0, gt=0, description="Files larger than this are skipped.")
    max_records_per_file: int = Field(
        5000, ge=1, description="Records past this many in one .csv/.json/.jsonl are skipped (reported).")
    chroma_url: str | None = Field(None, description="Use a Chroma server instead of the embedded store.")

    # --- answering -----------------------------------------------------------
    k: int = Field(6, ge=1, le=50, description="Passages retrieved per question.")
    per_article_cap: int = Field(3, ge=1, description="Max passages from one article.")
    answer_words: int = Field(120, ge=20)
    backend: Literal["extractive", "openai"] = "extractive"
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_api_key: SecretStr | None = None
    openai_timeout_s: float = 60.0
    openai_max_tokens: int = Field(512, ge=16, description="Cap on generated tokens per answer.")

    # --- web chat ------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 7860
    username: str | None = None
    password: SecretStr | None = None
    max_upload_mb: float = 10.0

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings``)."""
    return Settings()
