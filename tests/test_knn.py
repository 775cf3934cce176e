"""nn.knn.KNeighborsClassifier against scikit-learn's brute force: the same neighbours, votes and probabilities,
ties included; its errors; its memory bound."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import nn.knn as knn
from autograd import Tensor
from nn.knn import KNeighborsClassifier, NotFittedError, chunk_shape, sklearn_threads

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier as SKLearnKNN  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)


def same_as_sklearn(Xtr, ytr, Xte, k, tie_threads=None):
    """Our and scikit-learn's predict, predict_proba and neighbour sets must agree exactly."""
    ours = KNeighborsClassifier(k, tie_threads=tie_threads).fit(Xtr, ytr)
    ref = SKLearnKNN(n_neighbors=k, algorithm="brute").fit(Xtr, ytr)
    np.testing.assert_array_equal(ours.predict(Xte), ref.predict(Xte))
    np.testing.assert_array_equal(ours.predict_proba(Xte), ref.predict_proba(Xte))
    (d1, i1), (d2, i2) = ours.kneighbors(Xte), ref.kneighbors(Xte)
    assert [set(r) for r in i1] == [set(r) for r in i2]
    np.testing.assert_allclose(d1, d2, rtol=1e-6, atol=1e-12)
    return ours


@pytest.mark.parametrize("k", [1, 3, 29])
def test_digits_identical_to_sklearn(digits, k):
    Xtr, Xte, ytr, yte = digits
    ours = same_as_sklearn(Xtr, ytr, Xte, k)
    assert ours.score(Xte, yte) == SKLearnKNN(n_neighbors=k, algorithm="brute").fit(Xtr, ytr).score(Xte, yte)


def test_sklearn_thread_count_is_found():
    effective = getattr(pytest.importorskip("sklearn.utils._openmp_helpers"), "_openmp_effective_n_threads", None)
    if effective is None:
        pytest.skip("scikit-learn's private thread-count helper moved")
    assert sklearn_threads() == effective()


@pytest.mark.parametrize("threads", [1, 2])
def test_ties_follow_sklearns_thread_count(digits, threads):
    """With more training rows than queries, scikit-learn's choice among points at the k-th distance depends on its
    OpenMP thread count (one heap per thread, merged): on digits with k=29 the two counts keep different points."""
    if threads > sklearn_threads():
        pytest.skip("scikit-learn would not use more threads than this machine's CPUs")
    Xtr, Xte, ytr, _ = digits
    with threadpool_limits(limits=threads, user_api="openmp"):
        same_as_sklearn(Xtr, ytr, Xte, 29, tie_threads=threads)
    with threadpool_limits(limits=1, user_api="openmp"):
        one = SKLearnKNN(n_neighbors=29, algorithm="brute").fit(Xtr, ytr).predict_proba(Xte)
    if threads == 2:  # the replay matters: another thread count gives other probabilities
        assert not np.array_equal(one, KNeighborsClassifier(29, tie_threads=2).fit(Xtr, ytr).predict_proba(Xte))


def tie_heavy(rng, n_train, n_test, d=4, levels=3):
    Z = rng.integers(0, levels, (n_train + n_test, d))
    return Z[:n_train], rng.integers(0, 4, n_train), Z[n_train:]


@pytest.mark.parametrize("k", [1, 3, 29])
@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.float32])
@pytest.mark.parametrize("sizes", [(500, 100), (150, 400)], ids=["more-train", "more-queries"])
def test_tie_heavy_integer_data_identical_to_sklearn(rng, k, dtype, sizes):
    """Values in {0, 1, 2} on 4 features: most neighbours are tied. Ints go through scikit-learn's
    euclidean_distances + argpartition, floats through its heaps; fewer or more queries than training rows."""
    Xtr, ytr, Xte = tie_heavy(rng, *sizes)
    same_as_sklearn(Xtr.astype(dtype), ytr, Xte.astype(dtype), k)


