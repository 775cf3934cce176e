"""Generated 2-D classification sets, seeded: ``make_blobs``, ``make_xor``, ``make_moons``, ``make_circles``,
``make_spirals``; the VC-capacity point sets ``vc_points(3)`` and ``vc_points(4)``; and ``linearly_separable``,
an exact test of whether a line separates two labelled point sets in the plane.

Every ``make_*`` returns ``(X, y)``: ``X`` float32 of shape ``(n, 2)``, ``y`` int64 of shape ``(n,)`` with classes
``0 .. k-1`` whose sizes differ by at most one, in a shuffled order. The same ``seed`` gives the same arrays;
``noise`` is the standard deviation of isotropic Gaussian noise added to each point. ``as_tensors=True`` returns
``autograd.Tensor``s instead of NumPy arrays.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .split import _output

__all__ = ["make_blobs", "make_xor", "make_moons", "make_circles", "make_spirals", "vc_points", "VCPoints",
           "linearly_separable"]


def _check(n: int, classes: int, noise: float, fn: str, what: str = "noise") -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < max(classes, 1):
        raise ValueError(f"{fn}: n must be an int of at least {max(classes, 1)} (one point per class), got {n!r}")
    if not noise >= 0:
        raise ValueError(f"{fn}: {what} (a standard deviation) must be >= 0, got {noise!r}")


def _sizes(n: int, k: int) -> list[int]:
    """``n`` split into ``k`` parts differing by at most one (the first ``n % k`` parts get the extra point)."""
    return [n // k + (i < n % k) for i in range(k)]


def _finish(parts: list[np.ndarray], noise: float, rng: np.random.Generator, as_tensors: bool):
    """Stack per-class point arrays, add the noise, shuffle; float32 X and int64 y."""
    X = np.concatenate(parts).astype(np.float64)
    y = np.concatenate([np.full(len(p), c, dtype=np.int64) for c, p in enumerate(parts)])
    if noise:
        X = X + rng.normal(0.0, noise, size=X.shape)
    order = rng.permutation(len(y))
    return _output(X[order].astype(np.float32), y[order], as_tensors)


def make_blobs(n: int = 200, centers: int | np.ndarray = 2, std: float = 0.5, seed: int = 0, *,
               as_tensors: bool = False):
    """``centers`` Gaussian clusters of standard deviation ``std``, truncated at ``3 * std`` (a draw farther
    from its centre is drawn again, so every point lies within ``3 * std`` of its centre).

    ``centers`` as an int ``k`` puts the centres evenly on a circle of radius ``4 / (1 - cos(2 pi / k))`` (2 for
    ``k = 2``), starting at 45 degrees, so each cluster is cut off from all the others by a line whenever
    ``std < 2/3``: with the default ``std=0.5`` the set is linearly separable (class against rest). An array of
    shape ``(k, 2)`` gives the centres themselves (no such promise)."""
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, bool):
        k = int(centers)
        if k < 1:
            raise ValueError(f"make_blobs: centers must be at least 1, got {k}")
        radius = 0.0 if k == 1 else 4.0 / (1.0 - np.cos(2 * np.pi / k))
        angle = np.pi / 4 + 2 * np.pi * np.arange(k) / k
        C = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    else:
        C = np.asarray(centers, dtype=np.float64)
        if C.ndim != 2 or C.shape[1] != 2 or len(C) < 1:
            raise ValueError(f"make_blobs: centers must be an int or an array of shape (k, 2), got shape {C.shape}")
        k = len(C)
    _check(n, k, std, "make_blobs", "std")
    rng = np.random.default_rng(seed)
    parts = []
    for c, m in zip(C, _sizes(n, k)):
        z = rng.normal(0.0, std, size=(m, 2))
        far = np.flatnonzero(np.hypot(z[:, 0], z[:, 1]) > 3 * std)
        while far.size:  # truncate: redraw the ~1% of points beyond 3 std
            z[far] = rng.normal(0.0, std, size=(far.size, 2))
            far = far[np.hypot(z[far, 0], z[far, 1]) > 3 * std]
        parts.append(c + z)
    return _finish(parts, 0.0, rng, as_tensors)


def make_xor(n: int = 200, noise: float = 0.2, seed: int = 0, *, as_tensors: bool = False):
    """Four clusters at the corners ``(+-1, +-1)``; class 1 where the corner's coordinates differ in sign
    (``(-1, 1)`` and ``(1, -1)``), class 0 at ``(-1, -1)`` and ``(1, 1)``: no line separates the classes."""
    _check(n, 2, noise, "make_xor")
    rng = np.random.default_rng(seed)
    corners = [(-1, -1), (-1, 1), (1, 1), (1, -1)]  # classes 0, 1, 0, 1: leftover points alternate between them
    pts = [np.tile(np.asarray(c, dtype=np.float64), (m, 1)) for c, m in zip(corners, _sizes(n, 4))]
    return _finish([np.concatenate(pts[0::2]), np.concatenate(pts[1::2])], noise, rng, as_tensors)


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0, *, as_tensors: bool = False):
    """Two interleaved half circles of radius 1: class 0 the upper arc centred at ``(0, 0)``, class 1 the lower
    arc centred at ``(1, 0.5)``."""
    _check(n, 2, noise, "make_moons")
    rng = np.random.default_rng(seed)
    n0, n1 = _sizes(n, 2)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    return _finish([upper, lower], noise, rng, as_tensors)


def make_circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0, *,
                 as_tensors: bool = False):
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (in (0, 1))."""
    _check(n, 2, noise, "make_circles")
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor (the inner radius) must lie in (0, 1), got {factor!r}")
    rng = np.random.default_rng(seed)
    parts = []
    for radius, m in zip((1.0, factor), _sizes(n, 2)):
        t = np.linspace(0, 2 * np.pi, m, endpoint=False)
        parts.append(radius * np.stack([np.cos(t), np.sin(t)], axis=1))
    return _finish(parts, noise, rng, as_tensors)


