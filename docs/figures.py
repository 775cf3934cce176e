"""Regenerate the pictures in docs/ (``python docs/figures.py``): each comes from tracegrad itself."""
from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import numpy as np  # noqa: E402

import autograd  # noqa: E402
import nn  # noqa: E402
import viz  # noqa: E402


def glorot_bengio(depth: int = 8, width: int = 64) -> tuple[dict, dict]:
    """Glorot & Bengio (2010), Fig. 7: a deep tanh network's back-propagated gradient ∂L/∂(layer output), per layer,
    with the standard initialisation U[-1/√n, 1/√n] and with the normalised (Xavier) one."""
    signal, weight = {}, {}
    for init in ("standard", "normalised"):
        autograd.manual_seed(0)
        layers = []
        for _ in range(depth):
            lin = nn.Linear(width, width)
            if init == "normalised":
                nn.init.xavier_uniform_(lin.weight)
            else:
                nn.init.uniform_(lin.weight, -1 / np.sqrt(width), 1 / np.sqrt(width))
            nn.init.zeros_(lin.bias)
            layers += [lin, nn.Tanh()]
        model = nn.Sequential(*layers, nn.Linear(width, 10))
        with viz.GradientMonitor(model, activations=False) as mon:
            x, y = autograd.randn(256, width), autograd.randint(0, 10, (256,))
            nn.functional.cross_entropy(model(x), y).backward()
        h = mon.history
        names = [la["name"] for la in h["layers"]][:depth]
        signal[init] = [h["stats"]["signal_norm"][-1][i] for i in range(depth)]
        weight[init] = [h["stats"]["grad_norm"][-1][i] for i in range(depth)]
    return {"layers": names, **signal}, weight


def main() -> None:
    signal, weight = glorot_bengio()
    fig, (a, b) = viz.figures.figure(1, 2, size=(11, 4.2))
    x = np.arange(1, len(signal["layers"]) + 1)
    for init, style in (("standard", "o-"), ("normalised", "s-")):
        a.plot(x, signal[init], style, label=f"{init} initialisation")
        b.plot(x, weight[init], style, label=f"{init} initialisation")
    a.set(yscale="log", xlabel="layer (1 = input side)", ylabel="‖∂L/∂(layer output)‖₂ (log scale)",
          title="back-propagated gradient")
    b.set(yscale="log", xlabel="layer (1 = input side)", ylabel="‖∂L/∂W‖₂ (log scale)", title="weight gradient")
    for ax in (a, b):
        ax.legend()
    fig.suptitle("Glorot & Bengio (2010): 8 tanh layers of width 64, one batch of 256")
    print(viz.figures.save(fig, os.path.join(HERE, "img", "glorot_bengio")))


if __name__ == "__main__":
    main()
