"""viz.page: the self-contained interactive graph page, from hand-built data dicts.

The pure-Python tests check the document (offline, escaping, atomic save, Jupyter repr); the browser tests load the
page in a headless Chromium (tests/browser.py: skipped where chromium is missing, failed under CI=true) and use the
page's test hooks: ``g.node[data-id]``, ``g.cluster[data-path] .cluster-label``, ``window.tracegrad``, and the ids
tooltip, heatbar, prev, next, slider, caption. Set TRACEGRAD_SHOTS=<dir> to keep the screenshots.
"""
from __future__ import annotations

import html
import json
import math
import os
import re
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from browser import browser_fixture, console_errors, decode_png, open_page, screenshot_is_not_blank  # noqa: F401

from viz.page import HTMLPage, graph_page

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


def _embedded_data(page: HTMLPage) -> dict:
    m = re.search(r'<script type="application/json" id="tracegrad-data">(.*?)</script>', page.html, re.S)
    assert m, "the data element is missing"
    return json.loads(m.group(1))


# ------------------------------------------------------------------------------------------ pure Python
def test_page_is_one_offline_document():
    page = graph_page(small_graph())
    assert page.html.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page.html, re.I), "fetches something"
    assert not re.search(r"<script[^>]*\bsrc\s*=", page.html, re.I)
    assert not re.search(r"<link\b", page.html, re.I)
    assert "sourceMappingURL" not in page.html
    assert "dagre" in page.html and "window.tracegrad" in page.html
    assert _embedded_data(page)["nodes"][3]["label"] == "MatMul"


def test_script_end_in_a_label_is_escaped():
    evil = "</script><script>alert(1)</script><!-- & </SCRIPT >"
    data = small_graph()
    data["nodes"][3]["label"] = evil
    data["nodes"][3]["info"]["op"] = evil
    page = graph_page(data, title="<b>t</b> & </title>")
    assert evil not in page.html
    assert page.html.lower().count("</script") == 3  # the data, the vendored library, graph.js: nothing else
    assert _embedded_data(page)["nodes"][3]["label"] == evil
    assert "<title>&lt;b&gt;t&lt;/b&gt; &amp; &lt;/title&gt;</title>" in page.html


def test_title_argument_and_default():
    assert graph_page({"nodes": []}).title == "tracegrad graph"
    data = small_graph()
    assert graph_page(data).title == "small MLP"
    page = graph_page(data, title="other")
    assert page.title == "other" and _embedded_data(page)["title"] == "other"
    assert data["title"] == "small MLP"  # the caller's dict is not changed
    with pytest.raises(TypeError):
        graph_page([])


def test_nan_numpy_and_missing_fields_do_not_break_the_json():
    data = {"nodes": [{"id": "a"}, {"id": "b", "label": "B", "lines": ["x"]}],
            "edges": [{"src": "a", "dst": "b", "width": float("nan"), "norm": np.float32(0.5)},
                      {"src": "a", "dst": "nowhere"}],
            "heat": {"lo": np.float64(1e-3), "hi": float("inf"), "stops": ["#000000", "#ffffff"]}}
    got = _embedded_data(graph_page(data))
    assert got["edges"][0]["width"] is None and got["edges"][0]["norm"] == 0.5
    assert got["heat"]["hi"] is None and got["heat"]["lo"] == 1e-3


def test_save_is_atomic_and_returns_the_path(tmp_path, monkeypatch):
    page = graph_page(small_graph())
    target = tmp_path / "graph.html"
    target.write_text("old page")
    calls = []
    real_replace = os.replace

    def spy(src, dst):
        calls.append((Path(src), Path(dst)))
        assert Path(src).parent == tmp_path and Path(src).read_text(encoding="utf-8") == page.html
        if len(calls) == 1:
            assert target.read_text() == "old page"  # not touched until the replace
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    assert page.save(target) == target
    assert page.save(str(target)) == target
    assert len(calls) == 2 and calls[0][1] == target
    assert target.read_text(encoding="utf-8") == page.html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html"]  # no temporary file left behind

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        HTMLPage("new").save(target)
    assert target.read_text(encoding="utf-8") == page.html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.html"]