@pytest.mark.parametrize("k", [1, 3, 29])
def test_duplicated_points_and_mixed_dtypes(rng, k):
    Xtr = np.repeat(rng.integers(0, 5, (40, 3)), 7, axis=0).astype(np.float64)
    ytr, Xte = rng.integers(0, 3, len(Xtr)), rng.integers(0, 5, (60, 3))
    same_as_sklearn(Xtr, ytr, Xte.astype(np.float64), k)
    same_as_sklearn(Xtr, ytr, Xte.astype(np.float32), k)  # fitted float64, queried float32


@pytest.mark.skipif(knn._OPENBLAS is None or not knn._OPENBLAS[2], reason="bitwise GEMM mirror checked on AVX-512")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_non_integer_ties_round_like_sklearn(rng, dtype):
    """Pixels / 255 (inexact in binary) on 784 features: points tied in exact arithmetic differ in the last bits
    of the distance, by where the matrix product splits its sums; the neighbours must still be scikit-learn's,
    also for 1 and 3 queries (its small-matrix kernel)."""
    base = rng.integers(0, 200, (12, 784))
    rows = []
    for b in base:
        for _ in range(40):
            r = b.copy()
            r[rng.integers(0, 784, 2)] += rng.integers(1, 4, 2)
            rows.append(r)
    Xtr, Xte = (np.array(rows) / 255.0).astype(dtype), (base / 255.0).astype(dtype)
    ytr = rng.integers(0, 5, len(Xtr))
    for k in (1, 3, 29):
        same_as_sklearn(Xtr, ytr, Xte, k)
        same_as_sklearn(Xtr, ytr, Xte[:1], k)
        same_as_sklearn(Xtr, ytr, Xte[1:4], k)


def test_string_labels_and_vote_ties(rng):
    Xtr, y_int, Xte = tie_heavy(rng, 300, 80)
    names = np.array(["zebra", "ant", "cat", "bee"])
    ours = same_as_sklearn(Xtr.astype(float), names[y_int], Xte.astype(float), 4)  # even k: tied votes
    assert list(ours.classes_) == ["ant", "bee", "cat", "zebra"]
    assert ours.predict(Xte.astype(float)).dtype.kind == "U"


def test_tensor_inputs(digits):
    Xtr, Xte, ytr, yte = digits
    ours = KNeighborsClassifier(3).fit(Tensor(Xtr.astype(np.float32)), Tensor(ytr))
    ref = SKLearnKNN(n_neighbors=3, algorithm="brute").fit(Xtr.astype(np.float32), ytr)
    np.testing.assert_array_equal(ours.predict(Tensor(Xte.astype(np.float32))), ref.predict(Xte.astype(np.float32)))
    assert ours.score(Tensor(Xte.astype(np.float32)), Tensor(yte)) == ref.score(Xte.astype(np.float32), yte)


def test_kneighbors_order_and_options(rng):
    Xtr, ytr, Xte = tie_heavy(rng, 200, 30)
    model = KNeighborsClassifier(5).fit(Xtr.astype(float), ytr)
    dist, ind = model.kneighbors(Xte.astype(float), n_neighbors=12)
    assert dist.shape == ind.shape == (30, 12) and dist.dtype == np.float64
    same_dist = dist[:, 1:] == dist[:, :-1]
    assert (dist[:, 1:] >= dist[:, :-1]).all() and (ind[:, 1:][same_dist] > ind[:, :-1][same_dist]).all()
    np.testing.assert_array_equal(model.kneighbors(Xte.astype(float), return_distance=False),
                                  model.kneighbors(Xte.astype(float))[1])
    np.testing.assert_allclose(dist, np.sqrt(((Xte[:, None, :] - Xtr[ind]) ** 2).sum(-1)))


def test_score_is_mean_accuracy(digits):
    Xtr, Xte, ytr, yte = digits
    model = KNeighborsClassifier(3).fit(Xtr, ytr)
    assert model.score(Xte, yte) == np.mean(model.predict(Xte) == yte) > 0.95


