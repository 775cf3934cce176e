"""The lecture's k-nearest-neighbours baseline: scikit-learn's API, and its answers down to the last tie.
Brute-force Euclidean distances as ``sklearn.neighbors.KNeighborsClassifier(algorithm="brute")`` computes them:

- Squared distances ``(‖a‖² + m) + ‖b‖²`` clipped at 0, ``m = (-2a)·b`` by float64 matrix products, norms by BLAS
  dot products: its formula and rounding. Integer-valued data (digits, pixels 0..255) makes every term an exact
  integer, so equal distances are equal here and there. Otherwise m's last bits depend on where OpenBLAS splits
  the dot products and on its small-matrix kernel: mirrored here (``_k_blocks``, ``_block``; checked on AVX-512).
- Ties in distance: the points nearer than the k-th distance are neighbours; of the points *at* it, the ones
  scikit-learn keeps, replayed for the rows with such a tie. With X float32 or float64 (one dtype in fit and
  query) it keeps max-heaps of size k fed in training order: a point enters only if strictly nearer than the
  farthest, which it replaces before a sift-down (to the left child on equal children). The survivors depend on
  that history and, with more training rows than queries and ≤ 1024 queries per OpenMP thread, on the thread
  count: each thread heaps a run of 256-row chunks, then the heaps are merged (``tie_threads``). Other dtypes
  (ints, bools, mixed) go through ``euclidean_distances`` and ``np.argpartition`` of each row.
- Ties in the vote: the smallest label (sorted ``classes_``) among the most frequent, as ``weights="uniform"``.

Memory: ``rows`` queries at a time against ``cols`` training rows (``chunk_shape``), so that a block's work, at
most ``BYTES_PER_PAIR`` bytes per (query, training row) pair, fits ``MEMORY_BUDGET`` (512 MiB) whatever the sizes:
float64 distances (8), a run's partial products (≤ 8), the candidate mask (1), a strided sample (≤ 1; ≤ 4 for
k > cols / 64), the candidates' index arithmetic (≤ one per 8 pairs at a time, 64 bytes each: 8). Candidates: the
points no farther than the k-th nearest of every stride-th point (np.partition); np.argpartition takes the k
nearest of those, then a stable sort by (distance, index). A tied row is settled from its whole row (16 B/column).
"""
from __future__ import annotations

import math
import os
from numbers import Integral

import numpy as np

from autograd import Tensor

__all__ = ["KNeighborsClassifier", "NotFittedError", "chunk_shape", "sklearn_threads", "MEMORY_BUDGET"]

MEMORY_BUDGET = 512 * 2**20
BYTES_PER_PAIR = 32  # the 26 counted in the module's docstring, plus headroom for NumPy's temporaries
_SK_CHUNK = 256  # scikit-learn's pairwise_dist_chunk_size: its GEMM tiles and its threads' runs of training rows
_TILE = 4096  # training rows per matrix product here: a tile's sums stay in cache
_BIG = float(np.finfo(np.float64).max)  # an empty slot of scikit-learn's heaps (DBL_MAX)


class NotFittedError(ValueError, AttributeError):
    """A KNeighborsClassifier used before ``fit`` (scikit-learn's exception has the same two bases)."""


