"""Published versions of the dataset: a versioned folder each, a current pointer, rollback.

A versions root (shared storage) holds `versions/<id>/` (the build's files and `version.json`)
and `current.json`: the current version, the publish history and which SPARQL dataset holds
which version. `current.json` is replaced in one rename, so a reader sees the old state or the
new one. A version bound for a SPARQL server is loaded into a dataset that does not hold the
current version (blue/green), checked, and only then made current.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import BadQuery, NotFound, StoreUnavailable
from kg.graph import GRAPH_FILE, load_store
from kg.store import Endpoint, RemoteStore

VERSIONS = "versions"
POINTER_FILE = "current.json"
RECORD_FILE = "version.json"
LOCK_FILE = ".publish.lock"
SUMMARY_FILE = "summary.json"
HASH_CHUNK = 1 << 20
ID_CHARS = 16


@dataclass(frozen=True)
class Version:
    """One published build: its id, decks, when and with what it was built, its counts."""

    id: str
    decks: tuple[dict[str, Any], ...]
    built_at: str
    model: str
    counts: dict[str, int]
    published_at: str

    def to_json(self) -> dict[str, Any]:
        """The record as written to version.json."""
        return {**self.__dict__, "decks": list(self.decks)}

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> Version:
        """The record of a version.json."""
        return cls(**{**payload, "decks": tuple(payload["decks"])})


@dataclass(frozen=True)
class Pointer:
    """The current version, the versions made current before it, and where each graph is loaded."""

    current: str
    history: tuple[str, ...]
    placement: dict[str, Endpoint] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The pointer as written to current.json."""
        return {
            "current": self.current,
            "history": list(self.history),
            "placement": {v: e.to_json() for v, e in self.placement.items()},
        }

    @classmethod
    def from_json(cls, payload: dict[str, Any]) -> Pointer:
        """The pointer of a current.json."""
        placement = {v: Endpoint.from_json(e) for v, e in payload.get("placement", {}).items()}
        return cls(payload["current"], tuple(payload["history"]), placement)


@dataclass(frozen=True)
class Served:
    """What a replica serves: a version's folder and, when remote, the dataset holding its graph."""

    version: str
    data_dir: Path
    endpoint: Endpoint | None


def file_digest(path: Path, digest: Any) -> None:
    """Feed a file into a hash in chunks."""
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)


def dataset_id(data_dir: Path) -> str:
    """The id of a built data dir: a hash of its summary and graph (the manifest's id, later)."""
    summary, graph = data_dir / SUMMARY_FILE, data_dir / GRAPH_FILE
    if not summary.exists() or not graph.exists():
        raise NotFound(
            f"no built dataset in {data_dir}: run `kgqa ingest DECK --data-dir {data_dir}`"
        )
    digest = hashlib.sha256()
    for path in (summary, graph):
        file_digest(path, digest)
    return digest.hexdigest()[:ID_CHARS]


def version_of(data_dir: Path, version_id: str, *, now: datetime) -> Version:
    """The version record of a built data dir, from its summary."""
    summary = json.loads((data_dir / SUMMARY_FILE).read_text(encoding="utf-8"))
    facts = sum(int(n) for n in (summary.get("facts_by_kind") or {}).values())
    return Version(
        id=version_id,
        decks=tuple(
            {"deck": d["deck"], "file": d["file"], "sha256": d["sha256"]}
            for d in summary.get("decks", [])
        ),
        built_at=str(summary.get("built_at", "")),
        model=str(summary.get("model", "")),
        counts={
            "slides": int(summary.get("slides", 0)),
            "entities": int(summary.get("entities", 0)),
            "facts": facts,
            "triples": int(summary.get("triples", 0)),
            "vectors": int(summary.get("vectors", 0)),
        },
        published_at=now.isoformat(timespec="seconds"),
    )


def version_dir(root: Path, version_id: str) -> Path:
    """The folder of one version."""
    return root / VERSIONS / version_id


def read_pointer(root: Path) -> Pointer | None:
    """The current pointer, or None before the first publish."""
    path = root / POINTER_FILE
    if not path.exists():
        return None
    return Pointer.from_json(json.loads(path.read_text(encoding="utf-8")))


def read_version(root: Path, version_id: str) -> Version:
    """The record of a published version."""
    path = version_dir(root, version_id) / RECORD_FILE
    if not path.exists():
        raise NotFound(f"no version {version_id!r} under {root / VERSIONS}")
    return Version.from_json(json.loads(path.read_text(encoding="utf-8")))


def write_atomic(path: Path, text: str) -> None:
    """Write a file under a temporary name, flush it to disk and rename it into place."""
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=f".{path.name}.", delete=False, encoding="utf-8"
    ) as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(fh.name, 0o644)
    os.replace(fh.name, path)


def write_pointer(root: Path, pointer: Pointer) -> None:
    """Flip the current pointer in one rename."""
    write_atomic(root / POINTER_FILE, json.dumps(pointer.to_json(), indent=1))


