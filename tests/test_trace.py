"""Tracers: the engine reports every recorded op and every gradient it computes, in walk order."""
import numpy as np
import pytest

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
    assert rec not in autograd.mode.STATE.tracers  # removed on exit (viz, when imported, keeps its own)


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


class _KeepEverything(autograd.Tracer):
    """Keeps every array it is handed, and a copy of its values at that moment."""

    def __init__(self):
        self.kept = []

    def on_forward(self, node, out):
        self.kept.append((out, np.array(out, copy=True)))

    def on_backward(self, node, grad):
        self.kept.append((grad, np.array(grad, copy=True)))


def test_the_engine_never_writes_into_an_array_it_handed_to_a_tracer():
    """The rule in Function's docstring: a later backward (which adds into .grad in place) or a later
    forward must leave every array a tracer kept as it was when handed out."""
    w = Tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), requires_grad=True)
    b = Tensor(np.array([0.1, -0.2]), requires_grad=True)
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    keep = _KeepEverything()
    def loss():
        return ((x @ w + b).tanh() * 2).sum() + (w * b).sum()  # w * b: fresh gradient arrays, adoptable

    with autograd.tracing(keep):
        loss().backward()
    for _ in range(2):  # untraced steps accumulate into the leaves' .grad in place
        loss().backward()
        with autograd.no_grad():
            w -= 0.1 * w.grad
    assert keep.kept and all(np.array_equal(arr, snapshot) for arr, snapshot in keep.kept)
    assert all(g is not p.grad.numpy() for g, _ in keep.kept for p in (w, b))  # copied, not adopted


def test_on_step_reports_what_each_op_sends_to_each_input():
    steps = []

    class Steps(autograd.Tracer):
        def on_step(self, node, grad, out, inputs, grads_in):
            steps.append((node.op, np.array(grad), [None if g is None else np.array(g) for g in grads_in], inputs))

    a = Tensor(np.array(2.0), requires_grad=True)
    b = Tensor(np.array(-3.0), requires_grad=True)
    c = a * b
    with autograd.tracing(Steps()):
        (c * 1.5).backward()
    (op1, g1, sent1, _), (op2, g2, sent2, saved2) = steps
    assert (op1, float(g1), float(sent1[0])) == ("Mul", 1.0, 1.5)
    assert op2 == "Mul" and float(g2) == 1.5 and [float(s) for s in sent2] == [-4.5, 3.0]
    assert [float(x) for x in saved2] == [2.0, -3.0]  # the numbers the local derivative was computed from


def test_a_tracer_that_keeps_no_arrays_lets_the_engine_adopt_gradients():
    seen = {}

    def tracer(keeps):
        class T(autograd.Tracer):
            keeps_arrays = keeps

            def on_backward(self, node, grad):
                seen[node] = grad
        return T()

    for keeps in (False, True):
        x = Tensor(np.ones(3), requires_grad=True)
        y = (x * 2.0).sum()
        with autograd.tracing(tracer(keeps)):
            y.backward()
        handed = seen[x._node]
        assert (x.grad.numpy() is handed) is (not keeps)  # a keeping tracer's array is never adopted
        x.grad.numpy()[:] = 7.0
        if keeps:
            assert (handed == 2.0).all()  # and never written into afterwards


def test_module_calls_name_their_parameters_and_scopes():
    import nn
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU(), nn.Linear(2, 1)))
    loss = model(autograd.randn(3, 2)).sum()
    g = autograd.Graph.of(loss)
    assert sorted(n.name for n in g.parameters()) == ["0.bias", "0.weight", "1.1.bias", "1.1.weight"]
    assert g.scope_kinds == {"0": "Linear", "1": "Sequential", "1.0": "ReLU", "1.1": "Linear"}
    assert {n.scope for n in g.parameters()} == {"0", "1.1"}


def test_attach_tracer_until_removed():
    seen = []

    class Ops(autograd.Tracer):
        def on_forward(self, node, out):
            seen.append(node.op)

    handle = autograd.attach_tracer(Ops())
    x = Tensor(np.ones(2), requires_grad=True)
    x * 2.0
    assert handle.attached and autograd.attach_tracer(handle.tracer).attached
    handle.remove()
    handle.remove()
    x * 3.0
    assert seen == ["Mul"] and not handle.attached
    with pytest.raises(TypeError, match="Tracer"):
        autograd.attach_tracer(print)
