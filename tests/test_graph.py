"""Scopes and the recorded graph as an object (Graph.of): order, ids, labels, stats, export."""
from __future__ import annotations

import json

import numpy as np
import pytest

import autograd
from autograd import Graph, Tensor


# ---- scopes -------------------------------------------------------------------------------------
def test_nested_scopes_are_recorded_on_nodes():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    top = x * 2
    with autograd.scope("enc") as path:
        assert path == "enc" and autograd.current_scope() == "enc"
        a = top.tanh()
        with autograd.scope("l1"):
            assert autograd.current_scope() == "enc.l1"
            b = a.exp()
            c = b + a
        d = c.sum()
    assert autograd.current_scope() == ""
    assert top.grad_fn.scope == "" and a.grad_fn.scope == "enc"
    assert b.grad_fn.scope == "enc.l1" and c.grad_fn.scope == "enc.l1"
    assert d.grad_fn.scope == "enc"
    g = Graph.of(d)
    assert g.scopes()["enc.l1"] == [n.id for n in g if n.op in ("Exp", "Add")]
    assert {n.scope for n in g if n.op == "Tanh"} == {"enc"}


def test_absolute_scope_and_restore_on_error():
    with autograd.scope("a"):
        with autograd.absolute_scope("model.block.0"):
            assert autograd.current_scope() == "model.block.0"
            y = Tensor(np.ones(2), requires_grad=True) * 3
        assert autograd.current_scope() == "a"
        with pytest.raises(ZeroDivisionError):
            with autograd.scope("b"):
                1 / 0
        assert autograd.current_scope() == "a"
    assert y.grad_fn.scope == "model.block.0"


def test_scopes_record_backward_created_nodes_at_creation_scope():
    x = Tensor(np.array([0.3, 0.7]), requires_grad=True)
    with autograd.scope("f"):
        y = x.tanh().sum()
    with autograd.scope("grad"):
        (g,) = autograd.grad(y, [x], create_graph=True)
    assert g.grad_fn is not None and g.grad_fn.scope == "grad"


# ---- Graph.of -------------------------------------------------------------------------------------
def _model(seed=0):
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((4, 3)), name="x")
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    with autograd.scope("layer"):
        h = (x @ w + b).tanh()
    loss = (h * h).mean()
    return loss, {"x": x, "w": w, "b": b, "h": h}


def test_topological_order_ids_and_parents():
    loss, t = _model()
    g = Graph.of(loss)
    assert [n.id for n in g] == list(range(len(g)))
    for n in g:
        assert all(p < n.id for p in n.parents), "every parent comes before its children"
    assert g.outputs == [len(g) - 1] and g[-1] is g[g.outputs[0]]
    ops = [n.op for n in g]
    assert ops.count("Matmul") == 1 and ops.count("Tanh") == 1 and ops.count("Parameter") == 2
    mm = next(n for n in g if n.op == "Matmul")
    assert [g[p].name for p in mm.parents] == ["x", None]  # parents in order: x first, then w
    assert [g[p].shape for p in mm.parents] == [(4, 3), (3, 2)]
    assert mm.shape == (4, 2) and mm.dtype == "float64" and mm.scope == "layer"
    assert g.edges and all(0 <= p < c for p, c in g.edges)


def test_parents_keep_argument_order():
    a = Tensor(np.ones(2), requires_grad=True)
    b = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    g1 = Graph.of(a.reshape(2, 1) - b)
    g2 = Graph.of(b - a.reshape(2, 1))
    sub1, sub2 = g1[-1], g2[-1]
    assert sub1.op == sub2.op == "Sub"
    assert [g1[p].shape for p in sub1.parents] == [(2, 1), (3,)]
    assert [g2[p].shape for p in sub2.parents] == [(3,), (2, 1)]
    assert sub1.dtype == "float64"  # float64 - float32 promotes
    assert g1[sub1.parents[1]].dtype == "float32"


def test_python_scalars_are_not_graph_nodes():
    x = Tensor(np.ones(2), requires_grad=True)
    g = Graph.of(x * 2.0 + 1.0)
    assert [n.op for n in g] == ["Parameter", "Mul", "Add"]
    assert g[1].parents == [0] and g[2].parents == [1]


def test_shared_subexpression_is_one_node():
    x = Tensor(np.ones(2), requires_grad=True)
    e = x.exp()
    y = e * e + e
    g = Graph.of(y)
    assert [n.op for n in g] == ["Parameter", "Exp", "Mul", "Add"]
    assert g[2].parents == [1, 1] and g[3].parents == [2, 1]


def test_leaves_params_and_kinds():
    loss, t = _model()
    g = Graph.of(loss)
    kinds = {n.kind for n in g}
    assert kinds == {"op", "param", "const"}
    assert [n.shape for n in g.parameters()] == [(3, 2), (2,)]
    assert {n.shape for n in g.leaves()} == {(4, 3), (3, 2), (2,)}
    assert all(n.is_leaf == (n.parents == []) for n in g)
    const = next(n for n in g if n.kind == "const")
    assert const.op == "Constant" and const.name == "x" and not const.requires_grad


