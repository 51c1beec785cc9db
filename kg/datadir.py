"""Writing a data dir safely: one writer at a time, leftovers cleaned, an atomic swap (issue 10)."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
from pathlib import Path

from kg.errors import DataDirLocked

WORK_PREFIX = "build-"
# renameat2(2) flag: exchange the two paths atomically (Linux 3.15+, glibc 2.28+).
RENAME_EXCHANGE = 2
AT_FDCWD = -100


def lock_path(out_dir: Path) -> Path:
    """The lock file beside a data dir (outside it, so the swap never moves it)."""
    return out_dir.with_name(f".{out_dir.name}.lock")


def work_prefix(out_dir: Path) -> str:
    """The name prefix of a build's temporary directory beside out_dir."""
    return f".{out_dir.name}.{WORK_PREFIX}"


class DataDirLock:
    """An exclusive flock on a data dir's lock file; the kernel drops it if the writer dies."""

    def __init__(self, out_dir: Path) -> None:
        self.path = lock_path(out_dir)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            holder = os.pread(self.fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(self.fd)
            raise DataDirLocked(
                f"another ingest (pid {holder}) is writing {out_dir}; wait for it to finish "
                "or write to another --data-dir"
            ) from e
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode(), 0)

    def release(self) -> None:
        """Unlock and close (idempotent)."""
        if self.fd >= 0:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> DataDirLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Delete temporary and old directories a killed build left beside out_dir (lock held)."""
    removed = []
    stale = [out_dir.with_name(out_dir.name + ".old")]
    if out_dir.parent.is_dir():
        # `.{name}.` + random suffix is what builds before the build- prefix left behind.
        stale += list(out_dir.parent.glob(f".{out_dir.name}.*"))
    for path in stale:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories; False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(new_dir: Path, out_dir: Path) -> None:
    """Replace out_dir with new_dir so readers see the old or the new data, never a mix."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    if out_dir.is_dir() and exchange(new_dir, out_dir):
        # new_dir now holds the old data; out_dir was never missing.
        shutil.rmtree(new_dir)
        return
    old_dir = out_dir.with_name(out_dir.name + ".old")
    if old_dir.exists():
        shutil.rmtree(old_dir)
    if out_dir.exists():
        out_dir.rename(old_dir)
    new_dir.rename(out_dir)
    if old_dir.exists():
        shutil.rmtree(old_dir)
