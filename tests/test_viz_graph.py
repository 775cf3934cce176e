"""viz.draw_graph: module clusters, parameter names, collapse and folding, gradient heat, stability, size."""
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Tensor
from viz.heat import HeatScale, luminance

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


class Block(nn.Module):
    def __init__(self, n, act="sigmoid", skip=False):
        super().__init__()
        self.fc = nn.Linear(n, n)
        self.act = nn.Sigmoid() if act == "sigmoid" else nn.ReLU()
        self.skip = skip

    def forward(self, x):
        y = self.act(self.fc(x))
        return x + y if self.skip else y


class Deep(nn.Module):
    """20 layers: a sigmoid MLP, or its residual twin."""

    def __init__(self, depth=20, width=16, skip=False):
        super().__init__()
        self.inp = nn.Linear(4, width)
        self.blocks = nn.Sequential(*[Block(width, skip=skip) for _ in range(depth)])
        self.out = nn.Linear(width, 3)

    def forward(self, x):
        return self.out(self.blocks(self.inp(x)))


MODELS = []  # the models stay alive: a graph names parameters that still exist


def _loss(model, n=8, d=4, k=3):
    MODELS.append(model)
    autograd.manual_seed(1)
    x, y = autograd.randn(n, d), autograd.randint(0, k, (n,))
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    return loss


def _clusters(src):
    return re.findall(r"subgraph cluster_\d+ \{\n\s*label=<<b>([^<]*)</b>(?:: ([^<>]*))?>", src)


def test_clusters_per_module_path_and_parameter_names_without_params():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Sequential(nn.Linear(6, 5), nn.ReLU()), nn.Linear(5, 3))
    loss = _loss(model)
    src = viz.draw_graph(loss).source
    clusters = dict(_clusters(src))
    assert clusters == {"0": "Linear", "1": "Tanh", "2": "Sequential", "2.0": "Linear", "2.1": "ReLU", "3": "Linear"}
    for name, p in model.named_parameters():  # named from the module calls, not from params=
        assert f"<b>{name}</b>" in src
        assert f"{tuple(p.shape)}".replace(",)", ",)") in src or str(p.shape[0]) in src
    assert "(8, 6) float32" in src  # an op's output shape and dtype
    renamed = viz.draw_graph(loss, params={"W_in": model[0].weight}).source
    assert "<b>W_in</b>" in renamed and "<b>0.weight</b>" not in renamed


def test_nested_clusters_are_nested_in_the_dot_text():
    model = nn.Sequential(nn.Sequential(nn.Linear(3, 3), nn.Sequential(nn.Linear(3, 3))), nn.Linear(3, 2))
    src = viz.draw_graph(_loss(model, d=3, k=2)).source
    depth, seen = 0, []
    for line in src.splitlines():
        if line.strip().startswith("subgraph cluster_"):
            depth += 1
        elif line.strip() == "}" and depth:
            depth -= 1
        m = re.match(r'\s*label=<<b>([^<]*)</b>', line)
        if m and depth:
            seen.append((m.group(1), depth))
    assert ("0", 1) in seen and ("0.1", 2) in seen and ("0.1.0", 3) in seen and ("1", 1) in seen


def test_byte_identical_across_calls_and_runs():
    def build():
        autograd.manual_seed(0)
        return _loss(Deep(depth=3))
    a, b = viz.draw_graph(build()).source, viz.draw_graph(build()).source
    assert a == b
    script = ("import autograd, nn, viz, hashlib, sys; sys.path.insert(0, 'tests'); from test_viz_graph import "
              "Deep, _loss; autograd.manual_seed(0); m = Deep(depth=3); "
              "print(hashlib.sha256(viz.draw_graph(_loss(m), collapse=1).source.encode()).hexdigest())")
    runs = {subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}
    assert len(runs) == 1


