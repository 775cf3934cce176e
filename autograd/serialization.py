"""Safe save/load (``autograd.save`` / ``autograd.load``, torch's spellings): one ``.npz`` file holding the
arrays and a JSON description of the structure. No pickle, ever.

What can be saved: NumPy arrays and scalars, Tensors (and Tensor subclasses registered with
``register_tensor_class``, e.g. ``nn.Parameter``), None, bools, ints, floats, strings, and lists, tuples and
dicts of them, nested (dict keys: str, int, float, bool or None). Writing to a path is atomic (a temporary
file in the same folder, fsync, ``os.replace``). Loading uses ``allow_pickle=False`` and never executes code;
a corrupt, truncated or mismatched file raises ``ValueError`` saying what is wrong.
"""
from __future__ import annotations

import json
import os
import zipfile
import zlib
from typing import IO, Any, Union

import numpy as np

from .tensor import Tensor
from .utils.files import atomic_path

__all__ = ["save", "load", "register_tensor_class"]

FORMAT, VERSION = "tracegrad", 1  # NOTE: bump VERSION when the structure's encoding changes
_STRUCT = "__structure__"
_KEY_TYPES = (str, int, float, bool, type(None))
# Tensor subclasses saved under their own kind (most derived first); "tensor" is the fallback.
_TENSOR_CLASSES: dict[str, type] = {}

FileLike = Union[str, os.PathLike, IO[bytes]]


