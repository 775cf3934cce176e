"""nn.data: generated 2-D sets, the VC-capacity points, linear separability, splitting and loaders."""
import numpy as np
import pytest

import autograd
import nn.data as data

MAKERS = [data.make_blobs, data.make_xor, data.make_moons, data.make_circles, data.make_spirals]


# ---- generated sets -------------------------------------------------------------------------
@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_generated_shapes_balance_determinism(make):
    X, y = make(201, seed=3)
    assert X.shape == (201, 2) and X.dtype == np.float32 and y.shape == (201,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == 2 and counts.max() - counts.min() <= 1
    X2, y2 = make(201, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, _ = make(201, seed=4)
    assert not np.array_equal(X, X3)
    assert len(set(y[:20].tolist())) == 2  # shuffled, not one class after the other
    Xt, yt = make(10, as_tensors=True)
    assert isinstance(Xt, autograd.Tensor) and Xt.dtype == autograd.float32 and yt.dtype == autograd.int64


@pytest.mark.parametrize("make", MAKERS, ids=lambda f: f.__name__)
def test_generated_bad_arguments(make):
    with pytest.raises(ValueError, match="n must be"):
        make(1)
    with pytest.raises(ValueError, match="n must be"):
        make(2.5)
    kw = {"std": -1.0} if make is data.make_blobs else {"noise": -0.1}
    with pytest.raises(ValueError, match=">= 0"):
        make(10, **kw)


def test_blobs_linearly_separable_by_default():
    X, y = data.make_blobs()
    assert data.linearly_separable(X, y)
    for k in (3, 4, 6):
        X, y = data.make_blobs(600, centers=k, seed=k)
        assert np.array_equal(np.bincount(y), [600 // k] * k)
        assert all(data.linearly_separable(X, y == c) for c in range(k))
    X, y = data.make_blobs(50, centers=np.array([[0, 0], [5, 5], [-5, 5]]), std=0.1)
    assert np.abs(X[y == 1] - [5, 5]).max() <= 0.3 + 1e-6  # truncated at 3 std
    with pytest.raises(ValueError, match="shape"):
        data.make_blobs(10, centers=np.zeros((3, 3)))


def test_shapes_of_noise_free_sets():
    X, y = data.make_xor(40, noise=0)
    assert np.array_equal(np.abs(X), np.ones_like(X))
    assert np.array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))
    assert not data.linearly_separable(X, y)
    X, y = data.make_circles(100, noise=0, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(r[y == 0], 1, atol=1e-6) and np.allclose(r[y == 1], 0.3, atol=1e-6)
    X, y = data.make_moons(100, noise=0)
    assert np.allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1, atol=1e-6)
    assert np.allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1, atol=1e-6)
    assert not data.linearly_separable(X, y)
    with pytest.raises(ValueError, match="factor"):
        data.make_circles(10, factor=1.5)


def test_spirals_classes():
    X, y = data.make_spirals(300, classes=3)
    assert np.array_equal(np.bincount(y), [100, 100, 100])
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() < 1.4
    with pytest.raises(ValueError, match="classes"):
        data.make_spirals(10, classes=0)


# ---- VC capacity ------------------------------------------------------------------------------
def perceptron_converges(X, y, epochs=1000):
    """Rosenblatt's perceptron with a bias; True once an epoch makes no mistake."""
    Xb = np.c_[X, np.ones(len(X))].astype(np.float64)
    s = np.where(y == 1, 1.0, -1.0)
    w = np.zeros(3)
    for _ in range(epochs):
        wrong = 0
        for x, t in zip(Xb, s):
            if t * (w @ x) <= 0:
                w += t * x
                wrong += 1
        if not wrong:
            return True
    return False


def test_three_points_are_shattered():
    pts, labs, sep = data.vc_points(3)
    assert pts.shape == (3, 2) and labs.shape == (8, 3) and labs.dtype == np.int64
    assert len({tuple(r) for r in labs.tolist()}) == 8
    a, b, c = pts.astype(float)
    assert abs((b - a)[0] * (c - a)[1] - (b - a)[1] * (c - a)[0]) > 0  # not collinear
    assert sep.all() and len(data.vc_points(3).non_separable) == 0
    assert all(perceptron_converges(pts, row) for row in labs)


def test_four_points_xor_not_separable():
    vc = data.vc_points(4)
    assert vc.points.shape == (4, 2) and vc.labellings.shape == (16, 4)
    assert vc.separable.sum() == 14
    assert vc.non_separable.tolist() == [[0, 1, 1, 0], [1, 0, 0, 1]]
    xor = np.logical_xor(vc.points[:, 0], vc.points[:, 1]).astype(np.int64)
    assert xor.tolist() == [0, 1, 1, 0]
    for row, ok in zip(vc.labellings, vc.separable):
        if ok:
            assert perceptron_converges(vc.points, row)
    assert not perceptron_converges(vc.points, xor, epochs=200)
    with pytest.raises(ValueError, match="3.*or 4"):
        data.vc_points(5)


def test_linearly_separable_edge_cases():
    assert data.linearly_separable([[0, 0], [1, 1]], [1, 1])  # one class
    assert not data.linearly_separable([[0, 0], [0, 0]], [0, 1])  # one point, both labels
    assert not data.linearly_separable([[0, 0], [1, 0], [2, 0]], [0, 1, 0])  # collinear, middle differs
    assert data.linearly_separable([[0, 0], [1, 0], [2, 0]], [0, 0, 1])
    assert data.linearly_separable([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1])  # AND
    with pytest.raises(ValueError, match="at most two labels"):
        data.linearly_separable([[0, 0], [1, 0], [2, 0]], [0, 1, 2])


# ---- train_val_test_split ---------------------------------------------------------------------
def labelled(counts=(50, 30, 20)):
    y = np.repeat(np.arange(len(counts)), counts).astype(np.int64)
    X = np.c_[np.arange(len(y)), np.zeros(len(y))].astype(np.float32)  # column 0 is the sample's index
    return X, y


def test_split_partitions_and_stratifies():
    X, y = labelled()
    Xtr, ytr, Xva, yva, Xte, yte = data.train_val_test_split(X, y, val=0.15, test=0.2, seed=1)
    ids = [p[:, 0].astype(int) for p in (Xtr, Xva, Xte)]
    assert sorted(np.concatenate(ids).tolist()) == list(range(100))  # each sample in exactly one part
    for part_ids, part_y in zip(ids, (ytr, yva, yte)):
        assert np.array_equal(y[part_ids], part_y)  # rows stay with their labels
    assert np.bincount(yte).tolist() == [10, 6, 4]  # 0.2 * n_c
    assert np.bincount(yva).tolist() == [8, 4, 3]  # 0.15 * n_c = 7.5, 4.5, 3: one of the halves rounds up, for 15
    assert np.bincount(ytr).tolist() == [32, 20, 13]
    assert Xtr.dtype == np.float32 and ytr.dtype == np.int64


def test_split_proportions_for_many_class_mixes():
    rng = np.random.default_rng(0)
    for _ in range(60):
        counts = rng.integers(1, 40, size=rng.integers(1, 6))
        val, test = rng.uniform(0, 0.45, size=2)
        X, y = labelled(counts)
        Xtr, ytr, Xva, yva, Xte, yte = data.train_val_test_split(X, y, val=val, test=test, seed=int(counts[0]))
        ids = np.concatenate([p[:, 0] for p in (Xtr, Xva, Xte)]).astype(int)
        assert sorted(ids.tolist()) == list(range(len(y)))
        assert len(yte) == int(np.floor(test * len(y) + 0.5))
        for part, f in ((yte, test), (yva, val)):
            assert np.all(np.abs(np.bincount(part, minlength=len(counts)) - f * counts) < 1)


def test_split_deterministic_for_a_seed():
    X, y = labelled()
    a = data.train_val_test_split(X, y, seed=7)
    b = data.train_val_test_split(X, y, seed=7)
    c = data.train_val_test_split(X, y, seed=8)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_split_val_zero_and_unstratified():
    X, y = labelled()
    Xtr, ytr, Xva, yva, Xte, yte = data.train_val_test_split(X, y, val=0, test=0.25)
    assert Xva.shape == (0, 2) and yva.shape == (0,) and Xva.dtype == np.float32
    assert len(Xtr) == 75 and len(Xte) == 25  # 12.5, 7.5, 5: one half rounds up, for round(0.25 * 100)
    assert np.bincount(yte).tolist() == [13, 7, 5]
    parts = data.train_val_test_split(X, y, val=0.1, test=0.3, stratify=False, seed=2)
    assert [len(p) for p in parts] == [60, 60, 10, 10, 30, 30]
    reg = np.linspace(0, 1, 100)  # regression targets: split without stratifying
    assert len(data.train_val_test_split(X, reg[:, None], stratify=False)[1]) == 65


def test_split_keeps_tensors_tensors():
    X, y = labelled()
    Xtr, ytr, Xva, *_ = data.train_val_test_split(autograd.Tensor(X), autograd.Tensor(y))
    assert isinstance(Xtr, autograd.Tensor) and isinstance(ytr, autograd.Tensor) and isinstance(Xva, autograd.Tensor)
    assert Xtr.dtype == autograd.float32 and ytr.dtype == autograd.int64
    Xtr, ytr, *_ = data.train_val_test_split(autograd.Tensor(X), y)
    assert isinstance(Xtr, autograd.Tensor) and isinstance(ytr, np.ndarray)


@pytest.mark.parametrize("kw, match", [
    ({"val": 1.0}, "val must be a fraction"), ({"test": -0.1}, "test must be a fraction"),
    ({"val": 0.5, "test": 0.5}, "below 1"), ({"val": True}, "val must be a fraction"),
])
def test_split_bad_fractions(kw, match):
    X, y = labelled()
    with pytest.raises(ValueError, match=match):
        data.train_val_test_split(X, y, **kw)


def test_split_length_mismatch_and_2d_labels():
    X, y = labelled()
    with pytest.raises(ValueError, match="different numbers of samples: 100 and 99"):
        data.train_val_test_split(X, y[:-1])
    with pytest.raises(ValueError, match="stratify=False"):
        data.train_val_test_split(X, np.eye(3)[y])


# ---- loaders -----------------------------------------------------------------------------------
def test_loaders_batch_counts():
    X, y = labelled()  # 65 train, 15 val, 20 test
    tr, va, te = data.loaders(X, y, 8)
    assert (len(tr), len(va), len(te)) == (9, 2, 3)
    tr, va, te = data.loaders(X, y, len(X))  # full-batch gradient descent
    assert (len(tr), len(va), len(te)) == (1, 1, 1)
    tr, *_ = data.loaders(X, y, 1)  # SGD
    assert len(tr) == 65
    tr, va, te = data.loaders(X, y, 10, val=0, drop_last=True, eval_batch_size=100)
    assert (len(tr), len(va), len(te)) == (8, 0, 1) and list(va) == []
    tr, va, te = data.loaders(X, y, None)
    assert [len(next(iter(dl))[0]) for dl in (tr, va, te)] == [65, 15, 20]


def test_loaders_cover_the_train_part_and_repeat_for_a_seed():
    X, y = labelled()
    tr, _, _ = data.loaders(X, y, 16, seed=3)
    batches = list(tr)
    xb, yb = batches[0]
    assert isinstance(xb, autograd.Tensor) and xb.dtype == autograd.float32 and yb.dtype == autograd.int64
    seen = np.concatenate([b[0].numpy()[:, 0] for b in batches]).astype(int)
    Xtr = data.train_val_test_split(X, y, seed=3)[0]
    assert sorted(seen.tolist()) == sorted(Xtr[:, 0].astype(int).tolist())
    again = list(data.loaders(X, y, 16, seed=3)[0])
    assert np.array_equal(again[0][0].numpy(), xb.numpy())
    assert not np.array_equal(seen, np.sort(seen))  # shuffled
    unshuffled = list(data.loaders(X, y, 16, seed=3, shuffle=False)[0])
    assert np.array_equal(np.concatenate([b[0].numpy() for b in unshuffled]), Xtr)


def test_tensor_dataset_helper():
    X, y = data.make_moons(20)
    ds = data.tensor_dataset(X, y)
    assert len(ds) == 20 and ds[3][0].dtype == autograd.float32 and ds[3][1].dtype == autograd.int64
