"""Writing a file atomically: to a temporary file in the same folder, flushed to disk, then moved over the target in
one step (``os.replace``), so a reader sees the old file or the new one, never half of one, and a failure leaves no
temporary behind. An existing file keeps its permission bits; the rename is made durable where the platform can.

Everything tracegrad writes goes through here: ``autograd.save``, the trainer's checkpoints and histories, and every
picture, page and report viz writes.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from typing import Iterator


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[str]:
    """Yield a temporary path beside ``path`` for a writer that wants a file name (``savefig``, a GIF writer: give
    the ``suffix`` its format is read from). On success it replaces ``path``; on any error it is removed."""
    target = os.fspath(path)
    folder = os.path.dirname(target)
    if folder:
        os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder or ".", f".{os.path.basename(target)}.{secrets.token_hex(6)}{suffix}")
    try:
        yield tmp
        try:
            os.chmod(tmp, os.stat(target).st_mode & 0o777)
        except FileNotFoundError:
            pass
        os.replace(tmp, target)
        _sync_folder(folder or ".")
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> str:
    """Write ``data`` (text is UTF-8) to ``path`` atomically, flushed to disk; returns the path."""
    with atomic_path(path) as tmp:
        # os.open applies the umask, so a new file gets the same mode as a plainly created one
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
    return os.fspath(path)


def _sync_folder(folder: str) -> None:
    """Make a rename durable (best effort: not every platform can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