def test_errors_are_clear(digits):
    Xtr, Xte, ytr, _ = digits
    with pytest.raises(NotFittedError, match=r"predict\(\) called before fit"):
        KNeighborsClassifier().predict(Xte)
    with pytest.raises(NotFittedError, match=r"kneighbors\(\)"):
        KNeighborsClassifier().kneighbors(Xte)
    model = KNeighborsClassifier(3).fit(Xtr[:10], ytr[:10])
    with pytest.raises(ValueError, match=r"n_neighbors <= n_samples_fit.*n_neighbors = 11, n_samples_fit = 10"):
        model.kneighbors(Xte, n_neighbors=11)
    with pytest.raises(ValueError, match=r"n_neighbors = 30, n_samples_fit = 10"):
        KNeighborsClassifier(30).fit(Xtr[:10], ytr[:10]).predict(Xte)
    with pytest.raises(ValueError, match=r"\(360, 10\).*\(10, 64\)"):
        model.predict(Xte[:, :10])
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n_neighbors must be an int >= 1"):
            KNeighborsClassifier(bad).fit(Xtr, ytr)
    with pytest.raises(ValueError, match="n_neighbors must be an int >= 1"):
        model.kneighbors(Xte, n_neighbors=0)
    with pytest.raises(ValueError, match="one label per row"):
        KNeighborsClassifier().fit(Xtr, ytr[:-1])
    with pytest.raises(ValueError, match="NaN or infinity"):
        model.predict(np.full((1, 64), np.nan))


def test_sklearn_clone_and_params():
    from sklearn.base import clone
    model = clone(KNeighborsClassifier(7, tie_threads=2))
    assert model.get_params() == {"n_neighbors": 7, "tie_threads": 2}
    assert model.set_params(n_neighbors=3).n_neighbors == 3


def test_chunks_fit_512_mib_for_60000_training_rows():
    rows, cols = chunk_shape(60_000, 784)
    assert cols == 60_000 and rows >= 256 and rows % 256 == 0
    assert rows * (cols * knn.BYTES_PER_PAIR + 16 * 784) <= 512 * 2**20 == knn.MEMORY_BUDGET
    rows, cols = chunk_shape(100_000_000, 10)  # more training rows than one query's work allows: split them too
    assert rows == 1 and cols < 100_000_000 and cols * knn.BYTES_PER_PAIR + 160 <= knn.MEMORY_BUDGET


@pytest.mark.parametrize("duplicates", [False, True], ids=["random", "all-tied"])
def test_peak_memory_stays_within_the_budget(rng, monkeypatch, duplicates):
    """A 4 MiB budget against an 8,000 x 400 distance matrix of 24 MiB: the peak, outputs and all, stays within
    it, also when every training point is at the same distance (all are candidates, every row is a tie)."""
    Xtr = np.ones((8_000, 8)) if duplicates else rng.random((8_000, 8))
    ytr, Xte = rng.integers(0, 3, 8_000), rng.random((400, 8))
    expected = KNeighborsClassifier(5).fit(Xtr, ytr).predict_proba(Xte)
    monkeypatch.setattr(knn, "MEMORY_BUDGET", 4 * 2**20)
    model = KNeighborsClassifier(5).fit(Xtr, ytr)
    tracemalloc.start()
    try:
        proba = model.predict_proba(Xte)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(proba, expected)
    assert peak <= knn.MEMORY_BUDGET, f"peak {peak / 2**20:.1f} MiB"


@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_training_rows_split_in_blocks_give_the_same_answers(rng, monkeypatch, dtype):
    """A budget too small for one query's row of distances: the training rows come in blocks, merged, and the
    rows with ties are replayed over the whole row."""
    monkeypatch.setattr(knn, "MEMORY_BUDGET", 24 * 700)
    assert chunk_shape(2000, 4)[1] < 2000
    Xtr, ytr, Xte = tie_heavy(rng, 2000, 60)
    for k in (1, 29):
        same_as_sklearn(Xtr.astype(dtype), ytr, Xte.astype(dtype), k)
