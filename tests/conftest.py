"""Shared fixtures: the sample deck built once per session into a real data dir and KB."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.settings import PROJECT_ROOT, SHARED_DECK, Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SAMPLE_DECK = PROJECT_ROOT / "tests" / "data" / "sample-deck.txt"
EMBED_MODEL = "all-MiniLM-L6-v2"


@pytest.fixture(scope="session")
def encoder():  # type: ignore[no-untyped-def]
    """The real embedding model, loaded once."""
    from kg.embed import load_encoder

    return load_encoder(EMBED_MODEL)


def build_data_dir(deck: Path, out: Path, encoder) -> Path:  # type: ignore[no-untyped-def]
    """Ingest one deck with real embeddings into out."""
    from ingest.pipeline import ingest
    from kg.embed import embed

    ingest([deck], out, embed=lambda texts: embed(encoder, texts), embed_model=EMBED_MODEL)
    return out


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory, encoder) -> Path:  # type: ignore[no-untyped-def]
    """A data dir built from the project's sample deck."""
    return build_data_dir(SAMPLE_DECK, tmp_path_factory.mktemp("sample") / "data", encoder)


@pytest.fixture(scope="session")
def sample_kb(sample_data_dir: Path):  # type: ignore[no-untyped-def]
    """The sample deck's knowledge base, loaded once."""
    from kg.kb import load_kb

    return load_kb(sample_data_dir, embed_model=EMBED_MODEL)


@pytest.fixture(scope="session")
def sample_settings(sample_data_dir: Path) -> Settings:
    """Settings pointing at the sample data dir."""
    return Settings(data_dir=sample_data_dir, embed_model=EMBED_MODEL)


@pytest.fixture(scope="session")
def deck_data_dir(tmp_path_factory: pytest.TempPathFactory, encoder) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """A data dir built from the real deck; skipped when the deck is absent."""
    if not SHARED_DECK.exists():
        pytest.skip(f"the real deck is not at {SHARED_DECK}")
    yield build_data_dir(SHARED_DECK, tmp_path_factory.mktemp("deck") / "data", encoder)


@pytest.fixture(scope="session")
def deck_kb(deck_data_dir: Path):  # type: ignore[no-untyped-def]
    """The real deck's knowledge base, loaded once."""
    from kg.kb import load_kb

    return load_kb(deck_data_dir, embed_model=EMBED_MODEL)