def chunk_shape(n_train: int, n_features: int = 0, budget: int | None = None) -> tuple[int, int]:
    """``(rows, cols)``: queries and training rows per block, so that ``rows * (cols * BYTES_PER_PAIR + 16 *
    n_features) <= budget`` (default ``MEMORY_BUDGET``; 16 bytes a feature: a query row in float64 and times -2):
    whole training rows while one query's work fits; rows in 256s above 256, as scikit-learn's tiles."""
    budget = MEMORY_BUDGET if budget is None else budget
    cols = int(min(n_train, max(1, (budget - 16 * n_features) // BYTES_PER_PAIR)))
    rows = int(max(1, budget // (BYTES_PER_PAIR * cols + 16 * n_features)))
    return (rows // _SK_CHUNK * _SK_CHUNK if rows > _SK_CHUNK else rows), cols


def sklearn_threads() -> int:
    """scikit-learn's OpenMP thread count here (``_openmp_effective_n_threads``): ``OMP_NUM_THREADS`` if set, else
    the CPUs this process may use (affinity, cgroup quota, LOKY_MAX_CPU_COUNT). A ``threadpoolctl`` limit around
    scikit-learn's call is invisible from here: pass ``tie_threads``."""
    env, loky = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip(), os.environ.get("LOKY_MAX_CPU_COUNT", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    n = min(os.cpu_count() or 1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else math.inf,
            int(loky) if loky.strip().lstrip("-").isdigit() else math.inf)
    for files in (["cpu.max"], ["cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us"]):  # the cgroup's CPU quota
        try:
            parts = [w for f in files for w in open("/sys/fs/cgroup/" + f).read().split()]
        except OSError:
            continue
        if len(parts) == 2 and parts[0] != "max" and int(parts[0]) > 0 and int(parts[1]) > 0:
            n = min(n, math.ceil(int(parts[0]) / int(parts[1])))
        break
    return max(1, int(n))


def _openblas_params() -> tuple[int, int, bool] | None:
    """(GEMM_Q, GEMM_UNROLL_M, small-matrix kernel) of OpenBLAS's float64 GEMM on this CPU, after its param.h:
    (384, 16, True) on AVX-512 cores, (256, 4, False) on Haswell and Zen; None if NumPy's BLAS is another."""
    try:
        blas = str(np.__config__.CONFIG["Build Dependencies"]["blas"]["name"]).lower()
        feats = getattr(np, "_core", getattr(np, "core", None))._multiarray_umath.__cpu_features__
    except (AttributeError, KeyError, TypeError):
        return None
    if "openblas" in blas and feats.get("AVX512_SKX"):
        return 384, 16, True
    avx2 = "openblas" in blas and feats.get("AVX2") and feats.get("FMA3")
    return ((128 if os.name == "nt" else 256), 4, False) if avx2 else None


_OPENBLAS = _openblas_params()


def _k_blocks(d: int, single_threaded: bool) -> list:
    """The runs of features OpenBLAS sums apart, then adds in order: GEMM_Q while 2 GEMM_Q remain, then halves,
    rounded up to GEMM_UNROLL_M single-threaded (scikit-learn's heaps), plain when multithreaded (its
    ``euclidean_distances``). A product over one run (≤ GEMM_Q) is summed alike whatever the threading."""
    if _OPENBLAS is None or d <= _OPENBLAS[0]:
        return [(0, d)]
    q, u, _ = _OPENBLAS
    edges = [0]
    while edges[-1] < d:
        rest = d - edges[-1]
        half = -(-(rest // 2) // u) * u if single_threaded else (rest + 1) // 2
        edges.append(edges[-1] + (q if rest >= 2 * q else half if rest > q else rest))
    return list(zip(edges[:-1], edges[1:]))


def _numeric(X, name: str) -> np.ndarray:
    """X as a finite 2-D array of numbers in its own dtype (which decides scikit-learn's tie rule)."""
    A = X.detach().numpy() if isinstance(X, Tensor) else np.asarray(X)
    if A.dtype.kind not in "biuf":
        try:
            A = A.astype(np.float64)
        except (TypeError, ValueError) as e:
            raise ValueError(f"KNeighborsClassifier.{name}: X must hold numbers, got dtype {A.dtype}: {e}") from None
    if A.ndim != 2 or A.shape[0] == 0:
        raise ValueError(f"KNeighborsClassifier.{name}: X must be 2-D (n_samples, n_features) with at least one "
                         f"sample, got shape {A.shape}")
    if A.dtype.kind == "f" and not np.isfinite(A).all():
        raise ValueError(f"KNeighborsClassifier.{name}: X contains NaN or infinity")
    return A


def _row_norms(A: np.ndarray, blas: bool) -> np.ndarray:
    """‖row‖² as scikit-learn gets it: BLAS dot products for its heaps, ``einsum`` in ``euclidean_distances``."""
    return np.array([np.dot(r, r) for r in A], dtype=np.float64) if blas else np.einsum("ij,ij->i", A, A)


def _labels(y, name: str, n: int) -> np.ndarray:
    labels = np.asarray(y.detach().numpy() if isinstance(y, Tensor) else y)
    labels = labels.ravel() if labels.ndim == 2 and labels.shape[1] == 1 else labels
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(f"KNeighborsClassifier.{name}: y must hold one label per row of X ({n}), got shape "
                         f"{labels.shape}")
    return labels


def _check_k(k, name: str) -> int:
    if isinstance(k, bool) or not isinstance(k, Integral) or k < 1:
        raise ValueError(f"KNeighborsClassifier.{name}: n_neighbors must be an int >= 1, got {k!r}")
    return int(k)


def _push(vals: list, idx: list, k: int, v: float, j: int) -> None:
    """(v, j) onto the max-heap ``vals``/``idx`` of size k, as scikit-learn's ``heap_push``."""
    if v >= vals[0]:
        return
    cur = 0
    while 2 * cur + 1 < k:
        left = 2 * cur + 1
        child = left if left + 1 >= k or vals[left] >= vals[left + 1] else left + 1
        if not v < vals[child]:
            break
        vals[cur], idx[cur] = vals[child], idx[child]
        cur = child
    vals[cur], idx[cur] = v, j


def _heap(seg: np.ndarray, start: int, k: int) -> tuple[list, list]:
    """A fresh heap fed ``seg`` (distances to training rows start...) in order. Only points below the top when
    their stretch begins may enter, and the stretches double, so few reach Python."""
    vals, idx = [_BIG] * k, [-1] * k
    pos, step = 0, k
    while pos < len(seg):
        block = seg[pos:pos + step]
        hits = np.flatnonzero(block < vals[0])
        for c, v in zip(hits.tolist(), block[hits].tolist()):
            _push(vals, idx, k, v, start + pos + c)
        pos, step = pos + step, 2 * step
    return vals, idx


def _heap_ranges(n_train: int, n_queries: int, threads: int) -> list:
    """scikit-learn's heaps as (start, stop) runs of training rows: one ("parallel_on_X") unless ("parallel_on_Y")
    one per thread, over a run of 256-row chunks (OpenMP's static schedule)."""
    if n_train < n_queries or 4 * _SK_CHUNK * threads < n_queries:
        return [(0, n_train)]
    per, n_chunks = min(n_train, _SK_CHUNK), -(-n_train // min(n_train, _SK_CHUNK))
    t = min(n_chunks, threads)
    edges = np.cumsum([0] + [n_chunks // t + (i < n_chunks % t) for i in range(t)]) * per
    return [(int(a), int(min(b, n_train))) for a, b in zip(edges[:-1], edges[1:])]


def _sklearn_choice(row: np.ndarray, k: int, ranges: list | None) -> tuple[list, list]:
    """The k nearest scikit-learn picks from a whole ``row``: its heaps over ``ranges``, then pushed in turn into a
    fresh one; or (``ranges`` None) ``np.argpartition``."""
    if ranges is None:
        sel = np.argpartition(row, k - 1)[:k]
        return row[sel].tolist(), sel.tolist()
    vals, idx = [_BIG] * k, [-1] * k
    for hv, hi in (_heap(row[a:b], a, k) for a, b in ranges):  # one heap: the same k, another order
        for v, j in zip(hv, hi):
            _push(vals, idx, k, v, j)
    return vals, idx


def _merge_block(D: np.ndarray, t0: int, best_v: np.ndarray, best_i: np.ndarray, eq: np.ndarray, k: int) -> None:
    """Fold ``D`` (raw squared distances to training rows t0...) into each row's k nearest so far (``best_v``,
    ``best_i``; +inf, -1 while unfilled) and ``eq``, how many points seen are at the k-th distance."""
    nq, tb = D.shape
    old_t = best_v.max(axis=1)
    bound = old_t
    stride = tb // max(8 * k, min(tb // 8, 2048))
    if stride > 1:  # the k-th nearest of every stride-th point bounds the block's k-th nearest
        sample = np.partition(D[:, ::stride], k - 1, axis=1)[:, k - 1]
        bound = np.minimum(bound, np.maximum(sample, 0.0))
    mask = D <= bound[:, None]
    counts = np.count_nonzero(mask, axis=1)
    step = max(1, max(tb, nq * tb // 8) // (k + int(counts.max())))  # rows whose padded candidates fit
    for r0 in range(0, nq, step):
        r1 = min(nq, r0 + step)
        flat, cnt, rows = np.flatnonzero(mask[r0:r1]), counts[r0:r1], np.arange(r1 - r0)
        pv = np.full((r1 - r0, k + cnt.max()), np.inf)
        pi = np.full(pv.shape, -1, dtype=np.intp)
        pv[:, :k], pi[:, :k] = best_v[r0:r1], best_i[r0:r1]
        at = np.arange(flat.size) + np.repeat(rows * pv.shape[1] + k - (np.cumsum(cnt) - cnt), cnt)  # row-major
        pv.reshape(-1)[at] = np.maximum(D[r0:r1].reshape(-1)[flat], 0.0)
        pi.reshape(-1)[at] = flat - np.repeat(rows * tb - t0, cnt)
        sel = np.argpartition(pv, k - 1, axis=1)[:, :k]
        nv = np.take_along_axis(pv, sel, axis=1)
        new_t = nv.max(axis=1)[:, None]
        eq[r0:r1] = np.where(new_t[:, 0] == old_t[r0:r1], eq[r0:r1], np.count_nonzero(best_v[r0:r1] == new_t, axis=1))
        eq[r0:r1] += np.count_nonzero(pv[:, k:] == new_t, axis=1)
        best_v[r0:r1], best_i[r0:r1] = nv, np.take_along_axis(pi, sel, axis=1)


class KNeighborsClassifier:
    """Vote of the ``n_neighbors`` nearest training points: scikit-learn's ``KNeighborsClassifier(n_neighbors,
    algorithm="brute")`` (uniform weights). ``fit(X, y)``: X (n, d) array-like or Tensor (kept as a float64 copy),
    y labels of any sortable kind, kept as sorted ``classes_``; ``predict``; ``predict_proba`` (n, n_classes) in
    ``classes_`` order; ``score`` (mean accuracy); ``kneighbors(X, n_neighbors=None, return_distance=True)``
    (float64 distances, indices; nearest first, equal distances by index). Ties go as in scikit-learn (see the
    module): of the points at the k-th distance the ones it keeps, which may depend on its OpenMP thread count
    ``tie_threads`` (None: ``sklearn_threads()``); in the vote the smallest label among the most frequent."""

    def __init__(self, n_neighbors: int = 5, *, tie_threads: int | None = None) -> None:
        self.n_neighbors, self.tie_threads = n_neighbors, tie_threads

    def get_params(self, deep: bool = True) -> dict:
        return {"n_neighbors": self.n_neighbors, "tie_threads": self.tie_threads}

    def set_params(self, **params) -> "KNeighborsClassifier":
        if set(params) - {"n_neighbors", "tie_threads"}:
            raise ValueError(f"KNeighborsClassifier has parameters n_neighbors and tie_threads, not {sorted(params)}")
        self.__dict__.update(params)
        return self

    def fit(self, X, y) -> "KNeighborsClassifier":
        _check_k(self.n_neighbors, "fit")
        A = _numeric(X, "fit")
        labels = _labels(y, "fit", len(A))
        self.classes_, inverse = np.unique(labels, return_inverse=True)
        self._y, self._fit_dtype = inverse.reshape(-1), A.dtype
        self._fit_X = np.array(A, dtype=np.float64, order="C", copy=True)
        self._norms = {heaps: _row_norms(self._fit_X, heaps) for heaps in (True, False)}
        self.n_features_in_, self.n_samples_fit_ = A.shape[1], A.shape[0]
        return self

    def _block(self, D: np.ndarray, Xm2: np.ndarray, xn: np.ndarray, a: int, heaps: bool, grid=None):
        """D <- (‖x‖² + (-2x)·y) + ‖y‖² of queries ``grid`` = (first, of all) by training rows a..., as sklearn."""
        if len(Xm2) == 1:  # NumPy makes a one-row product a GEMV, summed another way
            return self._block(np.empty((2, D.shape[1])), Xm2[[0, 0]], xn[[0, 0]], a, heaps, grid)[:1]
        Y, norms, d = self._fit_X, self._norms[heaps], self.n_features_in_
        runs = _k_blocks(d, heaps)
        tmp = np.empty(len(Xm2) * min(_TILE, D.shape[1])) if len(runs) > 1 else None
        for j in range(0, D.shape[1], _TILE):
            Dt = D[:, j:j + _TILE]
            Yt = Y[a + j:a + j + Dt.shape[1]]
            for f0, f1 in runs:
                T = Dt if f0 == 0 else tmp[:Dt.size].reshape(Dt.shape)
                np.matmul(Xm2[:, f0:f1], Yt[:, f0:f1].T, out=T)
                if f0:
                    Dt += T
            Dt += xn[:, None]
            Dt += norms[a + j:a + j + Dt.shape[1]]
        if heaps and grid and _OPENBLAS is not None and _OPENBLAS[2] and d >= 32:  # scikit-learn's products (256 x
            (q0, nQ), nY = grid, self.n_samples_fit_  # 256 tiles) that OpenBLAS gives its small-matrix kernel
            mx, my = min(nQ, _SK_CHUNK), min(nY, _SK_CHUNK)
            for g in range(q0 - q0 % mx, min(q0 + len(Xm2), nQ), mx):
                lo, hi = max(g, q0) - q0, min(g + mx, q0 + len(Xm2)) - q0
                for y0 in range(a + (-a) % my, a + D.shape[1], my):
                    m = min(my, nY - y0)
                    if min(mx, nQ - g) * m <= min(1200, 1e6 / d) and y0 + m <= a + D.shape[1]:
                        part = (Xm2[lo:hi] if hi - lo > 1 else Xm2[[lo, lo]]) @ Y[y0:y0 + m].T
                        D[lo:hi, y0 - a:y0 - a + m] = (part[:hi - lo] + xn[lo:hi, None]) + norms[y0:y0 + m]
        return D

    def _search(self, X, k, name: str, votes: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Clipped squared distances and indices of each query's k nearest, nearest first, then by index (for
        ``votes``, a tie among points of one label is left as found: any choice among them votes alike)."""
        if not hasattr(self, "_fit_X"):
            raise NotFittedError(f"KNeighborsClassifier.{name}() called before fit(): call fit(X, y) first")
        A, k, n = _numeric(X, name), _check_k(k, name), self.n_samples_fit_
        if A.shape[1] != self.n_features_in_:
            raise ValueError(f"KNeighborsClassifier.{name}: X has shape {A.shape}, but the training X had shape "
                             f"{self._fit_X.shape}: expected (n_samples, {self.n_features_in_})")
        if k > n:
            raise ValueError(f"KNeighborsClassifier.{name}: expected n_neighbors <= n_samples_fit, but "
                             f"n_neighbors = {k}, n_samples_fit = {n}, n_samples = {A.shape[0]}")
        heaps = A.dtype == self._fit_dtype and A.dtype in (np.float32, np.float64)
        threads = sklearn_threads() if self.tie_threads is None else int(self.tie_threads)
        ranges, (rows, cols) = _heap_ranges(n, len(A), threads) if heaps else None, chunk_shape(n, A.shape[1])
        dist, ind = np.empty((len(A), k)), np.empty((len(A), k), dtype=np.intp)
        buf = np.empty((min(rows, len(A)), cols))
        for q0 in range(0, len(A), rows):
            Xq = np.ascontiguousarray(A[q0:q0 + rows], dtype=np.float64)
            xn = _row_norms(Xq, heaps and not np.array_equal(Xq, np.round(Xq)))  # integers: exact either way
            Xm2, nq = -2.0 * Xq, len(Xq)
            best_v, best_i, eq = np.full((nq, k), np.inf), np.full((nq, k), -1, dtype=np.intp), np.zeros(nq, int)
            for t0 in range(0, n, cols):
                D = self._block(buf[:nq, :min(cols, n - t0)], Xm2, xn, t0, heaps, (q0, len(A)))
                _merge_block(D, t0, best_v, best_i, eq, k)
            kth = best_v.max(axis=1)
            for i in np.flatnonzero(np.count_nonzero(best_v < kth[:, None], axis=1) + eq > k):
                row = D[i] if cols >= n else np.concatenate([self._block(  # two rows: a GEMM, not a GEMV
                    np.empty((2, min(cols, n - t))), Xm2[[i, i]], xn[[i, i]], t, heaps)[0] for t in range(0, n, cols)])
                row = np.maximum(row, 0.0)
                if not votes or np.ptp(self._y[row == kth[i]]) > 0:
                    best_v[i], best_i[i] = _sklearn_choice(row, k, ranges)
            order = np.lexsort((best_i, best_v), axis=1)  # a stable sort: by distance, then by index
            dist[q0:q0 + nq] = np.take_along_axis(best_v, order, 1)
            ind[q0:q0 + nq] = np.take_along_axis(best_i, order, 1)
        return dist, ind

    def kneighbors(self, X, n_neighbors: int | None = None, return_distance: bool = True):
        """``(distances, indices)`` (n, n_neighbors) of the nearest training points, nearest first, equal distances
        by index; the indices alone if not ``return_distance``."""
        sq, ind = self._search(X, self.n_neighbors if n_neighbors is None else n_neighbors, "kneighbors")
        return (np.sqrt(sq), ind) if return_distance else ind

    def _votes(self, X, name: str) -> np.ndarray:
        ind, c = self._search(X, self.n_neighbors, name, votes=True)[1], len(self.classes_)
        flat = self._y[ind] + c * np.arange(len(ind))[:, None]
        return np.bincount(flat.ravel(), minlength=len(ind) * c).reshape(len(ind), c).astype(np.float64)

    def predict_proba(self, X) -> np.ndarray:
        """(n, n_classes): each class's share of the k votes, columns in ``classes_`` order."""
        votes = self._votes(X, "predict_proba")
        return votes / votes.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """The most frequent label among the k nearest; among equally frequent ones the first in ``classes_``."""
        votes = self._votes(X, "predict")
        return self.classes_[np.argmax(votes, axis=1)]

    def score(self, X, y) -> float:
        """Mean accuracy of ``predict(X)`` against the labels ``y``."""
        pred = self.predict(X)
        return float(np.mean(pred == _labels(y, "score", len(pred))))
