"""viz.backprop_replay: frames recorded during the real backward, checked against a chain rule done by hand."""
import copy
import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Tensor
from viz.formulas import format_number


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


W = {"w11": 0.1, "w12": -0.2, "b1": 0.05, "w21": 0.3, "w22": 0.4, "b2": -0.1, "v1": 0.5, "v2": -0.6, "c": 0.2}
X = {"x1": 1.0, "x2": 2.0}
T = 1.0


def network():
    """A 2-2-1 sigmoid network, every weight a scalar node (micrograd style); L = ½ (y − t)²."""
    p = {k: Tensor(np.array(v), requires_grad=True, name=k) for k, v in {**W, **X}.items()}  # float64
    z1 = p["w11"] * p["x1"] + p["w12"] * p["x2"] + p["b1"]
    z2 = p["w21"] * p["x1"] + p["w22"] * p["x2"] + p["b2"]
    h1, h2 = z1.sigmoid(), z2.sigmoid()
    z3 = p["v1"] * h1 + p["v2"] * h2 + p["c"]
    y = z3.sigmoid()
    loss = (y - T) ** 2 * 0.5
    return p, {"z1": z1, "z2": z2, "h1": h1, "h2": h2, "z3": z3, "y": y, "loss": loss}


def by_hand():
    """The chain rule, written out."""
    z1 = W["w11"] * X["x1"] + W["w12"] * X["x2"] + W["b1"]
    z2 = W["w21"] * X["x1"] + W["w22"] * X["x2"] + W["b2"]
    h1, h2 = sig(z1), sig(z2)
    z3 = W["v1"] * h1 + W["v2"] * h2 + W["c"]
    y = sig(z3)
    d = {"loss": 1.0}
    d["y"] = (y - T)              # d(½(y−t)²)/dy
    d["z3"] = d["y"] * y * (1 - y)
    d["v1"], d["v2"], d["c"] = d["z3"] * h1, d["z3"] * h2, d["z3"]
    d["h1"], d["h2"] = d["z3"] * W["v1"], d["z3"] * W["v2"]
    d["z1"], d["z2"] = d["h1"] * h1 * (1 - h1), d["h2"] * h2 * (1 - h2)
    d["w11"], d["w12"], d["b1"] = d["z1"] * X["x1"], d["z1"] * X["x2"], d["z1"]
    d["w21"], d["w22"], d["b2"] = d["z2"] * X["x1"], d["z2"] * X["x2"], d["z2"]
    d["x1_via_1"], d["x1_via_2"] = d["z1"] * W["w11"], d["z2"] * W["w21"]
    d["x1"] = d["x1_via_1"] + d["x1_via_2"]
    d["x2"] = d["z1"] * W["w12"] + d["z2"] * W["w22"]
    return d, {"h1": h1, "h2": h2, "y": y}


def _ids(loss, tensors):
    graph = autograd.Graph.of(loss)
    where = {g.node: f"n{g.id}" for g in graph}
    return {k: where[t.grad_fn if t.grad_fn is not None else t._node] for k, t in tensors.items()}


def test_every_frame_matches_the_hand_computation():
    p, v = network()
    ids = _ids(v["loss"], {**p, **v})
    replay = viz.backprop_replay(v["loss"])
    d, fwd = by_hand()
    frames = {f["node"]: f for f in replay.frames}
    for name in ["loss", "y", "z3", "h1", "h2", "z1", "z2", *W, *X]:
        assert frames[ids[name]]["grad"] == pytest.approx(d[name], rel=1e-12), name
    # order: the loss first, every node after all of its consumers
    order = [f["node"] for f in replay.frames]
    assert order[0] == ids["loss"] and len(order) == len(set(order))
    assert order.index(ids["z3"]) < order.index(ids["h1"]) < order.index(ids["z1"]) < order.index(ids["w11"])
    # the sigmoid's local derivative with its numbers: ∂L/∂z3 = ∂L/∂y · y(1 − y)
    (c,) = frames[ids["y"]]["contributions"]
    assert c["to"] == ids["z3"] and c["value"] == pytest.approx(d["z3"], rel=1e-12)
    assert f"{format_number(d['y'])} · {format_number(fwd['y'])}·(1 − {format_number(fwd['y'])})" in c["text"]
    assert c["text"].startswith("∂L/∂") and c["text"].endswith(format_number(d["z3"]))
    # x1 is used twice: both contributions arrive, and they add up to its gradient
    got = frames[ids["x1"]]["received"]
    assert sorted(r["value"] for r in got) == pytest.approx(sorted([d["x1_via_1"], d["x1_via_2"]]), rel=1e-12)
    assert sum(r["value"] for r in got) == pytest.approx(frames[ids["x1"]]["grad"], rel=1e-12)
    assert "used 2 times" in frames[ids["x1"]]["text"]
    json.dumps(replay.frames)  # plain data


def test_final_gradients_equal_an_ordinary_backward():
    p, v = network()
    replay = viz.backprop_replay(v["loss"])
    q, u = network()
    u["loss"].backward()
    ids = _ids(v["loss"], p)
    frames = {f["node"]: f for f in replay.frames}
    for k in p:
        assert frames[ids[k]]["grad"] == pytest.approx(q[k].grad.item(), rel=1e-12)
        assert p[k].grad.item() == pytest.approx(q[k].grad.item(), rel=1e-12)


def test_a_replay_keeps_the_first_backwards_numbers_after_a_second():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x, y = autograd.randn(5, 3), autograd.randint(0, 2, (5,))
    loss = nn.functional.cross_entropy(model(x), y)
    replay = viz.backprop_replay(loss, retain_graph=True)
    frames = copy.deepcopy(replay.frames)
    arrays = {k: np.array(a, copy=True) for k, a in replay.arrays.items()}
    loss.backward()  # a second backward through the same graph: the engine must not write into kept arrays
    with viz.recording(False):
        (model(x) * 3.0).sum().backward()
    assert replay.frames == frames
    for k, a in replay.arrays.items():
        np.testing.assert_array_equal(np.asarray(a), arrays[k])
    tensor_frame = next(f for f in replay.frames if f["op"] == "Linear")
    assert set(tensor_frame["grad"]) == {"shape", "norm"}
    assert any("@" in c["text"] for c in tensor_frame["contributions"])


def test_replay_pictures_one_per_frame(tmp_path):
    p, v = network()
    replay = viz.backprop_replay(v["loss"])
    d = replay.diagram(3)
    assert d.source.count("#ff7f0e") >= 2  # the node just completed, and the edges it sends along
    from viz.render import available_engines
    if not available_engines():
        pytest.skip("no Graphviz engine")
    paths = replay.save_frames(str(tmp_path), format="svg")
    assert len(paths) == len(replay.frames)
    for path in paths[:3]:
        ET.parse(path)


def test_replay_refuses_a_big_graph_with_advice():
    x = Tensor(np.ones(2), requires_grad=True)
    h = x
    for _ in range(400):
        h = h * 1.0
    with pytest.raises(ValueError, match="max_nodes=300"):
        viz.backprop_replay(h.sum() * h.sum())
    with pytest.raises(TypeError, match="loss Tensor"):
        viz.backprop_replay(3.0)
