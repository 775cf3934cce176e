"""viz: see how a network learns, drawn from ``autograd.Graph``, ``autograd.tracing`` tracers and module hooks.

- ``draw_graph(loss)``: the backprop graph as a ``graphviz.Digraph`` (SVG / PNG / PDF, inline in Jupyter), clustered
  by module, coloured by the gradient that flowed along each edge, collapsible and with repeated blocks folded;
- ``explore_graph(loss)``: the same as one self-contained interactive page (``HTMLPage``);
- ``backprop_replay(loss)``: the backward pass step by step, each local derivative with its numbers plugged in;
- ``draw_graph(err)`` for an ``autograd.AnomalyError``: where a NaN / inf came from.

Importing viz installs the recorder behind gradient heat and node values (``viz.heat``): after that a plain
``loss.backward()`` is all a coloured graph needs. ``viz.recording(False)`` switches it off inside a block.
"""
from . import figures, heat as _heat  # noqa: F401
from .draw import build_scene, draw_graph, explore_graph  # noqa: F401
from .heat import HeatScale, recording  # noqa: F401
from .replay import Replay, backprop_replay  # noqa: F401
from .monitor import GradientMonitor, compare_monitors  # noqa: F401
from .flow import gradient_flow, plot_gradient_flow  # noqa: F401
from .diagnose import Diagnosis, Finding, diagnose  # noqa: F401
from . import surfaces  # noqa: F401
from .race import Race, optimizer_race  # noqa: F401
from .landscape import Landscape, compare_landscapes, loss_landscape  # noqa: F401
from .landscape_stats import TrajectoryRecorder, landscape_curvature, landscape_stats, plot_curvature  # noqa: F401
from .plots import (activation_curve, decision_boundary, plot_activations, plot_capacity, plot_history,  # noqa: F401
                    plot_weight_images)
from .plots_lines import plot_lines, plot_shattering  # noqa: F401
from .boundary_grid import decision_boundary_grid  # noqa: F401
from .plots_weights import plot_unit_norms, plot_weight_histograms, unit_norms  # noqa: F401
from .plots_penalty import plot_penalty_geometry  # noqa: F401
from .plots_dropout import plot_dropout  # noqa: F401
from .render import Diagram, available_engines, render_dot  # noqa: F401

_heat.install()

__all__ = ["draw_graph", "explore_graph", "build_scene", "backprop_replay", "Replay", "Diagram", "render_dot",
           "available_engines", "HeatScale", "recording", "GradientMonitor", "compare_monitors", "gradient_flow",
           "plot_gradient_flow", "Diagnosis", "Finding", "diagnose", "activation_curve",
           "decision_boundary", "plot_activations", "plot_capacity", "plot_history",
           "plot_weight_images", "plot_lines", "plot_shattering", "loss_landscape", "Landscape", "compare_landscapes",
           "TrajectoryRecorder", "landscape_curvature", "landscape_stats", "plot_curvature",
           "decision_boundary_grid", "plot_weight_histograms", "plot_unit_norms", "unit_norms", "plot_penalty_geometry",
           "plot_dropout",
           "optimizer_race", "Race", "surfaces", "figures"]
