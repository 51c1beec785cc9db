"""The data dir's manifest: every file build wrote, with its size and SHA-256 (issue 10).

Written last by the build, into the directory that is then swapped in; verified when the data
is loaded, so an empty or truncated graph, flipped bytes in the index or a hand-edited summary
stop the service with one line naming the file instead of being served.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.errors import CorruptData, NotFound

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1
CHUNK = 1 << 20


@dataclass(frozen=True)
class FileSum:
    """A file's size in bytes and SHA-256."""

    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a build wrote; `id` names this version of the data."""

    id: str
    created: str
    files: dict[str, FileSum]


def file_sum(path: Path) -> FileSum:
    """Size and SHA-256 of one file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileSum(size, digest.hexdigest())


def manifest_id(files: dict[str, FileSum]) -> str:
    """A short id derived from every file's checksum."""
    listing = "".join(f"{name}\0{files[name].sha256}\n" for name in sorted(files))
    return hashlib.sha256(listing.encode()).hexdigest()[:16]


def write_manifest(data_dir: Path) -> Manifest:
    """Sum every regular file directly in data_dir and write manifest.json beside them."""
    files = {
        path.name: file_sum(path)
        for path in sorted(data_dir.iterdir())
        if path.is_file() and path.name != MANIFEST_FILE
    }
    manifest = Manifest(manifest_id(files), datetime.now(UTC).isoformat(timespec="seconds"), files)
    payload = {
        "format": MANIFEST_FORMAT,
        "id": manifest.id,
        "created": manifest.created,
        "files": {name: {"size": s.size, "sha256": s.sha256} for name, s in files.items()},
    }
    (data_dir / MANIFEST_FILE).write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return manifest


def read_json(path: Path) -> Any:
    """A JSON file's content; CorruptData naming the file when it is not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CorruptData(f"{path} is not valid JSON ({e}): re-run `kgqa ingest`") from e


def read_manifest(data_dir: Path) -> Manifest:
    """The manifest of data_dir; NotFound without the dir, CorruptData when it is unreadable."""
    if not data_dir.is_dir():
        raise NotFound(f"no data dir {data_dir}: run `kgqa ingest DECK --data-dir {data_dir}`")
    path = data_dir / MANIFEST_FILE
    if not path.is_file():
        raise CorruptData(
            f"no {MANIFEST_FILE} in {data_dir}: it was not written by a complete `kgqa ingest` "
            "(or by one older than manifests); re-run `kgqa ingest`"
        )
    payload = read_json(path)
    try:
        files = {
            str(name): FileSum(int(entry["size"]), str(entry["sha256"]))
            for name, entry in payload["files"].items()
        }
        return Manifest(str(payload["id"]), str(payload["created"]), files)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise CorruptData(f"{path} is not a kgqa manifest ({e!r}): re-run `kgqa ingest`") from e


def verify_data_dir(data_dir: Path) -> Manifest:
    """The manifest, after checking that every file it lists is there with its size and sum."""
    manifest = read_manifest(data_dir)
    for name, expected in manifest.files.items():
        path = data_dir / name
        if not path.is_file():
            raise CorruptData(f"{path} is missing (listed in {MANIFEST_FILE}): re-run ingest")
        actual = file_sum(path)
        if actual.size != expected.size:
            raise CorruptData(
                f"{path} is {actual.size} bytes but was written with {expected.size}: "
                "the file is truncated or was replaced; re-run `kgqa ingest`"
            )
        if actual.sha256 != expected.sha256:
            raise CorruptData(
                f"{path} does not match its checksum in {MANIFEST_FILE}: the file is "
                "corrupt or was edited; re-run `kgqa ingest`"
            )
    return manifest


def read_verified(data_dir: Path, name: str, manifest: Manifest) -> bytes:
    """The bytes of one listed file, checked against the manifest as they are read."""
    data = (data_dir / name).read_bytes()
    expected = manifest.files.get(name)
    if expected is None or hashlib.sha256(data).hexdigest() != expected.sha256:
        raise CorruptData(
            f"{data_dir / name} changed since the data was loaded (manifest {manifest.id}): "
            "another ingest replaced the data dir; restart to serve the new version"
        )
    return data
