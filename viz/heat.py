"""What the graph is coloured by: the gradient that flowed along every edge, recorded by a tracer that ``import viz``
installs, and the colour scale that turns a norm into a colour.

The tracer (``Recorder``) watches every op the engine records and every backward step:

- forward: a summary of each op's output (the value itself when it has at most ``SMALL`` elements, else its norm,
  min and max), so a node can show its value after the arrays were freed;
- backward: the L2 norm (and min, max) of each node's complete gradient, and the norm of every contribution an op
  sent to each of its inputs (the gradient that flowed along that edge).

It keeps numbers only, never the arrays (``keeps_arrays = False``: a plain ``backward()`` still adopts fresh
gradient arrays as ``.grad``), in weak dictionaries keyed by the engine's nodes, so a record lives exactly as long as
the graph it describes. A second ``backward()`` through the same graph (``retain_graph=True``) replaces the numbers.
``recording(False)`` switches it off (e.g. for a timing run).
"""
from __future__ import annotations

import contextlib
import math
import weakref
from typing import Any, Iterator

import numpy as np

import autograd

SMALL = 16  # outputs with at most this many elements keep their values (a scalar graph shows every number)


def norm(a: Any) -> float:
    """L2 norm of an array (or Tensor) as a Python float, in one pass for float arrays."""
    if type(a) is not np.ndarray:
        a = np.asarray(a.numpy() if isinstance(a, autograd.Tensor) else a)
    kind = a.dtype.kind
    if kind not in "fc":
        a = a.astype(np.float64)
    if a.size == 1:
        return float(abs(a.reshape(())))
    r = a.ravel()
    if kind == "c":
        return float(np.sqrt(np.vdot(r, r).real))
    return math.sqrt(float(np.dot(r, r)))


_NAN = math.nan


class Summary:
    """The numbers a node shows for an array: ``shape``, ``dtype``, ``norm``, ``min``, ``max``, and ``values`` (kept
    for arrays of at most ``SMALL`` elements, as float64). ``min`` / ``max`` are NaN where they were not computed
    (``Summary.of(a, extremes=False)``, the recorder's choice for big arrays: one pass instead of three). Cheap to
    make: it runs for every op while viz is imported."""

    __slots__ = ("shape", "_dtype", "_norm", "_min", "_max", "values")

    def __init__(self, shape: tuple, dtype: Any, norm: float, lo: float, hi: float, values: Any) -> None:
        self.shape, self._dtype, self._norm, self._min, self._max, self.values = shape, dtype, norm, lo, hi, values

    @classmethod
    def of(cls, a: Any, extremes: bool = True) -> "Summary":
        if type(a) is not np.ndarray:
            a = np.asarray(a.numpy() if isinstance(a, autograd.Tensor) else a)
        size = a.size
        if size == 0 or a.dtype.kind not in "biuf":
            return cls(a.shape, a.dtype, 0.0 if size == 0 else _NAN, _NAN, _NAN, None)
        if size <= SMALL:  # norm, min and max computed from the values when asked
            return cls(a.shape, a.dtype, -1.0, _NAN, _NAN, a.astype(np.float64))
        if not extremes:
            return cls(a.shape, a.dtype, norm(a), _NAN, _NAN, None)
        return cls(a.shape, a.dtype, norm(a), float(a.min()), float(a.max()), None)

    @property
    def dtype(self) -> str:
        return str(self._dtype)

    def _small_stats(self) -> None:
        """norm, min and max of a small array in plain Python (cheaper than three NumPy reductions on it)."""
        v = self.values.ravel().tolist()
        self._norm = math.sqrt(sum(x * x for x in v))
        self._min, self._max = min(v), max(v)

    @property
    def norm(self) -> float:
        if self._norm < 0:
            self._small_stats()
        return self._norm

    @property
    def min(self) -> float:
        if self._norm < 0:
            self._small_stats()
        return self._min

    @property
    def max(self) -> float:
        if self._norm < 0:
            self._small_stats()
        return self._max