def register_tensor_class(kind: str, cls: type) -> None:
    """Save instances of the Tensor subclass ``cls`` as ``kind`` and load them back as ``cls(array,
    requires_grad=...)``. ``nn`` registers ``Parameter`` (autograd cannot import nn); a file loaded before
    its kind is registered gives plain Tensors."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)) or kind in ("tensor", "array", "scalar"):
        raise ValueError(f"register_tensor_class: {cls!r} under {kind!r}: need a Tensor subclass and a new kind")
    _TENSOR_CLASSES[kind] = cls


def _crc(a: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(a).view(np.uint8).reshape(-1)) if a.size else 0  # type: ignore[arg-type]


def _is_module(obj: Any) -> bool:
    """Duck-typed ``nn.Module`` check (autograd does not import nn)."""
    return callable(getattr(obj, "state_dict", None)) and callable(getattr(obj, "parameters", None))


def _tensor_kind(obj: Tensor) -> str:
    for kind, cls in _TENSOR_CLASSES.items():
        if isinstance(obj, cls):
            return kind
    return "tensor"


def _encode(obj: Any, arrays: dict, where: str) -> Any:
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, float)) and not isinstance(obj, np.generic):
        return obj
    if isinstance(obj, (np.ndarray, np.generic, Tensor)):
        if isinstance(obj, Tensor):
            kind, a = _tensor_kind(obj), np.asarray(obj.numpy())
        else:
            kind, a = ("scalar" if isinstance(obj, np.generic) else "array"), np.asarray(obj)
        if a.dtype.hasobject or a.dtype.kind not in "biufcUS":
            raise TypeError(f"save: {where} has dtype {a.dtype}, which cannot be stored without pickle")
        key = f"a{len(arrays)}"
        arrays[key] = a
        node = {"t": kind, "k": key, "crc": _crc(a)}
        if isinstance(obj, Tensor):
            node["requires_grad"] = bool(obj.requires_grad)
        return node
    if isinstance(obj, (list, tuple)):
        return {"t": "tuple" if type(obj) is tuple else "list",  # a namedtuple comes back as a list
                "v": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)]}
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, _KEY_TYPES):
                raise TypeError(f"save: {where} has a key of type {type(k).__name__}; keys must be str, int, "
                                "float, bool or None")
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]")])
        return {"t": "dict", "v": items}
    if _is_module(obj):
        raise TypeError(f"save: {where} is a module ({type(obj).__name__}); saving a whole module would need "
                        "pickle. Save its weights instead: autograd.save(model.state_dict(), path), then "
                        "model.load_state_dict(autograd.load(path))")
    hint = "; save its .state_dict() instead" if callable(getattr(obj, "state_dict", None)) else ""
    raise TypeError(f"save: {where} is a {type(obj).__name__}; only arrays, Tensors, numbers, strings, None, "
                    f"and lists, tuples and dicts of them can be saved{hint}")


def save(obj: Any, f: FileLike) -> None:
    """Write ``obj`` (e.g. ``model.state_dict()``) to ``f`` as one .npz file: a path (written atomically)
    or a binary file object such as ``io.BytesIO``."""
    arrays: dict[str, Any] = {}  # Any: numpy's stub checks savez's **kwds against its allow_pickle: bool
    root = _encode(obj, arrays, "obj")  # fails before anything is written
    header = json.dumps({"format": FORMAT, "version": VERSION, "arrays": len(arrays), "root": root})
    arrays[_STRUCT] = np.frombuffer(header.encode("utf-8"), dtype=np.uint8)
    if hasattr(f, "write"):
        np.savez(f, **arrays)
        return
    with atomic_path(os.fspath(f)) as tmp, open(tmp, "wb") as out:
        np.savez(out, **arrays)
        out.flush()
        os.fsync(out.fileno())


_TORCH_FILE = ("it looks like a torch.save file, a pickle, which autograd.load never opens (unpickling runs code). "
               "Convert it where torch is installed: autograd.save({k: autograd.from_numpy(v.numpy()) for k, v in "
               "torch.load(path).items()}, new_path)")


class _Reader:
    def __init__(self, npz: Any, name: str) -> None:
        self.npz, self.name = npz, name
        self.used: set[str] = set()

    def fail(self, why: str) -> ValueError:
        return ValueError(f"load: {self.name} is not a valid tracegrad file: {why}")

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
        if t in ("array", "scalar", "tensor") or t in _TENSOR_CLASSES or t == "parameter":
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
        return _TENSOR_CLASSES.get(t, Tensor)(a, requires_grad=req)


def _check_map_location(map_location: Any) -> None:
    if map_location is not None and str(map_location).split(":")[0] != "cpu":
        raise ValueError(f"load: map_location={map_location!r}: tracegrad runs on the CPU only, so map_location "
                         "must be None, 'cpu' or a cpu device")


def load(f: FileLike, map_location: Any = None, *, weights_only: bool | None = None) -> Any:
    """Read what ``save`` wrote (arrays come back as arrays, Tensors as Tensors); never runs code.

    ``map_location`` may be None, ``"cpu"`` or a device whose ``str`` is ``"cpu"``; ``weights_only`` is
    accepted for torch's spelling and ignored (nothing is ever unpickled, so every load is weights-only)."""
    del weights_only
    _check_map_location(map_location)
    if hasattr(f, "read"):
        name, src = repr(getattr(f, "name", type(f).__name__)), f
    else:
        path = os.fspath(f)
        name, src = repr(path), path
        if not os.path.isfile(path):
            raise FileNotFoundError(f"load: no such file: {path!r}")
    try:
        npz = np.load(src, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise ValueError(f"load: {name} is not a valid tracegrad file: it is a single .npy array, not an archive")
        with npz:
            reader = _Reader(npz, name)
            if _STRUCT not in npz.files:
                if any(n.endswith("data.pkl") for n in npz.files):
                    raise reader.fail(_TORCH_FILE)
                raise reader.fail("it has no structure entry (not written by autograd.save)")
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
        why = "unrecognised contents; " + _TORCH_FILE if "pickle" in str(e) else str(e)  # not NumPy's unpickle hint
        raise ValueError(f"load: {name} is corrupt or not an .npz file written by autograd.save ({why})") from None
    except (zipfile.BadZipFile, EOFError, KeyError, zlib.error) as e:
        raise ValueError(f"load: {name} is corrupt or truncated ({type(e).__name__}: {e})") from None