def make_spirals(n: int = 200, classes: int = 2, noise: float = 0.05, seed: int = 0, *, turns: float = 1.5,
                 as_tensors: bool = False):
    """``classes`` interleaved spiral arms, each turning ``turns`` times while its radius grows from 0.15 to 1;
    arm ``j`` starts at angle ``2 pi j / classes``."""
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 1:
        raise ValueError(f"make_spirals: classes must be an int >= 1, got {classes!r}")
    _check(n, classes, noise, "make_spirals")
    rng = np.random.default_rng(seed)
    parts = []
    for j, m in enumerate(_sizes(n, classes)):
        t = np.linspace(0, 1, m)
        r, theta = 0.15 + 0.85 * t, 2 * np.pi * (j / classes + turns * t)
        parts.append(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))
    return _finish(parts, noise, rng, as_tensors)


# ---- VC capacity ----------------------------------------------------------------------------
def _cross(u: np.ndarray, v: np.ndarray) -> float:
    return float(u[0] * v[1] - u[1] * v[0])


def _hull(P: np.ndarray) -> np.ndarray:
    """The convex hull's vertices of the points ``P`` (Andrew's monotone chain); the extreme points are all
    that a linear function's max and min over ``P`` depend on."""
    P = np.unique(P, axis=0)
    if len(P) <= 2:
        return P

    def half(points):
        out: list = []
        for p in points:
            while len(out) >= 2 and _cross(out[-1] - out[-2], p - out[-2]) <= 0:
                out.pop()
            out.append(p)
        return out[:-1]
    return np.array(half(P) + half(P[::-1]))


def linearly_separable(X, y) -> bool:
    """Whether a line strictly separates the points of ``X`` (shape ``(n, 2)``) labelled with the (at most two)
    values in ``y``. Exact, with no LP and no iteration bound.

    Two finite sets ``A`` and ``B`` are separable iff some direction ``w`` has ``max w.a < min w.b``. As ``w``
    turns, the order of ``w.a`` and ``w.b`` changes only where ``w`` is perpendicular to some ``b - a``, so the
    answer is constant on each arc between consecutive such critical directions: testing one direction inside
    every arc decides it. Only the convex hulls' vertices matter, which keeps the pairs few."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"linearly_separable: expected X of shape (n, 2) and y of shape (n,), got {X.shape} and "
                         f"{y.shape}")
    labels = np.unique(y)
    if len(labels) > 2:
        raise ValueError(f"linearly_separable: expected at most two labels, got {len(labels)}")
    if len(labels) < 2:
        return True
    A, B = _hull(X[y == labels[0]]), _hull(X[y == labels[1]])
    D = (B[:, None, :] - A[None, :, :]).reshape(-1, 2)
    if not np.all(np.any(D != 0, axis=1)):
        return False  # a point carries both labels
    base = np.arctan2(D[:, 1], D[:, 0])
    critical = np.unique(np.mod(np.concatenate([base + np.pi / 2, base - np.pi / 2]), 2 * np.pi))
    gaps = np.diff(np.append(critical, critical[0] + 2 * np.pi))
    mid = critical + gaps / 2
    W = np.stack([np.cos(mid), np.sin(mid)])
    return bool(np.any((A @ W).max(axis=0) < (B @ W).min(axis=0)))


class VCPoints(NamedTuple):
    """``points`` (n, 2) float32; ``labellings`` (2**n, n) int64, row ``i`` the binary digits of ``i`` (the first
    point's label is the most significant); ``separable`` (2**n,) bool, whether a line realizes that row."""
    points: np.ndarray
    labellings: np.ndarray
    separable: np.ndarray

    @property
    def non_separable(self) -> np.ndarray:
        """The labellings no line realizes."""
        return self.labellings[~self.separable]


def vc_points(n: int) -> VCPoints:
    """The lecture's capacity example for lines in the plane (VC dimension 3).

    ``vc_points(3)``: three points in general position, ``(0, 0), (1, 0), (0, 1)``; all 8 labellings are
    separable (a line shatters them). ``vc_points(4)``: the unit square's corners ``(0, 0), (0, 1), (1, 0),
    (1, 1)`` (XOR's truth table); 14 of the 16 labellings are separable, XOR's ``[0, 1, 1, 0]`` and its
    complement ``[1, 0, 0, 1]`` are not. Separability is decided by ``linearly_separable``."""
    table = {3: [(0, 0), (1, 0), (0, 1)], 4: [(0, 0), (0, 1), (1, 0), (1, 1)]}
    if n not in table:
        raise ValueError(f"vc_points: n must be 3 (shattered by a line) or 4 (XOR, not shattered), got {n!r}")
    points = np.asarray(table[n], dtype=np.float32)
    labellings = (np.arange(2 ** n)[:, None] >> np.arange(n - 1, -1, -1)[None, :]) & 1
    separable = np.array([linearly_separable(points, row) for row in labellings])
    return VCPoints(points, labellings.astype(np.int64), separable)
