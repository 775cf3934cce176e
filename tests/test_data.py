"""autograd.utils.data: datasets, splits, samplers, collate and the DataLoader (torch.utils.data's semantics)."""
from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import autograd
from autograd import Tensor
from autograd.utils.data import (
    BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler, SequentialSampler, Subset,
    SubsetRandomSampler, TensorDataset, default_collate, default_convert, random_split,
)


def _ds(n=10, d=3):
    x = Tensor(np.arange(n * d, dtype=np.float32).reshape(n, d))
    y = Tensor(np.arange(n, dtype=np.int64))
    return TensorDataset(x, y)


def _labels(loader):
    return np.concatenate([yb.numpy() for _, yb in loader]).tolist()


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return {"x": np.full(2, i, dtype=np.float32), "i": i, "name": f"s{i}"}

    def __len__(self):
        return self.n


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


# ---- datasets --------------------------------------------------------------------------
def test_tensor_dataset_items_and_length():
    ds = _ds()
    x, y = ds[3]
    assert len(ds) == 10 and x.numpy().tolist() == [9.0, 10.0, 11.0] and y.item() == 3
    assert TensorDataset(np.zeros((4, 2)))[0][0].shape == (2,)  # NumPy arrays are wrapped


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match=r"size mismatch.*\[3, 4\]"):
        TensorDataset(Tensor(np.ones(3)), Tensor(np.ones(4)))
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(Tensor(np.float32(1)))
    with pytest.raises(TypeError, match="argument 1 is a list"):
        TensorDataset(Tensor(np.ones(2)), [1, 2])
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_concat_with_plus():
    a, b = _ds(3), Squares(2)
    c = a + b
    assert isinstance(c, ConcatDataset) and len(c) == 5 and c.cumulative_sizes == [3, 5]
    assert c[2][1].item() == 2 and c[3]["i"] == 0 and c[-1]["i"] == 1
    with pytest.raises(IndexError):
        c[5]
    with pytest.raises(IndexError):
        c[-6]


def test_subset():
    s = Subset(_ds(), [7, 2, 5])
    assert len(s) == 3 and s[0][1].item() == 7 and s[2][1].item() == 5


