"""The pictures ``make demo`` writes beside its report (``runs/demo/pictures/``): what else viz shows."""
from __future__ import annotations

import os

import numpy as np

import autograd
import nn
import viz
from autograd import Tensor

from .models import deep_mlp


def extras(out: str) -> list[str]:
    """Pictures beside the report: a step-by-step replay of one neuron's backward (a page), a 20-layer sigmoid MLP
    beside its residual twin drawn with gradient heat (the dark blocks are where gradients die), and the lecture's
    activation table with each derivative computed by autograd."""
    os.makedirs(out, exist_ok=True)
    x, w, b = (Tensor(np.array(v), requires_grad=True, name=k) for k, v in (("x", 2.0), ("w", -3.0), ("b", 1.0)))
    neuron = ((x * w + b).tanh() - 0.5) ** 2
    paths = [str(viz.backprop_replay(neuron).page().save(os.path.join(out, "replay.html")))]
    autograd.manual_seed(0)
    xb, yb = autograd.randn(32, 8), autograd.randint(0, 3, (32,))
    for name, skip in (("deep_sigmoid", False), ("deep_residual", True)):
        model = deep_mlp(nn.Sigmoid, skip, width=16)
        deep = nn.functional.cross_entropy(model(xb), yb)
        deep.backward()
        title = f"20-layer sigmoid MLP{' with skips' if skip else ''}: gradient heat"
        d = viz.draw_graph(deep, fold_repeats=False, collapse=1, title=title)
        paths.append(d.save_svg(os.path.join(out, f"{name}.svg")))
    paths += viz.figures.save(viz.plot_activations(), os.path.join(out, "activations"))
    return paths
