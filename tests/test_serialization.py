"""nn.save / nn.load: round trips, atomic writes, and every corrupt or mismatched file is a clear ValueError."""
from __future__ import annotations

import json
import os
import zipfile

import numpy as np
import pytest

import nn
from autograd import Tensor


def _model():
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def test_round_trip_of_nested_structures(tmp_path):
    obj = {"epoch": 3, "lr": 1e-3, "name": "run", "done": False, "none": None, "nan": float("nan"),
           "shape": (2, 3), "hist": [1.5, [2, "x"]], 0: {"m": np.arange(6, dtype=np.int32).reshape(2, 3)},
           "t": Tensor(np.ones((2,), dtype=np.float64)), "p": nn.Parameter(np.zeros(3, dtype=np.float32)),
           "s": np.float32(2.5), "b": np.array([True, False]), "u": np.array(["ab", "c"]), "empty": np.zeros((0, 3))}
    path = tmp_path / "obj.npz"
    nn.save(obj, path)
    got = nn.load(path)
    assert list(got) == list(obj)
    assert got["epoch"] == 3 and got["lr"] == 1e-3 and got["name"] == "run" and got["done"] is False
    assert got["none"] is None and np.isnan(got["nan"]) and got["shape"] == (2, 3) and got["hist"] == [1.5, [2, "x"]]
    assert got[0]["m"].dtype == np.int32 and np.array_equal(got[0]["m"], obj[0]["m"])
    assert isinstance(got["t"], Tensor) and not isinstance(got["t"], nn.Parameter) and got["t"].dtype == np.float64
    assert isinstance(got["p"], nn.Parameter) and got["p"].requires_grad and got["p"].dtype == np.float32
    assert isinstance(got["s"], np.float32) and got["s"] == 2.5
    assert got["b"].dtype == bool and list(got["u"]) == ["ab", "c"] and got["empty"].shape == (0, 3)


def test_state_dict_round_trip(tmp_path):
    a, b = _model(), _model()
    nn.save(a.state_dict(), tmp_path / "m.npz")
    b.load_state_dict(nn.load(tmp_path / "m.npz"))
    x = Tensor(np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32))
    np.testing.assert_array_equal(a(x).data, b(x).data)
    assert os.listdir(tmp_path) == ["m.npz"]  # no temporary files left behind


def test_save_is_atomic_when_it_fails(tmp_path):
    path = tmp_path / "m.npz"
    nn.save({"a": np.ones(2)}, path)
    with pytest.raises(TypeError, match=r"obj\['bad'\] is a set"):
        nn.save({"a": np.zeros(2), "bad": {1, 2}}, path)
    with pytest.raises(TypeError, match="dtype object"):
        nn.save({"a": np.array([None, 1], dtype=object)}, path)
    with pytest.raises(TypeError, match="key of type tuple"):
        nn.save({(1, 2): 3}, path)
    np.testing.assert_array_equal(nn.load(path)["a"], np.ones(2))
    assert os.listdir(tmp_path) == ["m.npz"]


def _saved_bytes(tmp_path) -> bytes:
    nn.save(_model().state_dict(), tmp_path / "good.npz")
    return (tmp_path / "good.npz").read_bytes()


def _rewrite(tmp_path, members: dict) -> str:
    """An .npz with the given members (name -> array), e.g. a doctored structure entry."""
    path = tmp_path / "doctored.npz"
    np.savez(path, **members)
    return str(path)


def _members(tmp_path) -> dict:
    _saved_bytes(tmp_path)
    with np.load(tmp_path / "good.npz") as f:
        return {k: f[k] for k in f.files}


def _structure(members) -> dict:
    return json.loads(members["__structure__"].tobytes().decode())


def _with_structure(members, header) -> dict:
    return {**members, "__structure__": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}


@pytest.mark.parametrize("case", ["truncated_half", "truncated_tail", "bitflip", "garbage", "empty", "npy",
                                  "pickled"])
def test_corrupt_files_raise_value_error(case, tmp_path):
    data = _saved_bytes(tmp_path)
    path = tmp_path / "bad.npz"
    if case == "truncated_half":
        path.write_bytes(data[: len(data) // 2])
    elif case == "truncated_tail":
        path.write_bytes(data[:-7])
    elif case == "bitflip":
        i = data.index(b"\x93NUMPY") + 140  # inside the first array's data (its header is 128 bytes)
        path.write_bytes(data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:])
    elif case == "garbage":
        path.write_bytes(b"definitely not a zip file" * 10)
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "npy":
        np.save(path, np.ones(3))
        path = str(path) + ".npy" if not str(path).endswith(".npy") else path
    elif case == "pickled":  # an object array needs pickle: loading must refuse, never unpickle
        np.savez(path, __structure__=np.array([{"x": 1}], dtype=object))
    with pytest.raises(ValueError, match="load: "):
        nn.load(path)


def test_bitflip_anywhere_in_the_data_is_caught(tmp_path):
    data = _saved_bytes(tmp_path)
    start = data.index(b"\x93NUMPY")
    path = tmp_path / "bad.npz"
    for i in range(start + 128, start + 128 + 48, 7):  # first array's payload
        path.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:])
        with pytest.raises(ValueError, match="corrupt"):
            nn.load(path)


def test_mismatched_structure_raises_value_error(tmp_path):
    members = _members(tmp_path)
    header = _structure(members)
    cases = {
        "no structure entry": {k: v for k, v in members.items() if k != "__structure__"},
        "not valid JSON": {**members, "__structure__": np.frombuffer(b"{oops", dtype=np.uint8)},
        "does not name": _with_structure(members, {**header, "format": "other"}),
        "version": _with_structure(members, {**header, "version": 99}),
        "does not contain": {k: v for k, v in members.items() if k != "a0"},
        "does not account": {**members, "zzz": np.ones(1)},
        "checksum": {**members, "a0": members["a0"] + 1},
        "unknown entry type": _with_structure(members, {**header, "root": {"t": "exec", "v": "print(1)"}}),
    }
    for why, m in cases.items():
        with pytest.raises(ValueError, match=why):
            nn.load(_rewrite(tmp_path, m))


def test_mismatched_state_dict_file_leaves_model_unchanged(tmp_path):
    nn.save(nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).state_dict(), tmp_path / "other.npz")
    model = _model()
    before = {k: v.data.copy() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match=r"'0.weight'.*\(4, 3\).*\(5, 3\)"):
        model.load_state_dict(nn.load(tmp_path / "other.npz"))
    assert all(np.array_equal(before[k], v.data) for k, v in model.state_dict().items())


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.npz")


def test_file_is_a_plain_npz_with_json_structure(tmp_path):
    nn.save({"w": np.ones(2)}, tmp_path / "x.npz")
    with zipfile.ZipFile(tmp_path / "x.npz") as z:
        assert sorted(z.namelist()) == ["__structure__.npy", "a0.npy"]
    with np.load(tmp_path / "x.npz", allow_pickle=False) as f:
        header = json.loads(f["__structure__"].tobytes().decode())
    assert header["format"] == "tracegrad" and header["root"]["t"] == "dict"
