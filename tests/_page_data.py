"""Shared by the page tests (test_viz_page.py, test_viz_page_browser.py, test_viz_page_replay.py): hand-built graph
data for viz.page.graph_page (a small MLP with nested modules and a fold group, in explore or replay mode, and a big
chain of collapsed modules), and the helpers the browser tests drive the page with (tests/browser.py has the
browser itself). Set TRACEGRAD_SHOTS=<dir> to keep the screenshots.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

from browser import console_errors, open_page

from viz.page import graph_page

VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b",
           "#fde725"]
LO, HI = 1e-6, 2.5


def heat(v: float | None) -> str | None:
    """The stop nearest to v on the log scale LO..HI (what the graph model would compute; good enough here)."""
    if v is None or v <= 0:
        return None
    t = (math.log10(v) - math.log10(LO)) / (math.log10(HI) - math.log10(LO))
    return VIRIDIS[round(min(1.0, max(0.0, t)) * (len(VIRIDIS) - 1))]


def _node(i, label, kind, scope, shape="(8, 16)", grad=0.1, value="‖·‖ 3.2  [-1, 2]"):
    g = None if grad is None else f"‖·‖ {grad:.3g}"
    lines = [f"{shape} float64"] + ([f"value {value}"] if kind != "op" else []) + ([f"grad {g}"] if g else [])
    return {"id": f"n{i}", "label": label, "kind": kind, "scope": scope, "lines": lines, "color": heat(grad),
            "info": {"op": label, "scope": scope or "(top level)", "shape": shape, "dtype": "float64",
                     "value": value, "grad": g or "none"}}


def small_graph(mode: str = "explore") -> dict:
    """An MLP with a residual pair folded into a group: 18 nodes, nested modules, one of them collapsed."""
    N = [
        _node(0, "x", "input", "", grad=None),
        _node(1, "fc1.weight", "param", "net.fc1", "(16, 16)", 0.05),
        _node(2, "fc1.bias", "param", "net.fc1", "(16,)", 0.02),
        _node(3, "MatMul", "op", "net.fc1", grad=0.3),
        _node(4, "Add", "op", "net.fc1", grad=0.3),
        _node(5, "ReLU", "op", "net.act", grad=0.25),
        _node(6, "blocks.0.weight", "param", "net.blocks.0", "(16, 16)", 0.01),
        _node(7, "MatMul", "op", "net.blocks.0", grad=0.2),
        _node(8, "Add", "op", "net.blocks.0", grad=0.2),
        _node(9, "blocks.1.weight", "param", "net.blocks.1", "(16, 16)", 3e-3),
        _node(10, "MatMul", "op", "net.blocks.1", grad=0.15),
        _node(11, "Add", "op", "net.blocks.1", grad=0.15),
        _node(12, "fc2.weight", "param", "net.fc2", "(16, 1)", 1e-4),
        _node(13, "MatMul", "op", "net.fc2", "(8, 1)", 0.9),
        _node(14, "y", "input", "", "(8, 1)", None),
        _node(15, "Sub", "op", "", "(8, 1)", 1.2),
        _node(16, "2", "const", "", "()", None, value="2"),
        _node(17, "Pow", "op", "", "(8, 1)", 2.0),
        _node(18, "loss = Mean", "output", "", "()", 1.0),
    ]
    pairs = [(0, 3), (1, 3), (3, 4), (2, 4), (4, 5), (5, 7), (6, 7), (7, 8), (5, 8), (8, 10), (9, 10), (10, 11),
             (8, 11), (11, 13), (12, 13), (13, 15), (14, 15), (15, 17), (16, 17), (17, 18)]
    grads = {n["id"]: n["color"] for n in N}
    E = [{"src": f"n{a}", "dst": f"n{b}", "color": grads[f"n{b}"], "width": 1.0 + 3 * (b / 18), "norm": 0.1 * b}
         for a, b in pairs]
    M = [
        {"path": "net", "label": "net: MLP", "parent": "", "lines": ["545 params", "in (8, 16) → out (8, 1)"],
         "color": heat(0.9), "collapsed": False},
        {"path": "net.fc1", "label": "fc1: Linear", "parent": "net", "lines": ["272 params"], "color": heat(0.3),
         "collapsed": False},
        {"path": "net.act", "label": "act: ReLU", "parent": "net", "lines": [], "color": heat(0.25),
         "collapsed": False},
        {"path": "net.blocks", "label": "blocks: Sequential", "parent": "net", "lines": ["512 params"],
         "color": heat(0.2), "collapsed": False},
        {"path": "net.blocks.0-1", "label": "blocks.0–1: Residual × 2", "parent": "net.blocks",
         "lines": ["512 params"], "color": heat(0.2), "collapsed": False,
         "members": ["net.blocks.0", "net.blocks.1"]},
        {"path": "net.blocks.0", "label": "blocks.0: Residual", "parent": "net.blocks", "lines": ["256 params"],
         "color": heat(0.2), "collapsed": False},
        {"path": "net.blocks.1", "label": "blocks.1: Residual", "parent": "net.blocks",
         "lines": ["256 params", "grad out ‖·‖ 0.15"], "color": heat(0.15), "collapsed": True},
        {"path": "net.fc2", "label": "fc2: Linear", "parent": "net", "lines": ["16 params"], "color": heat(0.9),
         "collapsed": False},
    ]
    data = {"title": "small MLP", "mode": mode, "rankdir": "TB", "nodes": N, "edges": E, "modules": M,
            "heat": {"lo": LO, "hi": HI, "stops": VIRIDIS, "label": "‖∂L/∂x‖ (log scale)"}}
    if mode == "replay":
        # backward order: loss first, then each node once every consumer has sent its gradient
        order = [18, 17, 15, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
        inputs: dict[int, list[int]] = {}
        for a, b in pairs:
            inputs.setdefault(b, []).append(a)
        frames = []
        for k in order:
            frames.append({
                "node": f"n{k}", "text": f"step: {N[k]['label']} (n{k}) sends its gradient to its inputs",
                "grad": f"{0.1 * k:.3g}",
                "received": [{"from": f"n{b}", "text": f"∂L/∂n{k} += from n{b}", "value": f"{0.01 * b:.3g}"}
                             for a, b in pairs if a == k],
                "contributions": [{"to": f"n{a}", "text": f"∂L/∂n{a} += ∂L/∂n{k} · local", "value": f"{0.1 * a:.3g}"}
                                  for a in inputs.get(k, [])],
            })
        data["frames"] = frames
        for m in data["modules"]:
            m["collapsed"] = False
    return data


def big_graph(modules: int = 50, ops: int = 100) -> dict:
    """modules × ops nodes in a chain of modules (plus an input and the loss), every module collapsed."""
    nodes = [{"id": "x", "label": "x", "kind": "input", "scope": "", "lines": ["(64, 128) float32"], "color": None,
              "info": {"op": "input", "shape": "(64, 128)"}}]
    edges = []
    mods = []
    prev = "x"
    for m in range(modules):
        path = f"layers.{m}"
        mods.append({"path": path, "label": f"layers.{m}: Block", "parent": "", "lines": [f"{ops} ops", "1,024 params"],
                     "color": heat(10 ** (-5 + 5 * m / modules)), "collapsed": True})
        param = None
        for j in range(ops):
            i = len(nodes)
            kind = "param" if j % 10 == 0 else "op"
            g = 10 ** (-5 + 5 * (m * ops + j) / (modules * ops))
            nodes.append({"id": f"n{i}", "label": "W" if kind == "param" else ("MatMul", "Add", "Tanh")[j % 3],
                          "kind": kind, "scope": path, "lines": ["(64, 128) float32", f"grad ‖·‖ {g:.2g}"],
                          "color": heat(g), "info": {"op": "MatMul", "scope": path, "grad": f"{g:.3g}"}})
            if kind == "param":
                param = f"n{i}"
                continue
            edges.append({"src": prev, "dst": f"n{i}", "color": heat(g), "width": 1 + g, "norm": g})
            if param:
                edges.append({"src": param, "dst": f"n{i}", "color": heat(g), "width": 1.0, "norm": g})
                param = None
            prev = f"n{i}"
    nodes.append({"id": "loss", "label": "loss", "kind": "output", "scope": "", "lines": ["() float32"],
                  "color": heat(1.0), "info": {"op": "Mean"}})
    edges.append({"src": prev, "dst": "loss", "color": heat(1.0), "width": 2.0, "norm": 1.0})
    return {"title": f"{modules} × {ops} ops", "mode": "explore", "rankdir": "TB", "nodes": nodes, "edges": edges,
            "modules": mods, "heat": {"lo": LO, "hi": HI, "stops": VIRIDIS, "label": "‖∂L/∂x‖ (log scale)"}}



def _shot(driver, name: str) -> bytes:
    png = driver.get_screenshot_as_png()
    out = os.environ.get("TRACEGRAD_SHOTS")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / name).write_bytes(png)
    return png


def _load(driver, tmp_path, data, name="page.html", timeout=60.0) -> float:
    path = graph_page(data).save(tmp_path / name)
    return open_page(driver, path, timeout)


def _count(driver) -> int:
    n = driver.execute_script("return window.tracegrad.visibleCount()")
    assert n == len(driver.find_elements("css selector", "svg g.node")), "visibleCount disagrees with the SVG"
    return n


def _pointer(driver, selector: str, click: bool) -> None:
    """A real mouse move (and click) onto an SVG element; when it lies outside the graph's area, press "fit" first
    (as a user would pan to it)."""
    from selenium.webdriver.common.action_chains import ActionChains

    inside = """const r = arguments[0].getBoundingClientRect();
                const g = document.getElementById('graph').getBoundingClientRect();
                return r.left >= g.left && r.right <= g.right && r.top >= g.top && r.bottom <= g.bottom;"""
    el = driver.find_element("css selector", selector)
    if not driver.execute_script(inside, el):
        driver.find_element("id", "fit").click()
    chain = ActionChains(driver).move_to_element(el)
    (chain.click() if click else chain).perform()


def _click(driver, selector: str) -> None:
    _pointer(driver, selector, True)


def _hover(driver, selector: str) -> None:
    _pointer(driver, selector, False)


def _severe(driver) -> list[str]:
    return [e["message"] for e in console_errors(driver)]
