"""``diagnose(history)``: gradient-health verdicts that name the layer and give the numbers.

Each rule reads a monitor's history (so a saved history diagnoses the same) over its recent records (the last half,
at least one) and uses a published threshold where one exists:

- **non-finite**: any NaN or inf in a layer's gradient or backward signal.
- **vanishing** (AUTOTRAINER, Zhang et al., ICSE 2021, defaults β₁ = 1e-3, β₂ = 1e-4): the first layer's gradient
  norm is below β₁ times the last layer's *and* below β₂ in absolute terms. Every layer whose gradient is below β₁
  times the last layer's is named. Also reported: the backward signal ‖∂L/∂output‖ at the first layer below β₁
  times the one at the last (it shrank a thousandfold on its way to the input). The per-layer gains are not
  multiplied for this: a skip connection carries signal around a layer, so a residual block's gain understates what
  reaches the layer below.
- **exploding** (AUTOTRAINER β₃ = 70): the first layer's gradient norm is above 70 times the last layer's.
- **dead units**: an activation layer whose units are 0 for every example of the batch: AUTOTRAINER flags a
  network when ≥ 70 % (γ = 0.7) of its gradients are zero; tracegrad reports a layer from 50 % (a warning) and calls
  it a problem from 70 %.
- **saturated units**: sigmoid outside [0.02, 0.98], |tanh| > 0.97 (the thresholds of Karpathy's makemore part 3
  saturation plots): a warning from 20 % of the outputs, a problem from 50 %.
- **update ratio** (CS231n, "ratio of weights:updates ... somewhere around 1e-3"): a parameter layer whose
  ‖Δw‖/‖w‖ stays above 1e-1 makes updates unstable (a problem); below 1e-5 it barely learns (a warning).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

DEFAULTS = {"vanish_ratio": 1e-3, "vanish_abs": 1e-4, "explode_ratio": 70.0, "dead_warn": 0.5, "dead_bad": 0.7,
            "saturated_warn": 0.2, "saturated_bad": 0.5, "update_high": 1e-1, "update_low": 1e-5}
ORDER = ["non-finite", "exploding", "vanishing", "dead units", "saturated units", "unstable updates"]


@dataclass
class Finding:
    kind: str           # "vanishing", "exploding", "dead units", "saturated units", "unstable updates", ...
    layer: str          # the module path it names ("" for the whole network)
    steps: tuple        # (first, last) recorded step the rule looked at
    value: float        # what was measured
    threshold: float    # the threshold it crossed
    message: str        # one sentence
    severity: str = "problem"   # "problem" or "warning"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Diagnosis:
    findings: list[Finding] = field(default_factory=list)
    verdict: str = "healthy"
    layers: list[str] = field(default_factory=list)

    def kinds(self) -> set[str]:
        return {f.kind for f in self.findings}

    def layers_with(self, kind: str) -> list[str]:
        """The layers a kind of finding names, in network order."""
        named = {f.layer for f in self.findings if f.kind == kind}
        return [n for n in self.layers if n in named]

    def __str__(self) -> str:
        lines = [f"verdict: {self.verdict}"]
        for kind in ORDER + sorted(self.kinds() - set(ORDER)):
            group = [f for f in self.findings if f.kind == kind]
            if not group:
                continue
            lines.append(f"{kind} ({len(group)} finding{'s' if len(group) > 1 else ''}):")
            lines += [f"  [{f.severity}] {f.message}" for f in group[:12]]
            if len(group) > 12:
                lines.append(f"  … and {len(group) - 12} more")
        if not self.findings:
            lines.append("no rule fired: gradients reach every layer at a healthy size")
        return "\n".join(lines)

    __repr__ = __str__


def _num(v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(v)
    return float(v)


def _median(xs: list[float]) -> float | None:
    xs = sorted(x for x in xs if x is not None and not math.isnan(x))
    return xs[len(xs) // 2] if xs else None


def diagnose(history: dict[str, Any], **thresholds: Any) -> Diagnosis:
    """Apply the rules above to a monitor history; ``thresholds`` overrides ``DEFAULTS`` by name."""
    unknown = set(thresholds) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"diagnose: unknown thresholds {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    t = {**DEFAULTS, **thresholds}
    layers = [d["name"] for d in history["layers"]]
    roles = [d["role"] for d in history["layers"]]
    steps = history["steps"]
    out = Diagnosis(layers=layers)
    if not steps:
        out.verdict = "nothing recorded"
        return out
    start = len(steps) // 2
    recent = range(start, len(steps))
    span = (steps[start], steps[-1])

    def series(stat: str, j: int) -> list[float | None]:
        return [_num(history["stats"][stat][i][j]) for i in recent]

    def add(kind: str, j: int, value: float, threshold: float, message: str, severity: str = "problem") -> None:
        out.findings.append(Finding(kind, layers[j] if j >= 0 else "", span, value, threshold, message, severity))

    params = [j for j, r in enumerate(roles) if r == "param"]
    for j in range(len(layers)):
        for stat in ("grad_norm", "signal_norm"):
            bad = [v for v in series(stat, j) if v is not None and not math.isfinite(v)]
            if bad:
                add("non-finite", j, bad[0], math.inf, f"layer {layers[j]}: its {stat.replace('_', ' ')} is "
                    f"{bad[0]} in steps {span[0]}–{span[1]}")
                break
    grads = {j: _median(series("grad_norm", j)) for j in params}
    if len(params) >= 2 and grads[params[0]] is not None and grads[params[-1]]:
        first, last = grads[params[0]], grads[params[-1]]
        ratio = first / last
        if ratio < t["vanish_ratio"] and first < t["vanish_abs"]:
            for j in params[:-1]:
                g = grads[j]
                if g is not None and g < t["vanish_ratio"] * last:
                    add("vanishing", j, g / last, t["vanish_ratio"],
                        f"layer {layers[j]} ({history['layers'][j]['kind']}): gradient norm {g:.3g}, "
                        f"{last / max(g, 1e-300):.2g}× smaller than the last layer's {last:.3g} (median of steps "
                        f"{span[0]}–{span[1]}; vanishing below {t['vanish_ratio']:g}×)")
        elif ratio > t["explode_ratio"]:
            for j in params[:-1]:
                g = grads[j]
                if g is not None and g > t["explode_ratio"] * last:
                    add("exploding", j, g / last, t["explode_ratio"],
                        f"layer {layers[j]}: gradient norm {g:.3g}, {g / last:.3g}× the last layer's {last:.3g} "
                        f"(exploding above {t['explode_ratio']:g}×)")
    signal = [_median(series("signal_norm", j)) for j in params]
    if len(params) >= 2 and signal[0] is not None and signal[-1] and "vanishing" not in out.kinds():
        shrink = signal[0] / signal[-1]
        if shrink < t["vanish_ratio"]:
            add("vanishing", params[0], shrink, t["vanish_ratio"],
                f"the backward signal ‖∂L/∂output‖ reaching layer {layers[params[0]]} is "
                f"{1 / max(shrink, 1e-300):.3g}× smaller than at layer {layers[params[-1]]} "
                f"(below {t['vanish_ratio']:g}×)")
    unit_checks = (("dead_frac", "dead", "dead units", "of its units are 0 for every example of the batch"),
                   ("saturated_frac", "saturated", "saturated units",
                    "of its outputs are saturated, where its derivative is nearly 0"))
    for j, role in enumerate(roles):
        for stat, key, kind, what in unit_checks:
            frac = _median(series(stat, j))
            if frac is not None and frac >= t[f"{key}_warn"]:
                bad = frac >= t[f"{key}_bad"]
                add(kind, j, frac, t[f"{key}_bad"] if bad else t[f"{key}_warn"],
                    f"layer {layers[j]} ({history['layers'][j]['kind']}): {frac:.0%} {what}",
                    "problem" if bad else "warning")
    for j in params:
        u = _median(series("update_ratio", j))
        if u is None:
            continue
        if u > t["update_high"]:
            add("unstable updates", j, u, t["update_high"], f"layer {layers[j]}: each step changes its weights by "
                f"{u:.2g} of their norm (log10 {math.log10(u):.1f}; about -3 is healthy)")
        elif 0 < u < t["update_low"]:
            add("unstable updates", j, u, t["update_low"], f"layer {layers[j]}: each step changes its weights by "
                f"only {u:.2g} of their norm (log10 {math.log10(u):.1f}; about -3 is healthy): it barely learns",
                "warning")
    problems = {f.kind for f in out.findings if f.severity == "problem"}
    out.verdict = next((k for k in ORDER if k in problems), "healthy")
    return out