def served_version(root: Path) -> Served | None:
    """What the versions root says replicas serve now, or None before the first publish."""
    pointer = read_pointer(root)
    if pointer is None:
        return None
    return Served(
        pointer.current,
        version_dir(root, pointer.current),
        pointer.placement.get(pointer.current),
    )


@contextmanager
def publish_lock(root: Path) -> Iterator[None]:
    """One publisher at a time per versions root."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / LOCK_FILE).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def copy_build(data_dir: Path, root: Path, version: Version) -> Path:
    """The version's folder: the build's files (not its caches) and version.json, made once."""
    target = version_dir(root, version.id)
    if (target / RECORD_FILE).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{version.id}.", dir=target.parent))
    try:
        for path in sorted(data_dir.iterdir()):
            if path.is_file():
                shutil.copy2(path, work / path.name)
        (work / RECORD_FILE).write_text(json.dumps(version.to_json(), indent=1), encoding="utf-8")
        work.chmod(0o755)
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def dataset_nquads(data_dir: Path) -> tuple[bytes, int]:
    """The dataset exactly as the embedded store serves it (merged default graph included)."""
    store = load_store(data_dir)
    return store.dump(format=ox.RdfFormat.N_QUADS) or b"", len(store)


def load_graph(data_dir: Path, endpoint: Endpoint, *, timeout_s: float) -> int:
    """Replace the endpoint's dataset with the version's graph; check every quad arrived."""
    nquads, expected = dataset_nquads(data_dir)
    with RemoteStore(endpoint, timeout_s=timeout_s) as remote:
        remote.replace_all(nquads, timeout_s=timeout_s)
        loaded = remote.count_quads()
    if loaded != expected:
        raise StoreUnavailable(
            f"{endpoint.query_url} holds {loaded} quads after the load, not {expected}; "
            "the current version is unchanged"
        )
    return loaded


def free_endpoint(candidates: Sequence[Endpoint], pointer: Pointer | None) -> Endpoint:
    """A configured dataset that does not hold the current version."""
    if not candidates:
        raise BadQuery(
            "this version's graph is no longer loaded on a SPARQL server: pass --to a dataset "
            "that does not hold the current version, or set KGQA_SPARQL_URL"
        )
    live = pointer.placement.get(pointer.current) if pointer else None
    for endpoint in candidates:
        if live is None or endpoint.query_url != live.query_url:
            return endpoint
    where = live.query_url if live else ""
    raise BadQuery(
        f"every configured SPARQL dataset holds the current version ({where}); list a second "
        "dataset in KGQA_SPARQL_URL (blue/green) or pass --to another one"
    )


def place(
    pointer: Pointer | None, version_id: str, endpoint: Endpoint | None
) -> dict[str, Endpoint]:
    """Placements after loading version_id into endpoint (which then holds nothing else)."""
    placement = dict(pointer.placement) if pointer else {}
    if endpoint is None:
        placement.pop(version_id, None)
        return placement
    placement = {v: e for v, e in placement.items() if e.query_url != endpoint.query_url}
    placement[version_id] = endpoint
    return placement


def publish(
    data_dir: Path,
    root: Path,
    *,
    endpoints: Sequence[Endpoint] = (),
    timeout_s: float = 600.0,
    now: datetime | None = None,
) -> Version:
    """Copy a build into the versions root, load its graph into a free dataset, make it current."""
    with publish_lock(root):
        version_id = dataset_id(data_dir)
        pointer = read_pointer(root)
        version = version_of(data_dir, version_id, now=now or datetime.now(UTC))
        folder = copy_build(data_dir, root, version)
        version = read_version(root, version_id)
        if pointer is not None and pointer.current == version_id:
            return version
        endpoint = free_endpoint(endpoints, pointer) if endpoints else None
        placed = pointer.placement.get(version_id) if pointer else None
        if placed is not None and endpoint is not None and placed in endpoints:
            endpoint = placed  # still loaded in a dataset that is not live: nothing to load
        elif endpoint is not None:
            load_graph(folder, endpoint, timeout_s=timeout_s)
        history = (*(pointer.history if pointer else ()), version_id)
        write_pointer(root, Pointer(version_id, history, place(pointer, version_id, endpoint)))
        return version


def rollback(
    root: Path, *, endpoints: Sequence[Endpoint] = (), timeout_s: float = 600.0
) -> Version:
    """Make the version before the current one current again, reloading its graph if need be."""
    with publish_lock(root):
        pointer = read_pointer(root)
        if pointer is None or len(pointer.history) < 2:
            raise NotFound(
                f"nothing to roll back to under {root}: fewer than two versions published"
            )
        previous = pointer.history[-2]
        folder = version_dir(root, previous)
        read_version(root, previous)
        was_remote = pointer.current in pointer.placement or previous in pointer.placement
        endpoint = pointer.placement.get(previous)
        if endpoint is None and was_remote:
            endpoint = free_endpoint(endpoints, pointer)
            load_graph(folder, endpoint, timeout_s=timeout_s)
        rolled = replace(
            pointer,
            current=previous,
            history=pointer.history[:-1],
            placement=place(pointer, previous, endpoint),
        )
        write_pointer(root, rolled)
        return read_version(root, previous)
