"""viz.page: the self-contained interactive graph page, from hand-built data dicts (tests/_page_data.py).

These are the pure-Python tests: the document (offline, escaping, atomic save, Jupyter repr) and the PNG decoder of
the browser helper. The browser tests, which load the page in a headless Chromium and use its test hooks, are in
test_viz_page_browser.py (explore mode) and test_viz_page_replay.py (replay mode).
"""
from __future__ import annotations

import html
import json
import os
import re
import struct
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from _page_data import big_graph, small_graph
from browser import decode_png, screenshot_is_not_blank

from viz.page import HTMLPage, graph_page


def _embedded_data(page: HTMLPage) -> dict:
    m = re.search(r'<script type="application/json" id="tracegrad-data">(.*?)</script>', page.html, re.S)
    assert m, "the data element is missing"
    return json.loads(m.group(1))


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
    assert page.html.lower().count("</script") == 3  # the data, the vendored library, the page's script
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


def test_every_part_of_the_script_is_inlined_once_in_order():
    from viz import page as page_module

    static = Path(page_module.__file__).parent / "static"
    assert set(page_module._GRAPH) == {p.name for p in static.glob("*.js")}, "a script part that is not inlined"
    assert page_module._GRAPH[0] == "graph_model.js" and page_module._GRAPH[-1] == "graph.js"
    text = graph_page(small_graph()).html
    at = [text.find(f"/* ---- static/{name} ---- */") for name in page_module._GRAPH]
    assert -1 not in at and at == sorted(at), at
    assert all(text.count(f"/* ---- static/{name} ---- */") == 1 for name in page_module._GRAPH)
    assert text.count("window.__tg = {}") == 1 and "@dagrejs/dagre 3.1.3" in text