def test_collapse_by_depth_by_path_and_auto():
    loss = _loss(Deep(depth=6))
    full = viz.build_scene(loss, fold_repeats=False)
    one = viz.build_scene(loss, collapse=1, fold_repeats=False)
    assert one.count_visible() < full.count_visible()
    assert one.collapsed == {"inp", "blocks", "out"}
    src = viz.draw_graph(loss, collapse=1, fold_repeats=False).source
    body = src.split("subgraph cluster_legend")[0]
    assert body.count("shape=folder") == 3 and "subgraph cluster_" not in body
    assert "params" in src and "in (8, 4) → out (8, 16)" in src
    by_path = viz.build_scene(loss, collapse=["blocks.2"], fold_repeats=False)
    assert by_path.count_visible() == full.count_visible() - (
        len([i for i in full.items if i.scope.startswith("blocks.2")]) - 1)
    with pytest.raises(ValueError, match="blocks.99"):
        viz.draw_graph(loss, collapse=["blocks.99"])
    with pytest.raises(ValueError, match="depth"):
        viz.draw_graph(loss, collapse=0)
    with pytest.raises(TypeError, match="collapse"):
        viz.draw_graph(loss, collapse=2.5)


def test_auto_keeps_a_resnet_readable_and_folds_repeats():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(1, 4, 3, padding=1)
            self.blocks = nn.Sequential(*[nn.ResidualBlock(4, 4) for _ in range(20)])
            self.head = nn.Linear(4, 3)

        def forward(self, x):
            return self.head(self.blocks(nn.functional.relu(self.stem(x))).mean(axis=(2, 3)))
    autograd.manual_seed(0)
    model = Net()
    x, y = autograd.randn(2, 1, 6, 6), autograd.randint(0, 3, (2,))
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    assert len(autograd.Graph.of(loss)) > 250
    scene = viz.build_scene(loss, collapse="auto")
    assert scene.count_visible() <= 150
    src = viz.draw_graph(loss, collapse="auto").source
    assert "ResidualBlock × 20" in src and "blocks.0 … blocks.19" in src
    unfolded = viz.build_scene(loss, fold_repeats=False, collapse="auto")
    assert unfolded.count_visible() <= 150
    assert "ResidualBlock × 20" not in viz.draw_graph(loss, fold_repeats=False).source
    named = viz.build_scene(loss, collapse=["blocks.3"])  # naming a member unfolds the group into 20 blocks
    assert not named.folds and {f"blocks.{i}" for i in range(20)} <= named.collapsed
    opened = viz.build_scene(loss, collapse="auto", expand=["blocks.3"])
    assert "blocks.3" not in opened.collapsed and "blocks.4" in opened.collapsed
    assert "<b>blocks.3.conv1</b>" in viz.draw_graph(loss, collapse="auto", expand=["blocks.3"]).source


def test_heat_scale_is_monotone_in_magnitude(rng):
    norms = list(10.0 ** rng.uniform(-9, 2, 200)) + [0.0]
    scale = HeatScale(norms)
    ordered = sorted(norms)
    pos = [scale.position(n) for n in ordered]
    lum = [luminance(scale.color(n)) for n in ordered]
    assert all(a <= b for a, b in zip(pos, pos[1:]))
    assert all(a <= b + 1e-12 for a, b in zip(lum, lum[1:]))  # a larger gradient never gets a colder colour
    assert scale.color(None) is None and scale.position(max(norms)) == 1.0 and scale.position(0.0) == 0.0


def test_heat_colours_in_a_drawn_graph_follow_the_edge_norms():
    loss = _loss(Deep(depth=4))
    scene = viz.build_scene(loss)
    with_grad = [e for e in scene.edges if e.norm is not None]
    assert len(with_grad) > 20
    by_norm = sorted(with_grad, key=lambda e: e.norm)
    lum = [luminance(e.color) for e in by_norm]
    assert all(a <= b + 1e-12 for a, b in zip(lum, lum[1:]))
    assert all(e.color is None and e.width < 1 for e in scene.edges if e.norm is None)
    src = viz.draw_graph(loss).source
    assert "gradient ‖∂L/∂x‖, log scale" in src and f">{viz.scene.fmt(scene.scale.hi)}<" in src