def test_names_from_params():
    loss, t = _model()
    g = Graph.of(loss, params={"layer.weight": t["w"], "layer.bias": t["b"]})
    assert sorted(n.name for n in g.parameters()) == ["layer.bias", "layer.weight"]
    assert next(n for n in g if n.kind == "const").name == "x"  # a tensor's own .name otherwise
    assert "layer.weight" in g.summary()


def test_stable_ids_two_identical_computations():
    a, ta = _model(seed=0)
    b, tb = _model(seed=1)  # different data, same computation (ta, tb keep the named leaves alive)
    da, db = Graph.of(a).to_dict(), Graph.of(b).to_dict()
    assert da == db
    assert Graph.of(a).to_json() == Graph.of(a).to_json()


def test_stats():
    x = Tensor(np.ones((3, 4)), requires_grad=True)
    y = x.exp()
    z = (y * x).sum()
    g = Graph.of(z)
    s = g.stats()
    assert s["ops"] == {"Exp": 1, "Mul": 1, "Sum": 1}
    assert s["nodes"] == 4 and s["parameters"] == 1 and s["constants"] == 0
    assert s["depth"] == 3 == g.depth()
    assert s["edges"] == 4  # x->exp, exp->mul, x->mul, mul->sum
    # Exp keeps its output (96 bytes); Mul keeps both inputs, one of which is that same output array
    assert s["saved_bytes"] == 2 * 3 * 4 * 8
    z.backward()
    assert Graph.of(z).stats()["saved_bytes"] == 0


def test_to_dict_and_json_round_trip():
    loss, t = _model()
    g = Graph.of(loss, params={"w": t["w"]})
    d = g.to_dict()
    back = json.loads(g.to_json())
    assert back == json.loads(json.dumps(d))
    assert back["outputs"] == g.outputs
    assert [n["id"] for n in back["nodes"]] == list(range(len(g)))
    node = back["nodes"][g.outputs[0]]
    assert node["op"] == "Mul" and node["kind"] == "op" and node["shape"] == [] and node["dtype"] == "float64"
    w = next(n for n in back["nodes"] if n["name"] == "w")
    assert w["kind"] == "param" and w["shape"] == [3, 2] and w["parents"] == []
    assert back["stats"]["ops"]["Tanh"] == 1


def test_multiple_outputs_and_constant_only_graphs():
    x = Tensor(np.ones(3), requires_grad=True)
    a, b = x.sin(), x.cos()
    g = Graph.of(a, b)
    assert len(g) == 3 and [g[i].op for i in g.outputs] == ["Sin", "Cos"]
    c = Tensor(np.ones(2)) * 3  # nothing requires grad: not recorded
    gc = Graph.of(c)
    assert len(gc) == 1 and gc[0].kind == "const" and gc.stats()["depth"] == 0
    with pytest.raises(TypeError, match="Graph.of: expected Tensors"):
        Graph.of(np.ones(2))


def test_repr_and_summary():
    loss, _ = _model()
    g = Graph.of(loss)
    assert repr(g).startswith(f"Graph({len(g)} nodes, 2 parameters")
    lines = g.summary().splitlines()
    assert len(lines) == len(g)
    assert "Matmul" in g.summary() and "layer" in g.summary()


def test_ids_are_stable_across_steps_of_the_same_model():
    """Parameters reused in a second forward get the same ids as in the first (structure, not creation time)."""
    w = Tensor(np.ones((3, 2)), requires_grad=True, name="fc.weight")
    b = Tensor(np.zeros(2), requires_grad=True, name="fc.bias")

    def step():
        x = Tensor(np.arange(6.0).reshape(2, 3))
        return ((x @ w + b).tanh()).sum()
    first = autograd.Graph.of(step()).to_dict()
    second = autograd.Graph.of(step()).to_dict()
    assert first == second
    scopes = {n["name"]: n["scope"] for n in first["nodes"] if n["name"]}
    assert scopes == {"fc.weight": "fc", "fc.bias": "fc"}


def test_deepcopy_of_a_used_tensor_is_a_fresh_leaf():
    import copy
    x = Tensor(np.ones(3), requires_grad=True, name="x")
    (x * 2).sum().backward()
    y = copy.deepcopy(x)
    assert y._node is None and y.requires_grad and y.name == "x"
    assert y.data is not x.data and np.array_equal(y.grad.data, x.grad.data)
    g = autograd.Graph.of((y * 3).sum())
    assert g.parameters()[0].node.ref() is y


def test_a_leaf_keeps_its_name_after_the_tensor_is_gone():
    import numpy as np
    from autograd import Tensor
    x = Tensor(np.array(2.0), requires_grad=True, name="x")
    y = x * Tensor(np.array(3.0), requires_grad=True, name="w")  # w is a temporary: gone after this line
    import gc
    gc.collect()
    names = {n.name for n in autograd.Graph.of(y).leaves()}
    assert names == {"x", "w"}
