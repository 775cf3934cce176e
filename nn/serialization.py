"""Safe save/load: one ``.npz`` file holding the arrays and a JSON description of the structure.

What can be saved: NumPy arrays and scalars, Tensors (and Parameters), None, bools, ints, floats, strings,
and lists, tuples and dicts of them, nested (dict keys: str, int, float, bool or None). Writing is atomic (a
temporary file in the same folder, fsync, ``os.replace``). Loading uses ``allow_pickle=False`` and never
executes code; a corrupt, truncated or mismatched file raises ``ValueError`` saying what is wrong.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from typing import Any

import numpy as np

from autograd import Tensor

from .parameter import Parameter

__all__ = ["save", "load"]

FORMAT, VERSION = "tracegrad", 1  # NOTE: bump VERSION when the structure's encoding changes
_STRUCT = "__structure__"
_KEY_TYPES = (str, int, float, bool, type(None))


def _crc(a: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(a).view(np.uint8).reshape(-1)) if a.size else 0


def _encode(obj: Any, arrays: dict, where: str) -> Any:
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, float)) and not isinstance(obj, np.generic):
        return obj
    if isinstance(obj, (np.ndarray, np.generic, Tensor)):
        kind = "parameter" if isinstance(obj, Parameter) else "tensor" if isinstance(obj, Tensor) else \
            "scalar" if isinstance(obj, np.generic) else "array"
        a = np.asarray(obj.data if isinstance(obj, Tensor) else obj)
        if a.dtype.hasobject or a.dtype.kind not in "biufcUS":
            raise TypeError(f"save: {where} has dtype {a.dtype}, which cannot be stored without pickle")
        key = f"a{len(arrays)}"
        arrays[key] = a
        node = {"t": kind, "k": key, "crc": _crc(a)}
        if isinstance(obj, Tensor):
            node["requires_grad"] = bool(obj.requires_grad)
        return node
    if isinstance(obj, (list, tuple)):
        return {"t": type(obj).__name__ if type(obj) in (list, tuple) else "list",
                "v": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)]}
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, _KEY_TYPES):
                raise TypeError(f"save: {where} has a key of type {type(k).__name__}; keys must be str, int, "
                                "float, bool or None")
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]")])
        return {"t": "dict", "v": items}
    raise TypeError(f"save: {where} is a {type(obj).__name__}; only arrays, Tensors, numbers, strings, None, "
                    "and lists, tuples and dicts of them can be saved")


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write ``obj`` (e.g. ``model.state_dict()``) to ``path`` atomically, as one .npz file."""
    path = os.fspath(path)
    arrays: dict[str, np.ndarray] = {}
    root = _encode(obj, arrays, "obj")
    header = json.dumps({"format": FORMAT, "version": VERSION, "arrays": len(arrays), "root": root})
    arrays[_STRUCT] = np.frombuffer(header.encode("utf-8"), dtype=np.uint8)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable (best effort: not every platform can open a folder)
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


class _Reader:
    def __init__(self, npz, path: str) -> None:
        self.npz, self.path, self.used = npz, path, set()

    def fail(self, why: str) -> ValueError:
        return ValueError(f"load: {self.path!r} is not a valid tracegrad file: {why}")

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or "t" not in node:
            raise self.fail(f"unexpected entry {str(node)[:80]!r} in the structure")
        t = node["t"]
        if t in ("list", "tuple"):
            vals = [self.decode(v) for v in self._field(node, "v", list)]
            return vals if t == "list" else tuple(vals)
        if t == "dict":
            out = {}
            for pair in self._field(node, "v", list):
                if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], _KEY_TYPES)):
                    raise self.fail("a malformed dict entry in the structure")
                out[pair[0]] = self.decode(pair[1])
            return out
        if t in ("array", "scalar", "tensor", "parameter"):
            return self._array(node, t)
        raise self.fail(f"unknown entry type {t!r}")

    def _field(self, node: dict, name: str, typ: type) -> Any:
        v = node.get(name)
        if not isinstance(v, typ):
            raise self.fail(f"entry of type {node.get('t')!r} lacks a valid {name!r} field")
        return v

    def _array(self, node: dict, t: str) -> Any:
        key = self._field(node, "k", str)
        if key not in self.npz.files or key == _STRUCT:
            raise self.fail(f"the structure refers to array {key!r}, which the file does not contain")
        if key in self.used:
            raise self.fail(f"array {key!r} is referred to twice")
        self.used.add(key)
        a = self.npz[key]
        if _crc(a) != node.get("crc"):
            raise self.fail(f"array {key!r} fails its checksum (the file is corrupt)")
        if t == "scalar":
            return a[()]
        if t == "array":
            return a
        req = bool(node.get("requires_grad", False)) and a.dtype.kind == "f"
        return Parameter(a, requires_grad=req) if t == "parameter" else Tensor(a, requires_grad=req)


def load(path: str | os.PathLike) -> Any:
    """Read what ``save`` wrote (arrays come back as arrays, Tensors as Tensors); never runs code."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load: no such file: {path!r}")
    try:
        npz = np.load(path, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise ValueError(f"load: {path!r} is not a valid tracegrad file: it is a single .npy array, not an archive")
        with npz:
            reader = _Reader(npz, path)
            if _STRUCT not in npz.files:
                raise reader.fail("it has no structure entry (not written by nn.save)")
            raw = npz[_STRUCT]
            try:
                header = json.loads(raw.tobytes().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise reader.fail(f"its structure entry is not valid JSON ({e})") from None
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise reader.fail("its header does not name the tracegrad format")
            if header.get("version") != VERSION:
                raise reader.fail(f"format version {header.get('version')!r} is not supported (expected {VERSION})")
            obj = reader.decode(header.get("root"))
            extra = set(npz.files) - reader.used - {_STRUCT}
            if extra or header.get("arrays") != len(reader.used):
                raise reader.fail(f"it holds arrays the structure does not account for ({sorted(extra)[:5]})")
            return obj
    except ValueError as e:
        if str(e).startswith("load: "):
            raise
        why = "unrecognised contents" if "pickle" in str(e) else str(e)  # NumPy's hint to unpickle is wrong here
        raise ValueError(f"load: {path!r} is corrupt or not an .npz file written by nn.save ({why})") from None
    except (zipfile.BadZipFile, EOFError, KeyError, zlib.error) as e:
        raise ValueError(f"load: {path!r} is corrupt or truncated ({type(e).__name__}: {e})") from None