def test_edge_norms_are_the_gradients_that_flowed():
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True, name="x")
    y = (x * x).sum() + (x * 3.0).sum()  # x feeds two ops: each edge carries its own contribution
    y.backward()
    scene = viz.build_scene(y)
    xid = next(it.id for it in scene.items if it.label == "x")
    norms = sorted(e.norm for e in scene.edges if e.src == xid)
    assert norms == pytest.approx(sorted([np.linalg.norm(x.numpy()), np.linalg.norm(x.numpy()),
                                          np.linalg.norm(np.full(3, 3.0))]))
    xi = next(it for it in scene.items if it.id == xid)
    assert xi.norm == pytest.approx(np.linalg.norm(x.grad.numpy()))


def test_vanishing_gradients_show_on_a_sigmoid_mlp_and_not_on_its_residual_twin():
    def first_vs_last(skip):
        autograd.manual_seed(0)
        loss = _loss(Deep(depth=20, skip=skip))
        scene = viz.build_scene(loss, fold_repeats=False)
        pos = {it.label: scene.scale.position(it.norm) for it in scene.items if it.kind == "param"}
        return pos["blocks.0.fc.weight"], pos["blocks.19.fc.weight"], scene
    first, last, scene = first_vs_last(False)
    assert first < 0.05 and last > 0.9  # the first layers get the coldest colour: that is where gradients die
    r_first, r_last, twin = first_vs_last(True)
    blocks = [twin.scale.position(it.norm) for it in twin.items if it.label.endswith("fc.weight")]
    assert min(blocks) > 0.25 and abs(r_first - r_last) < 0.4  # the residual twin stays warm all the way down


def test_only_grad_hides_nodes_and_edges_without_gradient():
    model = nn.Sequential(nn.Linear(4, 3))
    loss = _loss(model)
    full = viz.draw_graph(loss).source
    src = viz.draw_graph(loss, only_grad=True).source
    assert "<b>input</b>" in full and "<b>input</b>" not in src
    assert "#b0b0b0" in full and "#b0b0b0" not in src


def test_values_and_grads_on_a_scalar_graph():
    a = Tensor(2.0, requires_grad=True, name="a")
    b = Tensor(-3.0, requires_grad=True, name="b")
    c = a * b
    c.backward()
    src = viz.draw_graph(c).source
    assert "data 2<" in src and "data -3<" in src and "grad -3<" in src and "grad 2<" in src and "out -6<" in src
    bare = viz.draw_graph(c, values=False, grads=False).source
    assert "data 2<" not in bare and "grad -3<" not in bare


def test_heat_needs_no_context_manager_and_can_be_switched_off():
    x = Tensor(np.ones(3), requires_grad=True)
    y = (x * 2.0).sum()
    y.backward()
    assert all(e.norm is not None for e in viz.build_scene(y).edges)
    with viz.recording(False):
        z = (x * 2.0).sum()
        z.backward()
    assert all(e.norm is None for e in viz.build_scene(z).edges)


def test_heat_recording_leaves_gradients_unchanged_and_adopted():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2))
    x, y = autograd.randn(3, 5), autograd.randint(0, 2, (3,))
    with viz.recording(False):
        nn.functional.cross_entropy(model(x), y).backward()
    ref = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    for r, p in zip(ref, model.parameters()):
        np.testing.assert_array_equal(r, p.grad.numpy())


def test_a_long_chain_draws_and_refuses_to_render_with_advice():
    x = Tensor(np.ones(2), requires_grad=True)
    h = x
    for _ in range(6000):
        h = h * 1.0
    loss = h.sum()
    loss.backward()
    d = viz.draw_graph(loss)
    assert d.source.count(" -> ") >= 6000
    with pytest.raises(RuntimeError, match="collapse='auto'"):
        d.pipe()


