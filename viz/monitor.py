"""``GradientMonitor``: per-layer gradient flow over training, recorded through public hooks only.

Layers are the modules that own parameters (a ``Linear``, a ``Conv2d``) and, with ``activations=True``, the
activation modules (``nn.activation``'s classes), in network order (the order of their first call). Every ``every``
steps a record is taken:

- per parameter layer: ‖g‖₂, mean |g|, max |g| over its parameters, ‖w‖₂ and the update ratio ‖Δw‖/‖w‖. Given the
  optimizer, gradients are read in its step pre-hook, i.e. after any clipping: the gradient actually applied, and Δw
  from the weights before and after the step. Without it they are read from tensor hooks on the parameters (this
  backward's gradient) and Δw is the change since the previous record;
- per layer, the backward signal ‖∂L/∂output‖ and the **gain** ‖∂L/∂input‖ / ‖∂L/∂output‖: how much this layer
  shrinks or grows the signal. The input's gradient is taken on a view the forward pre-hook puts in front of the
  module, so it is the gradient that went through this module only (a skip connection's share is not counted);
- per activation layer: the output's mean and std, the fraction of dead units for the ReLU family (a unit is dead
  when it is 0 for every example in the batch) and of saturated units for sigmoid (σ outside [0.02, 0.98]) and tanh
  (|tanh| > 0.97).

``history`` is plain data (see ``viz.monitor_plots`` for its format); memory is bounded by down-sampling: beyond
``max_records`` records every other one is dropped and ``every`` doubles, so a long run keeps its whole span at a
coarser resolution. ``save`` / ``load`` round-trip it through JSON; a loaded monitor plots and diagnoses the same.
"""
from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

import nn
from autograd import Tensor, is_grad_enabled

from . import monitor_plots as _plots
from .monitor_io import read_history, write_history

STATS = ("grad_norm", "grad_mean_abs", "grad_max_abs", "weight_norm", "update_ratio", "gain", "signal_norm",
         "dead_frac", "saturated_frac", "out_mean", "out_std")
THRESHOLDS = {"tanh_saturated": 0.97, "sigmoid_low": 0.02, "sigmoid_high": 0.98}
_RELU = ("ReLU", "LeakyReLU", "ReLU6", "PReLU")


def _activation_classes() -> tuple[type, ...]:
    from nn import activation
    return tuple(getattr(activation, n) for n in activation.__all__ if isinstance(getattr(activation, n), type))


def _sq(a: np.ndarray) -> float:
    r = a.ravel()
    return float(np.dot(r, r)) if a.dtype.kind == "f" else float(np.sum(np.square(r, dtype=np.float64)))


