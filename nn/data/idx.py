"""The IDX file format (MNIST's and Fashion-MNIST's): ``read_idx`` parses one file, ``write_idx`` writes one.

An IDX file is a 4-byte magic number ``0x00 0x00 TT NN`` (two zero bytes, a type code ``TT``, the number of
dimensions ``NN``), then ``NN`` big-endian unsigned 32-bit sizes, then the values, big-endian, in C order.
Type codes: 0x08 unsigned byte, 0x09 signed byte, 0x0B 16-bit int, 0x0C 32-bit int, 0x0D float32, 0x0E float64.
A file whose first two bytes are gzip's magic (``1f 8b``) is decompressed first, whatever its name.

Every defect (a short header, a wrong magic number, an unknown type code, too few or too many data bytes, a
broken gzip stream) raises ``IDXError`` (a ``ValueError``) naming the file, what was expected and what was found.
"""
from __future__ import annotations

import gzip
import os
import struct
import zlib

import numpy as np

__all__ = ["IDXError", "read_idx", "write_idx", "IDX_TYPES"]

# type code -> (name, big-endian dtype as stored in the file)
IDX_TYPES: dict[int, tuple[str, np.dtype]] = {
    0x08: ("ubyte", np.dtype(">u1")),
    0x09: ("sbyte", np.dtype(">i1")),
    0x0B: ("short", np.dtype(">i2")),
    0x0C: ("int", np.dtype(">i4")),
    0x0D: ("float", np.dtype(">f4")),
    0x0E: ("double", np.dtype(">f8")),
}
_CODE_OF = {dt.newbyteorder("="): code for code, (_, dt) in IDX_TYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXError(ValueError):
    """A file that is not a well-formed IDX file; the message names the file, what was expected and found."""


def _types_text() -> str:
    return ", ".join(f"0x{code:02X} ({name})" for code, (name, _) in IDX_TYPES.items())


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as e:
        raise IDXError(f"{path}: expected a complete gzip stream (the file starts with gzip's magic 1f 8b), found a "
                       f"truncated or corrupt one ({e})") from None


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in the IDX file ``path`` (plain or gzipped, told apart by the file's first bytes).

    Returns a writable array in native byte order with the file's shape and type (``uint8`` for ubyte,
    ``int8``, ``int16``, ``int32``, ``float32``, ``float64``). Raises ``IDXError`` for a malformed file and
    ``FileNotFoundError`` for a missing one."""
    path = os.fspath(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise IDXError(f"{path}: expected a 4-byte IDX magic number (00 00 type ndim), found only {len(raw)} "
                       f"byte{'s' if len(raw) != 1 else ''}")
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0:
        raise IDXError(f"{path}: not an IDX file: expected a magic number starting with two zero bytes "
                       f"(0x0000TTNN), found 0x{raw[:4].hex().upper()}")
    if code not in IDX_TYPES:
        raise IDXError(f"{path}: unknown IDX type code: expected one of {_types_text()}, found 0x{code:02X}")
    if ndim == 0:
        raise IDXError(f"{path}: expected at least 1 dimension in the magic number 0x{raw[:4].hex().upper()}, "
                       "found 0")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXError(f"{path}: truncated header: expected {4 * ndim} bytes of sizes for {ndim} dimensions after "
                       f"the magic number, found {len(raw) - 4}")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    name, dtype = IDX_TYPES[code]
    count = int(np.prod(shape, dtype=np.int64))
    need, found = count * dtype.itemsize, len(raw) - header
    if found != need:
        what = "truncated data" if found < need else "extra bytes after the data"
        raise IDXError(f"{path}: {what}: expected {need} bytes for {'x'.join(map(str, shape))} {name} values, "
                       f"found {found}")
    arr = np.frombuffer(raw, dtype=dtype, count=count, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))  # a copy: native order and writable (frombuffer's view is not)


def write_idx(path: str | os.PathLike, array: np.ndarray, *, compress: bool | None = None) -> str:
    """Write ``array`` to ``path`` as an IDX file; gzipped when ``compress`` is True, or when it is None and the
    name ends in ``.gz``. The dtype must be one IDX stores (uint8, int8, int16, int32, float32, float64).
    Returns the path."""
    path = os.fspath(path)
    arr = np.asarray(array)
    native = arr.dtype.newbyteorder("=")
    if native not in _CODE_OF:
        raise TypeError(f"write_idx: IDX stores uint8, int8, int16, int32, float32 and float64, got {arr.dtype}")
    if arr.ndim == 0 or arr.ndim > 255:
        raise ValueError(f"write_idx: IDX stores 1 to 255 dimensions, got {arr.ndim}")
    code = _CODE_OF[native]
    body = struct.pack(">HBB", 0, code, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    body += np.ascontiguousarray(arr, dtype=IDX_TYPES[code][1]).tobytes()
    if compress or (compress is None and path.endswith(".gz")):
        body = gzip.compress(body, compresslevel=6)
    with open(path, "wb") as f:
        f.write(body)
    return path