# ---- random_split ----------------------------------------------------------------------
def test_random_split_lengths_disjoint_and_reproducible():
    ds = _ds(10)
    parts = random_split(ds, [6, 4], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [6, 4]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    again = random_split(ds, [6, 4], generator=np.random.default_rng(0))
    assert again[0].indices == parts[0].indices
    autograd.manual_seed(5)
    a = random_split(ds, [0.5, 0.5])
    autograd.manual_seed(5)
    assert random_split(ds, [0.5, 0.5])[0].indices == a[0].indices


@pytest.mark.parametrize("n,fracs", [(10, [0.33, 0.33, 0.34]), (11, [0.5, 0.5]), (10, [0.1, 0.1, 0.1, 0.7]),
                                     (7, [0.2, 0.8]), (1, [1.0])])
def test_random_split_fractions_match_torch(torch, n, fracs):
    expect = [len(s) for s in torch.utils.data.random_split(range(n), fracs)]
    assert [len(s) for s in random_split(list(range(n)), fracs)] == expect


def test_random_split_errors():
    with pytest.raises(ValueError, match="does not equal the length"):
        random_split(_ds(10), [3, 3])
    with pytest.raises(ValueError, match="negative"):
        random_split(_ds(10), [12, -2])
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        random_split(_ds(10), [5, 5], generator=42)
    with pytest.warns(UserWarning, match="empty Subset"):
        random_split(_ds(2), [0.0, 1.0])


# ---- the loader ------------------------------------------------------------------------
def test_sequential_batches_len_and_dtypes():
    loader = DataLoader(_ds(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    xb, yb = batches[0]
    assert isinstance(batches[0], list)  # as torch: a batch of tuples collates to a list
    assert xb.shape == (4, 3) and xb.dtype == np.float32 and yb.dtype == np.int64
    assert _labels(loader) == list(range(10)) and batches[-1][0].shape == (2, 3)
    dropped = DataLoader(_ds(10), batch_size=4, drop_last=True)
    assert len(dropped) == 2 and _labels(dropped) == list(range(8))


def test_shuffle_covers_every_sample_and_changes_per_epoch():
    loader = DataLoader(_ds(50), batch_size=8, shuffle=True)
    e1, e2 = _labels(loader), _labels(loader)
    assert sorted(e1) == sorted(e2) == list(range(50)) and e1 != e2 and e1 != list(range(50))


def test_manual_seed_makes_shuffling_reproducible():
    loader = DataLoader(_ds(50), batch_size=8, shuffle=True)  # made before seeding: the seed still applies
    autograd.manual_seed(123)
    a = _labels(loader)
    autograd.manual_seed(123)
    assert _labels(loader) == a
    autograd.manual_seed(124)
    assert _labels(loader) != a


def test_generator_makes_shuffling_reproducible():
    def run(seed):
        return _labels(DataLoader(_ds(50), batch_size=8, shuffle=True, generator=np.random.default_rng(seed)))
    assert run(0) == run(0) and run(0) != run(1)


def test_fast_path_equals_per_sample_path():
    x = Tensor(np.random.default_rng(0).standard_normal((37, 4, 2)).astype(np.float32))
    y = Tensor(np.arange(37, dtype=np.int64))
    ds = TensorDataset(x, y)
    for data in (ds, random_split(ds, [20, 17])[0]):
        autograd.manual_seed(9)
        fast = list(DataLoader(data, batch_size=5, shuffle=True))
        autograd.manual_seed(9)
        slow = list(DataLoader(data, batch_size=5, shuffle=True, collate_fn=default_collate))
        assert len(fast) == len(slow)
        for f, s in zip(fast, slow):
            assert isinstance(f, list) and len(f) == 2
            for a, b in zip(f, s):
                assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a.numpy(), b.numpy())


def test_fast_path_indexes_whole_batches(monkeypatch):
    def per_sample(self, i):
        raise AssertionError("per-sample __getitem__ called")
    monkeypatch.setattr(TensorDataset, "__getitem__", per_sample)
    assert len(list(DataLoader(_ds(10), batch_size=4, shuffle=True))) == 3
    with pytest.raises(AssertionError, match="per-sample"):
        list(DataLoader(_ds(10), batch_size=4, collate_fn=default_collate))


def test_fast_path_keeps_the_graph_of_tensors_that_require_grad():
    w = Tensor(np.ones((6, 2), dtype=np.float64), requires_grad=True)
    (xb,) = next(iter(DataLoader(TensorDataset(w), batch_size=4)))
    xb.sum().backward()
    assert w.grad.numpy().tolist() == [[1.0, 1.0]] * 4 + [[0.0, 0.0]] * 2


def test_batch_size_none_disables_batching():
    loader = DataLoader(Squares(3), batch_size=None)
    items = list(loader)
    assert len(loader) == 3 and items[1]["i"] == 1 and isinstance(items[1]["x"], Tensor)
    assert [t.item() for t in DataLoader(_ds(3), batch_size=None) for t in t[1:]] == [0, 1, 2]


def test_custom_dataset_with_dicts_and_workers_ignored():
    loader = DataLoader(Squares(5), batch_size=2, num_workers=4, pin_memory=True, persistent_workers=True)
    b = next(iter(loader))
    assert b["x"].shape == (2, 2) and b["x"].dtype == np.float32
    assert b["i"].dtype == np.int64 and b["i"].numpy().tolist() == [0, 1] and b["name"] == ["s0", "s1"]
    assert loader.num_workers == 4 and len(loader) == 3


def test_custom_sampler_and_batch_sampler():
    assert _labels(DataLoader(_ds(10), batch_size=2, sampler=[9, 8, 1])) == [9, 8, 1]
    bs = [[3, 1], [0]]
    loader = DataLoader(_ds(10), batch_sampler=bs)
    assert len(loader) == 2 and _labels(loader) == [3, 1, 0]
    assert list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    assert list(BatchSampler(range(5), 2, drop_last=True)) == [[0, 1], [2, 3]]


def test_samplers():
    g = np.random.default_rng(0)
    r = list(RandomSampler(range(10), generator=g))
    assert sorted(r) == list(range(10)) and all(isinstance(i, int) for i in r)
    with_repl = list(RandomSampler(range(3), replacement=True, num_samples=20, generator=g))
    assert len(with_repl) == 20 and set(with_repl) <= {0, 1, 2}
    assert len(list(RandomSampler(range(3), num_samples=7))) == 7
    assert sorted(SubsetRandomSampler([4, 7, 9])) == [4, 7, 9]
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(3), num_samples=0)


def test_iterable_dataset():
    loader = DataLoader(Stream(7), batch_size=3)
    assert [b.numpy().tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.numpy().tolist() for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [[0, 1, 2],
                                                                                                  [3, 4, 5]]
    with pytest.raises(TypeError):
        len(loader)
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(3), shuffle=True)


@pytest.mark.parametrize("kwargs,err,match", [
    ({"batch_size": 0}, ValueError, "positive integer"),
    ({"batch_size": -3}, ValueError, "positive integer"),
    ({"batch_size": 2.5}, ValueError, "positive integer"),
    ({"batch_size": True}, ValueError, "positive integer"),
    ({"batch_size": None, "drop_last": True}, ValueError, "mutually exclusive with drop_last"),
    ({"shuffle": True, "sampler": [0, 1]}, ValueError, "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 4}, ValueError, "batch_sampler option is mutually exclusive"),
    ({"num_workers": -1}, ValueError, "num_workers"),
    ({"generator": 0}, TypeError, "numpy.random.Generator"),
    ({"collate_fn": 3}, TypeError, "collate_fn must be callable"),
    ({"drop_last": "yes"}, ValueError, "drop_last"),
])
def test_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        DataLoader(_ds(4), **kwargs)


def test_dataset_without_len_is_rejected():
    with pytest.raises(TypeError, match="__getitem__ and __len__"):
        DataLoader(object())


# ---- collate ---------------------------------------------------------------------------
def test_default_collate_types():
    assert default_collate([1.0, 2.0]).dtype == np.float64
    assert default_collate([1, 2]).dtype == np.int64
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([np.float32(1), np.float32(2)]).dtype == np.float32
    assert default_collate([np.int32(1), np.int32(2)]).dtype == np.int32
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([np.ones(2, dtype=np.float16)] * 3).shape == (3, 2)
    pair = default_collate([(1, 2.0), (3, 4.0)])
    assert isinstance(pair, list) and pair[0].numpy().tolist() == [1, 3] and pair[1].dtype == np.float64
    P = namedtuple("P", "x y")
    p = default_collate([P(1, 2.0), P(3, 4.0)])
    assert isinstance(p, P) and p.x.numpy().tolist() == [1, 3]
    d = default_collate([{"a": Tensor(np.ones(2)), "b": [1, 2]}] * 2)
    assert d["a"].shape == (2, 2) and [t.numpy().tolist() for t in d["b"]] == [[1, 1], [2, 2]]


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([np.ones(2), np.ones(3)])
    with pytest.raises(TypeError, match="found <class 'object'>"):
        default_collate([object()])
    with pytest.raises(TypeError, match="found <U1"):
        default_collate([np.array(["a"])] * 2)


def test_default_convert():
    out = default_convert({"a": np.ones(2), "b": (np.zeros(1), 3), "s": "x"})
    assert isinstance(out["a"], Tensor) and isinstance(out["b"], list) and out["b"][1] == 3 and out["s"] == "x"


def test_default_collate_dtypes_match_torch(torch):
    from torch.utils.data import default_collate as tc
    cases = [[1.0, 2.0], [1, 2], [True, False], [np.float32(1)] * 2, [np.int32(1)] * 2, [np.ones(2)] * 2,
             [np.array(3.0)] * 2, [np.ones(2, dtype=np.uint8)] * 2]
    for batch in cases:
        ours, theirs = default_collate(batch), tc(batch)
        assert ours.shape == tuple(theirs.shape)
        assert str(theirs.dtype) == f"torch.{ours.dtype}", batch


def test_loader_matches_torch_sequential(torch):
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    ours = list(DataLoader(TensorDataset(Tensor(x)), batch_size=4))
    theirs = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x)), batch_size=4))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert type(a) is type(b) and np.array_equal(a[0].numpy(), b[0].numpy())


def test_module_path_imports():
    import importlib
    mod = importlib.import_module("autograd.utils.data")
    assert mod.DataLoader is DataLoader