class Recorder(autograd.Tracer):
    """The tracer behind gradient heat and node values (one is installed on ``import viz``)."""

    keeps_arrays = False

    def __init__(self) -> None:
        self.values: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> Summary of its output
        self.grads: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # node -> Summary of its gradient
        self.sent: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()    # node -> norms sent to each parent
        self.arrays: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # node -> weakref to a big output
        self.enabled = True

    def on_forward(self, node: Any, out: Any) -> None:
        if self.enabled:
            self.values[node] = Summary.of(out, extremes=False)
            if type(out) is np.ndarray and out.size > SMALL:
                self.arrays[node] = weakref.ref(out)  # min / max computed when drawn, if the array still lives

    def on_backward(self, node: Any, grad: Any) -> None:
        if self.enabled and not node.is_leaf:  # a leaf's gradient is its .grad, summarised when drawn
            self.grads[node] = Summary.of(grad, extremes=False)

    def on_step(self, node: Any, grad: Any, out: Any, inputs: tuple, grads_in: tuple) -> None:
        if not self.enabled:
            return
        gsum = self.grads.get(node)
        norms = []
        for gi in grads_in:
            if gi is None:
                norms.append(None)
            elif gi is grad and gsum is not None:
                norms.append(gsum.norm)
            else:
                norms.append(norm(gi))
        self.sent[node] = tuple(norms)

    # ---- reading -----------------------------------------------------------------------------
    def value(self, node: Any) -> Summary | None:
        """The summary of ``node``'s output: a leaf's from its tensor, an op's as recorded in forward."""
        if node.is_leaf:
            t = node.ref()
            return None if t is None else Summary.of(t)
        s = self.values.get(node)
        if s is not None and math.isnan(s.min):
            ref = self.arrays.get(node)
            a = ref() if ref is not None else None
            if a is not None and a.shape == s.shape:
                s = self.values[node] = Summary.of(a)
        return s

    def grad(self, node: Any) -> Summary | None:
        """The summary of ``node``'s gradient in the latest backward (a leaf's ``.grad`` if it has one)."""
        if node.is_leaf:
            t = node.ref()
            return None if t is None or t.grad is None else Summary.of(t.grad)
        return self.grads.get(node)

    def edge_norm(self, child: Any, index: int) -> float | None:
        """Norm of the gradient op ``child`` sent to its input ``index`` in the latest backward (None: none)."""
        sent = self.sent.get(child)
        if sent is None or index >= len(sent):
            return None
        return sent[index]


RECORDER = Recorder()


def install() -> autograd.TracerHandle:
    """Put the recorder on the engine (idempotent): every later forward and backward is recorded."""
    return autograd.attach_tracer(RECORDER)


@contextlib.contextmanager
def recording(enabled: bool = True) -> Iterator[Recorder]:
    """Switch the heat / value recorder on or off inside a block (it is on by default once viz is imported)."""
    prev = RECORDER.enabled
    RECORDER.enabled = enabled
    try:
        yield RECORDER
    finally:
        RECORDER.enabled = prev


# ---- the colour scale --------------------------------------------------------------------------
# Anchors of a perceptually uniform dark-to-bright map (viridis' published anchor colours, CC0): lightness rises
# monotonically, so a larger gradient is never drawn in a darker (colder) colour, and it reads in grey print.
STOPS = ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b",
         "#fde725")
NO_GRAD = "#d9d9d9"  # no gradient flowed (constants, labels): light grey, and the edge thin


def _rgb(h: str) -> tuple[int, int, int]:
    return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


_RGB = [_rgb(s) for s in STOPS]


class HeatScale:
    """Maps a gradient norm to a colour on a log scale between ``lo`` and ``hi`` (the smallest and largest non-zero
    norms drawn). A zero norm gets the coldest colour; None (no gradient at all) gets ``NO_GRAD``."""

    def __init__(self, norms: list[float]) -> None:
        pos = [n for n in norms if n is not None and n > 0 and math.isfinite(n)]
        self.empty = not pos  # no gradient anywhere (drawn before backward): no colour bar
        self.lo = min(pos) if pos else 1.0
        self.hi = max(pos) if pos else 1.0
        self._llo, self._lhi = math.log10(self.lo), math.log10(self.hi)

    def position(self, n: float | None) -> float | None:
        """Where ``n`` sits on the scale, 0 (coldest) to 1 (hottest); None for no gradient."""
        if n is None or (isinstance(n, float) and math.isnan(n)):
            return None
        if n <= 0:
            return 0.0
        if not math.isfinite(n):
            return 1.0
        if self._lhi <= self._llo:
            return 1.0
        return min(1.0, max(0.0, (math.log10(n) - self._llo) / (self._lhi - self._llo)))

    def color(self, n: float | None) -> str | None:
        """``#rrggbb`` for norm ``n`` (None when no gradient flowed)."""
        t = self.position(n)
        return None if t is None else TABLE[round(t * (len(TABLE) - 1))]

    def width(self, n: float | None) -> float:
        """Edge pen width: 0.6 with no gradient, 1.2 to 4 from cold to hot."""
        t = self.position(n)
        return 0.6 if t is None else round(1.2 + 2.8 * t, 2)

    def to_dict(self) -> dict[str, Any]:
        return {"lo": self.lo, "hi": self.hi, "stops": list(STOPS), "label": "‖∂L/∂x‖ (log scale)"}


def _table(n: int = 256) -> list[str]:
    """``n`` colours interpolated between the stops; an entry darker than the one before is replaced by it, so the
    scale is monotone in luminance by construction (linear interpolation in sRGB can dip between two stops)."""
    out: list[str] = []
    for k in range(n):
        x = k / (n - 1) * (len(_RGB) - 1)
        i = min(int(x), len(_RGB) - 2)
        f = x - i
        a, b = _RGB[i], _RGB[i + 1]
        c = "#%02x%02x%02x" % tuple(round(a[j] + (b[j] - a[j]) * f) for j in range(3))
        if out and luminance(c) < luminance(out[-1]):
            c = out[-1]
        out.append(c)
    return out


def luminance(color: str) -> float:
    """Relative luminance of ``#rrggbb`` (tests check the scale is monotone in it)."""
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = _rgb(color)
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


TABLE = _table()
