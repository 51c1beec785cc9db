"""The onnx embedding backend against the torch one it stands in for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kg.embed import Encoder, embed, embed_one, load_encoder, onnx_file

EMBED_MODEL = "all-MiniLM-L6-v2"
SENTENCES = [
    "Kinesis Data Firehose can deliver records to Amazon Redshift through S3.",
    "The maximum SQS message size is 256 KB.",
    "Encrypt a Kinesis stream at rest with AWS KMS server-side encryption.",
    "Spark on EMR reads from Kinesis Data Streams.",
    "Glue crawlers populate the Data Catalog with table definitions.",
]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One export directory for the module."""
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module")
def onnx_encoder(onnx_cache: Path) -> Encoder:
    """The onnx backend, exported once into the module's directory."""
    return load_encoder(EMBED_MODEL, backend="onnx", cache_dir=onnx_cache)


@pytest.mark.slow
def test_onnx_matches_torch(encoder: Any, onnx_encoder: Encoder) -> None:
    """Both backends give unit vectors pointing the same way, batched or one at a time."""
    torch_vectors = embed(encoder, SENTENCES)
    onnx_vectors = embed(onnx_encoder, SENTENCES)
    assert onnx_vectors.shape == torch_vectors.shape == (len(SENTENCES), 384)
    assert onnx_vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)
    assert float((torch_vectors * onnx_vectors).sum(axis=1).min()) >= 0.99
    for text, row in zip(SENTENCES, torch_vectors, strict=True):
        assert float(embed_one(onnx_encoder, text) @ row) >= 0.99


@pytest.mark.slow
def test_same_nearest_neighbour(encoder: Any, onnx_encoder: Encoder) -> None:
    """A query finds the same nearest text among five with either backend."""
    for query, expected in [("how big can an SQS message be?", 1), ("write to Redshift", 0)]:
        nearest = [
            int(np.argmax(embed(backend, SENTENCES) @ embed_one(backend, query)))
            for backend in (encoder, onnx_encoder)
        ]
        assert nearest == [expected, expected]


@pytest.mark.slow
def test_export_is_reused(onnx_encoder: Encoder, onnx_cache: Path) -> None:
    """A second load reuses the file on disk and does not export again."""
    path = onnx_file(EMBED_MODEL, onnx_cache)
    assert path.exists() and onnx_encoder.model.path == path
    stamp = path.stat().st_mtime_ns

    def no_export(*args: object, **kwargs: object) -> None:
        raise AssertionError("exported again")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kg.embed.export_onnx", no_export)
        again = load_encoder(EMBED_MODEL, backend="onnx", cache_dir=onnx_cache)
    assert again.backend == "onnx" and path.stat().st_mtime_ns == stamp
    assert list(onnx_cache.glob("*.onnx")) == [path]


def test_unknown_backend() -> None:
    """A misspelt backend is refused by name."""
    from kg.errors import ModelMissing

    with pytest.raises(ModelMissing, match="unknown embedding backend"):
        load_encoder(EMBED_MODEL, backend="tensorrt")