def test_repr_html_embeds_the_page_in_an_iframe():
    page = graph_page(small_graph())
    r = page._repr_html_()
    assert r.startswith("<iframe ") and r.endswith("</iframe>")
    m = re.search(r'srcdoc="([^"]*)"', r)
    assert m and html.unescape(m.group(1)) == page.html
    assert "<script" not in r and re.search(r"height:\s*\d+px", r)
    assert repr(page).startswith("<HTMLPage 'small MLP'") and str(page) == page.html


def test_a_5000_node_page_is_built_quickly():
    data = big_graph()
    assert len(data["nodes"]) == 5002
    t0 = time.perf_counter()
    page = graph_page(data)
    took = time.perf_counter() - t0
    print(f"\ngraph_page for {len(data['nodes']):,} nodes, {len(data['edges']):,} edges: {took * 1000:.0f} ms, "
          f"{len(page.html) / 1e6:.2f} MB")
    assert len(_embedded_data(page)["nodes"]) == 5002


def _png(pixels: np.ndarray, filters: list[int]) -> bytes:
    """A PNG of uint8 (h, w, 4) pixels, each row written with the given filter type (a tiny encoder for the test)."""
    h, w, ch = pixels.shape
    px = pixels.astype(np.int32)
    rows = []
    for r in range(h):
        cur, up = px[r], px[r - 1] if r else np.zeros_like(px[0])
        left = np.vstack([np.zeros((1, ch), np.int32), cur[:-1]])
        ul = np.vstack([np.zeros((1, ch), np.int32), up[:-1]])
        p = left + up - ul
        pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
        paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, ul))
        pred = [0 * cur, left, up, (left + up) // 2, paeth][filters[r]]
        rows.append(bytes([filters[r]]) + ((cur - pred) & 0xFF).astype(np.uint8).tobytes())

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


def test_the_png_decoder_of_the_browser_helper():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (23, 17, 4), dtype=np.uint8)
    png = _png(pixels, [r % 5 for r in range(23)])
    np.testing.assert_array_equal(decode_png(png), pixels)
    assert screenshot_is_not_blank(png)
    blank = np.full((30, 40, 4), 250, np.uint8)
    assert not screenshot_is_not_blank(_png(blank, [r % 5 for r in range(30)]))
    blank[10:12, 5:9] = 0  # 8 of 1,200 pixels differ: 0.67 %, above the 0.2 % threshold
    assert screenshot_is_not_blank(_png(blank, [0] * 30))


# ------------------------------------------------------------------------------------------ in the browser
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


def test_small_page_loads_draws_and_has_no_console_errors(browser, tmp_path):
    _load(browser, tmp_path, small_graph())
    assert _severe(browser) == []
    ids = {el.get_attribute("data-id") for el in browser.find_elements("css selector", "svg g.node")}
    # everything but the three nodes of the collapsed blocks.1, which is one module node instead
    assert ids == {f"n{i}" for i in range(19)} - {"n9", "n10", "n11"} | {"m:net.blocks.1"}
    assert browser.find_element("css selector", 'g.node[data-id="m:net.blocks.1"]').get_attribute("class") \
        .split() >= ["node", "module"]
    paths = {el.get_attribute("data-path") for el in browser.find_elements("css selector", "svg g.cluster")}
    assert paths == {"net", "net.fc1", "net.act", "net.blocks", "net.blocks.0-1", "net.blocks.0", "net.fc2"}
    # text is readable: node labels are drawn at 13 px or more and fit inside their shapes
    boxes = browser.execute_script("""
        return [...document.querySelectorAll('g.node')].map(g => {
          const s = g.querySelector('.shape:not(.tab)').getBoundingClientRect(), t = g.querySelector('text.lbl');
          const r = t.getBoundingClientRect();
          return [parseFloat(getComputedStyle(t).fontSize), s.left <= r.left + 1 && r.right <= s.right + 1];
        });""")
    k = browser.execute_script("return window.tracegrad.view.k")
    assert all(size * k >= 9 and inside for size, inside in boxes), (k, boxes)
    assert screenshot_is_not_blank(_shot(browser, "small.png"))


