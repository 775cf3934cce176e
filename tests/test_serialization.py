"""autograd.save / autograd.load (and nn.save / nn.load, the same functions): round trips, atomic writes, the
Module refusal, and every corrupt or mismatched file is a clear ValueError."""
from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor
from autograd.serialization import load as aload, save as asave


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
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
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
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match=r"size mismatch for 0.weight: .*\[5, 3\].*\[4, 3\]"):
        model.load_state_dict(nn.load(tmp_path / "other.npz"))
    assert all(np.array_equal(before[k], v.numpy()) for k, v in model.state_dict().items())


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


# ---- autograd.save / autograd.load (the format's home; nn.save is the same function) -------------------------
def test_nn_save_is_autograd_save():
    assert nn.save is asave and nn.load is aload


def test_autograd_round_trip_keeps_dtypes_and_containers(tmp_path):
    dtypes = [np.int8, np.uint16, np.int32, np.int64, np.float16, np.float32, np.float64, np.bool_, np.complex64]
    obj = {"arrays": [np.arange(6).astype(dt).reshape(2, 3) for dt in dtypes],
           "tensors": (Tensor(np.ones(3, dtype=np.float16)), Tensor(np.arange(4, dtype=np.int64)),
                       Tensor(np.zeros((2, 2), dtype=np.float64), requires_grad=True)),
           "nested": {"a": [None, True, 1, 2.5, "s", (np.int16(7), {3: np.float64(0.5)})]}, 1.5: (), "e": []}
    asave(obj, tmp_path / "o.npz")
    got = aload(tmp_path / "o.npz")
    assert [a.dtype for a in got["arrays"]] == [np.dtype(d) for d in dtypes]
    assert all(np.array_equal(a, b) for a, b in zip(got["arrays"], obj["arrays"]))
    t16, t64, tg = got["tensors"]
    assert isinstance(got["tensors"], tuple) and t16.dtype == np.float16 and t64.dtype == np.int64
    assert tg.requires_grad and not t64.requires_grad and tg.dtype == np.float64
    assert got["nested"] == {"a": [None, True, 1, 2.5, "s", (np.int16(7), {3: 0.5})]}
    assert type(got["nested"]["a"][5][0]) is np.int16 and got[1.5] == () and got["e"] == []


def test_parameters_come_back_as_parameters(tmp_path):
    sd = _model().state_dict()
    asave(sd, tmp_path / "m.npz")
    got = aload(tmp_path / "m.npz")
    assert list(got) == list(sd)
    for k, v in sd.items():
        assert type(got[k]) is type(v) and got[k].dtype == v.dtype and np.array_equal(got[k].numpy(), v.numpy())


@pytest.mark.parametrize("make_opt", [lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3),
                                      lambda p: optim.Adam(p, lr=1e-2, betas=(0.8, 0.95))])
def test_optimizer_state_dict_round_trip(make_opt, tmp_path):
    rng = np.random.default_rng(0)
    xs = [Tensor(rng.standard_normal((4, 3)).astype(np.float32)) for _ in range(6)]

    def step(model, opt, x):
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        opt.step()

    model = _model()
    opt = make_opt(model.parameters())
    for x in xs[:3]:
        step(model, opt, x)
    asave({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "ck.npz")
    ck = aload(tmp_path / "ck.npz")
    model2 = _model()
    opt2 = make_opt(model2.parameters())
    model2.load_state_dict(ck["model"])
    opt2.load_state_dict(ck["opt"])
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for x in xs[3:]:
        step(model, opt, x)
        step(model2, opt2, x)
    for (k, a), b in zip(model.state_dict().items(), model2.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), k


def test_saving_a_module_says_to_save_its_state_dict(tmp_path):
    with pytest.raises(TypeError, match=r"module \(Sequential\).*model\.state_dict\(\)"):
        asave(_model(), tmp_path / "m.npz")
    with pytest.raises(TypeError, match=r"obj\['net'\] is a module"):
        asave({"net": nn.Linear(2, 2)}, tmp_path / "m.npz")
    with pytest.raises(TypeError, match=r"obj\['opt'\] is a SGD.*\.state_dict\(\)"):
        asave({"opt": optim.SGD(_model().parameters(), lr=0.1)}, tmp_path / "m.npz")
    with pytest.raises(TypeError, match=r"obj\['a'\]\[1\]\[0\] is a object"):
        asave({"a": [1, (object(),)]}, tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


def test_a_failure_mid_write_leaves_the_old_file(tmp_path, monkeypatch):
    import autograd.serialization as ser
    path = tmp_path / "m.npz"
    asave({"a": np.ones(2)}, path)

    def half_written(f, **arrays):
        f.write(b"PK\x03\x04 partial")
        raise OSError("disk full")
    monkeypatch.setattr(ser.np, "savez", half_written)
    with pytest.raises(OSError, match="disk full"):
        asave({"a": np.zeros(2)}, path)
    monkeypatch.undo()
    np.testing.assert_array_equal(aload(path)["a"], np.ones(2))
    assert os.listdir(tmp_path) == ["m.npz"]


def test_file_objects(tmp_path):
    buf = io.BytesIO()
    asave({"w": Tensor(np.arange(3, dtype=np.int32))}, buf)
    buf.seek(0)
    got = aload(buf)
    assert got["w"].dtype == np.int32 and got["w"].numpy().tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="load: .*corrupt"):
        aload(io.BytesIO(buf.getvalue()[:40]))
    with pytest.raises(ValueError, match="load: "):
        aload(io.BytesIO(b""))


def test_load_accepts_torch_keywords(tmp_path):
    asave([1, 2], tmp_path / "x.npz")
    assert aload(tmp_path / "x.npz", map_location="cpu", weights_only=True) == [1, 2]
    assert aload(tmp_path / "x.npz", map_location=None, weights_only=False) == [1, 2]
    with pytest.raises(ValueError, match="CPU only"):
        aload(tmp_path / "x.npz", map_location="cuda:0")


def test_load_accepts_a_torch_cpu_device(torch, tmp_path):
    asave({"a": 1}, tmp_path / "x.npz")
    assert aload(tmp_path / "x.npz", map_location=torch.device("cpu")) == {"a": 1}