class GradientMonitor:
    """Record per-layer gradient statistics over training; ``.detach()`` removes every hook it added."""

    def __init__(self, model: Any = None, optimizer: Any = None, *, every: int = 1, activations: bool = True,
                 max_records: int = 2000) -> None:
        if every < 1 or int(every) != every:
            raise ValueError(f"GradientMonitor: every must be a positive integer, got {every!r}")
        if max_records < 4:
            raise ValueError(f"GradientMonitor: max_records must be at least 4, got {max_records}")
        self.every, self.activations, self.max_records = int(every), activations, max_records
        self.model, self.optimizer = model, optimizer
        self._handles: list[Any] = []
        self._layers: dict[str, dict[str, Any]] = {}   # name -> {"kind", "role", "module", "params"}
        self._order: list[str] = []                     # names in the order of their first call
        self._steps: list[int] = []
        self._stats: dict[str, list[list[float | None]]] = {s: [] for s in STATS}
        self._layout: list[str] | None = None           # the record's layer order, fixed at the first record
        self._step = 0
        self._scratch: dict[str, dict[str, float]] = {}
        self._pending = False
        self._before: dict[str, list[np.ndarray]] = {}
        self._downsampled = 0
        self._loaded: dict[str, Any] = {}
        self._bufs: dict[Any, np.ndarray] = {}
        if model is not None:
            self._attach(model, optimizer)

    # ---- attaching -------------------------------------------------------------------------
    def _attach(self, model: Any, optimizer: Any) -> None:
        if not isinstance(model, nn.Module):
            raise TypeError(f"GradientMonitor: model must be an nn.Module, got {type(model).__name__}")
        acts = _activation_classes()
        for name, m in model.named_modules():
            own = [(k, p) for k, p in m._parameters.items() if p is not None and p.requires_grad]
            role = "param" if own else ("activation" if self.activations and isinstance(m, acts) else None)
            if role is not None:
                self._layers[name or type(m).__name__] = {"kind": type(m).__name__, "role": role, "module": m,
                                                           "params": own}
        if not any(info["role"] == "param" for info in self._layers.values()):
            raise ValueError("GradientMonitor: the model has no module with parameters to monitor")
        for name, info in self._layers.items():  # hooks only once the model is known to be monitorable
            m = info["module"]
            self._handles.append(m.register_forward_pre_hook(self._pre_hook(name)))
            self._handles.append(m.register_forward_hook(self._post_hook(name)))
            if optimizer is None:
                for _, p in info["params"]:
                    self._handles.append(p.register_hook(self._param_hook(name)))
        self._handles.append(model.register_forward_pre_hook(lambda mod, args: self._finish_pending()))
        if optimizer is not None:
            self._handles.append(optimizer.register_step_pre_hook(lambda o, a, k: self._before_step()))
            self._handles.append(optimizer.register_step_post_hook(lambda o, a, k: self._after_step()))

    def detach(self) -> None:
        """Remove every hook this monitor added (the model then runs exactly as before); the history stays."""
        self._finish_pending()
        for h in self._handles:
            h.remove()
        self._handles.clear()

    def __enter__(self) -> "GradientMonitor":
        return self

    def __exit__(self, *exc: object) -> None:
        self.detach()

    @property
    def recording(self) -> bool:
        """Is the current step one that is recorded?"""
        return self._step % self.every == 0

    def _acc(self, name: str, key: str, value: float) -> None:
        d = self._scratch.setdefault(name, {})
        d[key] = d.get(key, 0.0) + value

    # ---- hooks -----------------------------------------------------------------------------
    def _pre_hook(self, name: str) -> Any:
        def hook(module: Any, args: tuple) -> Any:
            if name not in self._order:
                self._order.append(name)
            if not (self.recording and is_grad_enabled() and args and isinstance(args[0], Tensor)
                    and args[0].requires_grad):
                return None
            view = args[0].reshape(args[0].shape)  # the gradient reaching it went through this module only
            view.register_hook(lambda g: self._acc(name, "in_sq", _sq(g.numpy())))
            return (view, *args[1:])
        return hook

    def _post_hook(self, name: str) -> Any:
        info = self._layers[name]

        def hook(module: Any, args: tuple, out: Any) -> None:
            if not self.recording or not isinstance(out, Tensor):
                return
            if out.requires_grad and is_grad_enabled():
                out.register_hook(lambda g: self._acc(name, "out_sq", _sq(g.numpy())))
            if info["role"] == "activation" and is_grad_enabled():  # not validation passes under no_grad
                self._activation_stats(name, info["kind"], out.numpy())
        return hook

    def _activation_stats(self, name: str, kind: str, a: np.ndarray) -> None:
        if a.dtype.kind != "f" or a.size == 0:
            return
        self._acc(name, "calls", 1.0)
        mean = float(a.mean())
        self._acc(name, "out_mean", mean)
        self._acc(name, "out_std", math.sqrt(max(_sq(a) / a.size - mean * mean, 0.0)))  # one pass, no temporary
        if kind in _RELU:
            flat = a.reshape(a.shape[0], -1) if a.ndim > 1 else a.reshape(1, -1)
            self._acc(name, "dead_frac", float((flat <= 0).all(axis=0).mean()))
        elif kind == "Sigmoid":
            t = THRESHOLDS
            self._acc(name, "saturated_frac", float(((a < t["sigmoid_low"]) | (a > t["sigmoid_high"])).mean()))
        elif kind == "Tanh":
            self._acc(name, "saturated_frac", float((np.abs(a) > THRESHOLDS["tanh_saturated"]).mean()))

    def _param_hook(self, name: str) -> Any:
        def hook(g: Tensor) -> None:
            self._pending = True  # a backward ran: the step ends when the next forward starts
            if self.recording:
                self._grad_stats(name, g.numpy())
        return hook

    def _buffer(self, key: Any, like: np.ndarray) -> np.ndarray:
        """A scratch array shaped like ``like``, kept between steps (no allocation, no page faults, per step)."""
        b = self._bufs.get(key)
        if b is None or b.shape != like.shape or b.dtype != like.dtype:
            b = self._bufs[key] = np.empty_like(like)
        return b

    def _grad_stats(self, name: str, g: np.ndarray) -> None:
        d = self._scratch.setdefault(name, {})
        d["g_sq"] = d.get("g_sq", 0.0) + _sq(g)
        d["g_n"] = d.get("g_n", 0.0) + g.size
        if g.size:
            a = np.abs(g, out=self._buffer(("abs", g.shape, g.dtype), g)) if g.dtype.kind == "f" else np.abs(g)
            d["g_abs"] = d.get("g_abs", 0.0) + float(a.sum())  # one |g| for both the mean and the max
            d["g_max"] = max(d.get("g_max", 0.0), float(a.max()))

    def _snapshot(self, name: str) -> None:
        """Copy a layer's weights (into kept buffers) so the next record can measure Δw."""
        saved = []
        for i, (_, p) in enumerate(self._layers[name]["params"]):
            b = self._buffer(("w", name, i), p.numpy())
            np.copyto(b, p.numpy())
            saved.append(b)
        self._before[name] = saved

    def _before_step(self) -> None:
        if not self.recording:
            return
        for name, info in self._layers.items():
            for _, p in info["params"]:
                if p.grad is not None:
                    self._grad_stats(name, p.grad.numpy())
            if info["role"] == "param":
                self._snapshot(name)

    def _after_step(self) -> None:
        if self.recording:
            self._record(self._step)
        self._step += 1

    def _finish_pending(self) -> None:
        """Without an optimizer a step ends when the next forward starts (or when the history is read)."""
        if self.optimizer is None and self._pending:
            self._pending = False
            if self.recording:
                self._record(self._step)
            self._scratch.clear()
            self._step += 1
        elif self.optimizer is None and self._scratch and not self._pending:
            self._scratch.clear()

    # ---- records ---------------------------------------------------------------------------
    def _record(self, step: int) -> None:
        if self._layout is None:
            self._layout = [n for n in self._order if n in self._layers] + [
                n for n in self._layers if n not in self._order]
        row: dict[str, list[float | None]] = {s: [] for s in STATS}
        for name in self._layout:
            d, info = self._scratch.get(name, {}), self._layers[name]
            vals = dict.fromkeys(STATS)
            if info["role"] == "param":
                w_sq = sum(_sq(p.numpy()) for _, p in info["params"])
                vals["weight_norm"] = math.sqrt(w_sq)
                if "g_sq" in d:
                    vals["grad_norm"] = math.sqrt(d["g_sq"])
                    vals["grad_mean_abs"] = d.get("g_abs", 0.0) / max(d["g_n"], 1.0)
                    vals["grad_max_abs"] = d.get("g_max", 0.0)
                before = self._before.get(name)
                if before is not None and w_sq > 0:
                    delta = 0.0
                    for (_, p), b in zip(info["params"], before):
                        np.subtract(p.numpy(), b, out=b)  # b is this monitor's own copy: reuse it for Δw
                        delta += _sq(b)
                    vals["update_ratio"] = math.sqrt(delta / w_sq)  # ‖Δw‖ / ‖w‖ (the weights after the step)
                if self.optimizer is None:
                    self._snapshot(name)
            if "out_sq" in d:
                vals["signal_norm"] = math.sqrt(d["out_sq"])
                if "in_sq" in d and d["out_sq"] > 0:
                    vals["gain"] = math.sqrt(d["in_sq"]) / math.sqrt(d["out_sq"])
            calls = d.get("calls")
            for k in ("out_mean", "out_std", "dead_frac", "saturated_frac"):
                if calls and k in d:
                    vals[k] = d[k] / calls
            for s in STATS:
                row[s].append(vals[s])
        self._steps.append(step)
        for s in STATS:
            self._stats[s].append(row[s])
        self._scratch.clear()
        if self.optimizer is not None:
            self._before.clear()
        if len(self._steps) > self.max_records:
            self._downsample()

    def _downsample(self) -> None:
        keep = slice(0, None, 2)
        self._steps = self._steps[keep]
        for s in STATS:
            self._stats[s] = self._stats[s][keep]
        self.every *= 2
        self._downsampled += 1

    # ---- reading ---------------------------------------------------------------------------
    @property
    def layers(self) -> list[str]:
        """Layer names in network order (the input side first)."""
        return list(self._layout or [n for n in self._order if n in self._layers] or self._layers)

    @property
    def history(self) -> dict[str, Any]:
        """Everything recorded, as plain JSON-able data (``viz.monitor_plots`` documents the format)."""
        self._finish_pending()
        if self.model is None:  # loaded from a file
            return self._loaded
        return {"version": 1, "every": self.every, "downsampled": self._downsampled,
                "layers": [{"name": n, "kind": self._layers[n]["kind"], "role": self._layers[n]["role"]}
                           for n in self.layers],
                "steps": list(self._steps), "stats": {s: [list(r) for r in self._stats[s]] for s in STATS},
                "thresholds": dict(THRESHOLDS)}

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the history as JSON, atomically; NaN and ±inf survive (see ``viz.monitor_io``)."""
        return write_history(self.history, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "GradientMonitor":
        """A monitor holding a saved history: it plots and diagnoses the same (it watches no model)."""
        return cls.from_history(read_history(path))

    @classmethod
    def from_history(cls, history: dict[str, Any]) -> "GradientMonitor":
        if not isinstance(history, dict) or history.get("version") != 1 or "stats" not in history:
            raise ValueError("GradientMonitor.load: not a tracegrad gradient history (version 1 JSON expected)")
        m = cls(None)
        m._loaded = history
        m.every = history.get("every", 1)
        return m

    # ---- pictures and verdicts -------------------------------------------------------------
    def plot_heatmap(self, stat: str = "grad_norm", **kw: Any) -> Any:
        return _plots.plot_heatmap(self.history, stat, **kw)

    def plot_lines(self, stat: str = "grad_norm", **kw: Any) -> Any:
        return _plots.plot_lines(self.history, stat, **kw)

    def plot_bars(self, step: int = -1, **kw: Any) -> Any:
        return _plots.plot_bars(self.history, step, **kw)

    def plot_gain(self, step: int = -1, **kw: Any) -> Any:
        return _plots.plot_gain(self.history, step, **kw)

    def diagnose(self, **thresholds: Any) -> Any:
        """A ``Diagnosis`` of the history (see ``viz.diagnose``)."""
        from .diagnose import diagnose
        return diagnose(self.history, **thresholds)

    def badges(self) -> dict[str, str]:
        """layer name -> the kinds of the findings that name it (``draw_graph(loss, monitor=m)`` shows them)."""
        out: dict[str, list[str]] = {}
        for f in self.diagnose().findings:
            if f.layer:
                out.setdefault(f.layer, [])
                if f.kind not in out[f.layer]:
                    out[f.layer].append(f.kind)
        return {k: "⚠ " + ", ".join(v) for k, v in out.items()}


def compare_monitors(monitors: dict[str, Any], stat: str = "grad_norm", **kw: Any) -> Any:
    """Heatmaps of several monitors side by side on one shared colour scale (a dim panel means small values)."""
    return _plots.compare({k: (m.history if isinstance(m, GradientMonitor) else m) for k, m in monitors.items()},
                          stat, **kw)
