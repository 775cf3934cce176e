"""Tracers: the engine reports every recorded op and every gradient it computes, in walk order."""
import numpy as np

import autograd
from autograd import Tensor


def test_backward_recorder_sees_every_node_once_in_reverse_topological_order():
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True, name="x")
    h = x.tanh()
    y = (h * h).sum() + x.sum()
    rec = autograd.BackwardRecorder()
    with autograd.tracing(rec):
        y.backward()
    nodes = [n for n, _, _ in rec.events]
    assert len(nodes) == len(set(nodes))
    graph = autograd.Graph.of(y)
    position = {g.node: g.id for g in graph}
    assert [position[n] for n in nodes] == sorted((position[n] for n in nodes), reverse=True)
    norms = rec.grad_norms()
    assert np.isclose(norms[x._node], np.linalg.norm(x.grad.data))
    assert np.isclose(norms[y._node], 1.0)
    assert not autograd.mode.STATE.tracers  # removed on exit


def test_forward_tracer_sees_recorded_ops_only():
    seen = []

    class Ops(autograd.Tracer):
        def on_forward(self, node, out):
            seen.append((node.op, out.shape))

    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with autograd.tracing(Ops()):
        y = (x * 2.0).sum(axis=1)
        with autograd.no_grad():
            x * 3.0                      # not recorded, so not seen
    assert seen == [("Mul", (2, 3)), ("Sum", (2,))]
    assert y.shape == (2,)