def test_root_types_and_errors():
    x = Tensor(np.ones(2), requires_grad=True)
    y = (x * 2.0).sum()
    g = autograd.Graph.of(y)
    assert viz.draw_graph(g).source == viz.draw_graph(y).source
    with pytest.raises(TypeError, match="root must be"):
        viz.draw_graph(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(y, rankdir="sideways")
    assert "rankdir=LR" in viz.draw_graph(y, rankdir="LR").source


@pytest.mark.parametrize("engine", ["dot", "pure"])
def test_svg_parses_with_the_expected_node_count(engine):
    from viz.render import available_engines
    if engine not in available_engines():
        if engine == "dot" and __import__("os").environ.get("CI") == "true":
            pytest.fail("Graphviz's dot is missing under CI (apt-get install graphviz)")
        pytest.skip(f"{engine} not available")
    loss = _loss(Deep(depth=2))
    d = viz.draw_graph(loss, collapse=1)
    d.render_engine = engine
    root = ET.fromstring(d.pipe(format="svg"))
    ns = "{http://www.w3.org/2000/svg}"
    nodes = [g for g in root.iter(ns + "g") if g.get("class") == "node"]
    legend = len(re.findall(r'^\s*"legend_\w+" \[', d.source, re.M))
    assert len(nodes) == d.visible_nodes + legend
    assert d.visible_nodes == 10  # inp, blocks, out + the input + the loss's 6 ops


def test_anomaly_forward_draws_the_bad_op_with_inputs_and_source_line():
    x = Tensor(np.array([1.0, 0.0, 2.0]), requires_grad=True, name="x")
    with autograd.detect_anomaly(), pytest.raises(autograd.AnomalyError) as info:
        y = (x * 0.5).log()  # log of a 0: -inf
        y.sum().backward()
    err = info.value
    assert err.phase == "forward" and err.op == "Log"
    src = viz.draw_graph(err).source
    bad = [ln for ln in src.splitlines() if "#d62728" in ln]
    assert len(bad) == 1 and "Log ✗ inf" in bad[0]
    assert "test_viz_graph.py" in bad[0] and "log()" in bad[0]  # the user's line
    assert "[0, 1]" in bad[0]  # the input that caused it: min 0


def test_anomaly_backward_draws_the_node_whose_gradient_went_bad():
    x = Tensor(np.array([4.0, 0.0]), requires_grad=True, name="x")
    with autograd.detect_anomaly(), pytest.raises(autograd.AnomalyError) as info:
        x.sqrt().sum().backward()  # d sqrt(x)/dx at 0 is inf
    err = info.value
    assert err.phase == "backward" and err.op == "Sqrt" and err.input_index == 0
    src = viz.draw_graph(err).source
    bad = [ln for ln in src.splitlines() if "#d62728" in ln]
    assert len(bad) == 1 and "Sqrt ✗ backward" in bad[0] and "test_viz_graph.py" in bad[0]
    assert "<b>x</b>" in src


def test_scope_labels_are_module_classes():
    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU())
    loss = _loss(model, d=3)
    g = autograd.Graph.of(loss)
    assert g.scope_kinds == {"0": "Linear", "1": "ReLU"}
    assert {n.name for n in g.parameters()} == {"0.weight", "0.bias"}
    assert math.isfinite(loss.item())


def test_a_diagrams_repr_is_stable_text():
    """A notebook prints repr() beside the picture: no memory address, so re-running it changes nothing."""
    x = Tensor(np.ones(3), requires_grad=True)
    d = viz.draw_graph((x * 2).sum())
    assert repr(d) == repr(viz.draw_graph((x * 2).sum()))
    assert re.fullmatch(r"<viz\.Diagram \d+ nodes, [\d,]+ characters of DOT in \.source>", repr(d)), repr(d)