def test_clicking_modules_expands_and_collapses_them(browser, tmp_path):
    _load(browser, tmp_path, small_graph())
    before = _count(browser)
    _click(browser, 'g.node.module[data-id="m:net.blocks.1"]')
    expanded = _count(browser)
    assert expanded == before + 2  # the module node became its three nodes
    assert browser.find_elements("css selector", 'g.cluster[data-path="net.blocks.1"]')
    _click(browser, 'g.cluster[data-path="net.fc1"] > .cluster-label')
    assert _count(browser) == expanded - 3  # fc1's four nodes became one module node
    assert browser.find_elements("css selector", 'g.node.module[data-id="m:net.fc1"]')
    # the fold group collapses to one node standing for both blocks, and expands back
    _click(browser, 'g.cluster[data-path="net.blocks.0-1"] > .cluster-label')
    assert browser.find_elements("css selector", 'g.node.module.group[data-id="m:net.blocks.0-1"]')
    assert _count(browser) == expanded - 3 - 5
    assert browser.execute_script("return window.tracegrad.toggle('net.blocks.0-1')") == expanded - 3
    assert _severe(browser) == []


def test_hovering_a_node_shows_its_details(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains

    _load(browser, tmp_path, small_graph())
    tip = browser.find_element("id", "tooltip")
    assert not tip.is_displayed()
    _hover(browser, 'g.node[data-id="n3"]')
    assert tip.is_displayed()
    text = tip.text
    for word in ("MatMul", "op", "scope", "net.fc1", "shape", "(8, 16)", "dtype", "float64", "value",
                 "‖·‖ 3.2", "grad", "‖·‖ 0.3"):
        assert word in text, (word, text)
    ActionChains(browser).move_to_element(browser.find_element("id", "title")).perform()
    assert not tip.is_displayed()
    # a collapsed module's tooltip has its lines; a click pins a node's details
    _hover(browser, "g.node.module")
    assert "grad out ‖·‖ 0.15" in tip.text and "click to expand" in tip.text
    _click(browser, 'g.node[data-id="n18"]')
    assert "loss = Mean" in tip.text and "pinned" in tip.get_attribute("class")
    assert _severe(browser) == []


def test_the_heat_colour_bar(browser, tmp_path):
    _load(browser, tmp_path, small_graph())
    bar = browser.find_element("id", "heatbar")
    assert bar.is_displayed()
    assert "1e-6" in bar.text and "2.5" in bar.text and "‖∂L/∂x‖ (log scale)" in bar.text
    background = browser.execute_script("return getComputedStyle(document.querySelector('#heatbar .heat-bar'))"
                                        ".backgroundImage")
    assert background.startswith("linear-gradient") and "rgb(68, 1, 84)" in background  # the first stop


def test_replay_steps_with_buttons_keys_and_slider(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    data = small_graph("replay")
    n = len(data["frames"])
    _load(browser, tmp_path, data)
    assert _severe(browser) == []

    def frame():
        return browser.execute_script("return window.tracegrad.frame")

    def current():
        cur = browser.find_elements("css selector", "g.node.current")
        assert len(cur) == 1
        return cur[0].get_attribute("data-id")

    assert frame() == 0 and current() == "n18"
    assert browser.find_element("id", "caption").text.startswith("step: loss = Mean")
    assert browser.find_element("id", "counter").text == f"1 / {n}"
    browser.find_element("id", "next").click()
    assert frame() == 1 and current() == "n17"
    assert browser.find_elements("css selector", 'g.node.done[data-id="n18"]')
    assert browser.find_elements("css selector", "g.edge.traversed")
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    assert frame() == 2 and current() == "n15"
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
    assert frame() == 3 and current() == "n13"
    panel = browser.find_element("id", "panel").text
    assert "received" in panel.lower() and "∂L/∂n12 += ∂L/∂n13 · local" in panel and "= 1.2" in panel
    ActionChains(browser).send_keys(Keys.ARROW_LEFT).perform()
    assert frame() == 2 and current() == "n15"
    browser.find_element("id", "prev").click()
    assert frame() == 1
    slider = browser.find_element("id", "slider")
    ActionChains(browser).move_to_element_with_offset(slider, slider.size["width"] // 2 - 2, 0).click().perform()
    assert frame() >= n - 2 and current() != "n17"
    assert browser.find_element("id", "counter").text == f"{frame() + 1} / {n}"
    browser.execute_script("window.tracegrad.setFrame(7)")
    assert frame() == 7 and current() == f"n{[18, 17, 15, 13, 12, 11, 10, 9][7]}"
    assert screenshot_is_not_blank(_shot(browser, "replay.png"))
    assert _severe(browser) == []


def test_a_5000_node_graph_starts_collapsed_and_expands(browser, tmp_path):
    data = big_graph()
    t0 = time.perf_counter()
    page = graph_page(data)
    built = time.perf_counter() - t0
    path = page.save(tmp_path / "big.html")
    loaded = open_page(browser, path, timeout=120)
    first = browser.execute_script("return window.tracegrad.lastLayoutMs")
    assert _severe(browser) == []
    assert _count(browser) == 52  # input, loss and 50 module nodes
    _click(browser, 'g.node.module[data-id="m:layers.7"]')
    after = _count(browser)
    second = browser.execute_script("return window.tracegrad.lastLayoutMs")
    assert after == 52 - 1 + 100
    print(f"\n5,002 nodes: graph_page {built * 1000:.0f} ms; page load {loaded:.2f} s (first layout {first:.0f} ms); "
          f"layout after expanding one module {second:.0f} ms")
    assert screenshot_is_not_blank(_shot(browser, "big-expanded.png"))
    _click(browser, 'g.cluster[data-path="layers.7"] .cluster-label')
    assert _count(browser) == 52
    assert _severe(browser) == []


ODD = {
    "empty": {},
    "nodes only, no modules, no heat": {"nodes": [{"id": "a"}, {"id": "b", "kind": "weird", "color": "red"}],
                                        "edges": [{"src": "a", "dst": "b"}, {"src": "b", "dst": "a"},
                                                  {"src": "a", "dst": "zz"}, {"src": "a", "dst": "a"}],
                                        "heat": None, "rankdir": "LR"},
    "modules without nodes, parent cycle": {"nodes": [{"id": "x", "scope": "m.sub.deeper"}],
                                            "modules": [{"path": "m", "parent": "m.sub"},
                                                        {"path": "m.sub", "parent": "m", "collapsed": True},
                                                        {"path": "empty", "collapsed": False},
                                                        {"path": "folded", "members": ["nope"], "collapsed": True}]},
    "replay with unknown nodes": {"mode": "replay", "nodes": [{"id": "a"}],
                                  "frames": [{"node": "ghost", "received": [{"from": "a"}], "contributions": None},
                                             {"node": "a"}, "junk"]},
    "replay without frames": {"mode": "replay", "nodes": [{"id": "a", "info": {"nested": {"k": [1, 2]}}}]},
}


@pytest.mark.parametrize("name", list(ODD))
def test_odd_or_incomplete_data_still_draws(browser, tmp_path, name):
    _load(browser, tmp_path, ODD[name])
    assert _severe(browser) == []
    assert browser.execute_script("return window.tracegrad.visibleCount()") == len(
        browser.find_elements("css selector", "svg g.node"))
    browser.find_element("id", "fit").click()
    browser.execute_script("window.tracegrad.setFrame(1); window.tracegrad.setFrame(-5)")
    assert _severe(browser) == []
