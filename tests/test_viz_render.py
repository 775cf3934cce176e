"""viz.render: DOT -> SVG/PNG/PDF through Graphviz's dot or the pip-installed graphviz-pure, with real layouts.

Each engine test runs for both engines. An engine missing here is skipped, except under CI=true, where it fails:
CI must exercise both paths.
"""

import os
import pathlib
import xml.etree.ElementTree as ET

import graphviz
import pytest

from viz import render

SVG_NS = "{http://www.w3.org/2000/svg}"

# 7 nodes in 2 clusters, HTML-like labels on nodes and on a cluster, a port, colored and thick edges
CLUSTERS = r"""digraph G {
  node [shape=box, fontname="Helvetica"];
  subgraph cluster_fwd { label="forward"; style=filled; color=lightgrey;
    x [shape=plaintext, label=<<table border="0" cellborder="1" cellspacing="0">
         <tr><td bgcolor="#ddeeff"><b>x</b></td></tr><tr><td>shape (3, 4)</td></tr></table>>];
    w [shape=plaintext, label=<<table border="0" cellborder="1"><tr><td port="p"><i>W</i></td></tr></table>>];
    mm [label="matmul"];
  }
  subgraph cluster_bwd { label=<<b>backward</b>>; color=blue;
    g1 [label="MatMulBackward"]; g2 [label="AddBackward"]; g3 [label=<grad<sub>x</sub>>];
  }
  out [label=<<font color="red">loss</font><br/>0.25>];
  x -> mm; w:p -> mm; mm -> out [color=red, penwidth=2.5];
  out -> g2 [style=dashed]; g2 -> g1; g1 -> g3;
}
"""

RECORDS = r"""digraph R { rankdir=LR; node [shape=record];
  a [label="<f0> left|<f1> middle|<f2> right"]; b [label="{<x> one|{two|three}}"];
  c [shape=Mrecord, label="{data|grad}"];
  a:f1 -> b:x [color="#ff0000", penwidth=3]; a:f2 -> c [color="red:blue"];
}
"""


def _groups(svg: bytes | str, cls: str) -> list[ET.Element]:
    root = ET.fromstring(svg.encode() if isinstance(svg, str) else svg)
    return [g for g in root.iter(SVG_NS + "g") if g.get("class") == cls]


def _texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(SVG_NS + "text")]


def _require(engine: str) -> None:
    if engine in render.available_engines():
        return
    how = "apt-get install graphviz" if engine == "dot" else f"pip install '{render.FALLBACK_PIN}'"
    msg = f"the {engine!r} Graphviz engine is not available here ({how})"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{msg}; under CI=true both engines must be tested")
    pytest.skip(msg)


@pytest.fixture(params=["dot", render.FALLBACK])
def engine(request):
    _require(request.param)
    return request.param


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """PATH is an empty directory: no `dot` (graphviz-pure is still found through its installed distribution)."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(render.ENV_VAR, raising=False)


def _diagram(engine: str | None) -> render.Diagram:
    d = render.Diagram("net", render_engine=engine)
    d.attr(rankdir="LR")
    with d.subgraph(name="cluster_layer") as c:
        c.attr(label="Linear")
        c.node("W", label="<<table border='0'><tr><td><b>W</b></td><td>(4, 2)</td></tr></table>>", shape="plaintext")
        c.node("b")
    d.node("x")
    d.edge("x", "W", color="red", penwidth="2")
    d.edge("W", "b")
    return d


# --- the layouts themselves ------------------------------------------------------------------------------------


def test_clusters_and_html_labels(engine):
    svg = render.render_dot(CLUSTERS, "svg", engine=engine)
    assert len(_groups(svg, "node")) == 7
    assert len(_groups(svg, "cluster")) == 2
    assert len(_groups(svg, "edge")) == 6
    texts = _texts(svg)
    # the HTML-like labels were laid out as HTML (an engine without HTML support prints the node names instead)
    assert "shape (3, 4)" in texts and "backward" in texts and "loss" in texts
    assert "cluster_bwd" not in texts


def test_records_ports_and_lr(engine):
    svg = render.render_dot(RECORDS, engine=engine)
    assert len(_groups(svg, "node")) == 3
    assert len(_groups(svg, "edge")) == 2
    assert {"left", "middle", "right", "two", "grad"} <= set(_texts(svg))


def test_larger_graph_node_count(engine):
    n = 300
    lines = ["digraph T { node [shape=box];"] + [f"n{i} -> n{(i - 1) // 2};" for i in range(1, n)] + ["}"]
    svg = render.render_dot("\n".join(lines), engine=engine)
    assert len(_groups(svg, "node")) == n


def test_png(engine):
    png = render.render_dot(CLUSTERS, "png", engine=engine)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_pdf_with_dot_only(engine):
    if engine == "dot":
        assert render.render_dot(CLUSTERS, "pdf", engine="dot").startswith(b"%PDF")
    else:
        with pytest.raises(RuntimeError, match=r"'pdf'.*apt-get install graphviz"):
            render.render_dot(CLUSTERS, "pdf", engine=engine)


def test_layout_error_carries_the_engines_message(engine):
    with pytest.raises(render.LayoutError, match="syntax error") as info:
        render.render_dot("digraph { a -> ; }", engine=engine)
    assert isinstance(info.value, RuntimeError)


def test_unknown_format_lists_the_supported_ones():
    with pytest.raises(ValueError, match="svg, png, pdf"):
        render.render_dot("digraph { a }", "gif")
    with pytest.raises(ValueError):
        render.Diagram().pipe(format="bogus")


# --- Diagram ----------------------------------------------------------------------------------------------------


def test_diagram_render_svg_writes_and_returns_the_path(engine, tmp_path):
    d = _diagram(engine)
    target = tmp_path / "out" / "graph"
    path = d.render(str(target), format="svg")
    assert path == str(target) + ".svg"
    svg = pathlib.Path(path).read_bytes()
    assert len(_groups(svg, "node")) == 3 and len(_groups(svg, "cluster")) == 1
    assert target.read_text() == d.source  # the DOT source is saved beside it, as graphviz does
    # overwrite in place, and no temporary files are left behind
    d.node("extra")
    assert d.render(str(target), format="svg", cleanup=True) == path
    assert len(_groups(pathlib.Path(path).read_bytes(), "node")) == 4
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["graph.svg"]


def test_diagram_render_png_from_outfile_suffix(engine, tmp_path):
    d = _diagram(engine)
    out = tmp_path / "x.png"
    path = d.render(outfile=out)
    assert path == str(out)
    assert out.read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "x.gv").read_text() == d.source


def test_diagram_render_pdf_with_dot(tmp_path):
    _require("dot")
    path = _diagram("dot").render(outfile=tmp_path / "g.pdf")
    assert pathlib.Path(path).read_bytes().startswith(b"%PDF")


def test_diagram_is_a_digraph_and_displays(engine, tmp_path):
    d = _diagram(engine)
    assert isinstance(d, graphviz.Digraph)
    assert d.render_engine == engine and d.engine == "dot" and d.format == "svg"
    assert d.source.startswith("digraph net {") and "x -> W" in d.source
    assert any("rankdir=LR" in line for line in d.body)
    with d.subgraph(name="cluster_sub") as c:  # subgraphs and copies keep the engine choice
        assert isinstance(c, render.Diagram) and c.render_engine == engine
        c.node("s")
    assert d.copy().render_engine == engine

    svg = d.svg()
    assert len(_groups(svg, "node")) == 4
    assert d.pipe(format="svg") == svg.encode()
    assert d.pipe(format="svg", encoding="utf-8") == svg
    bundle = d._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"] and len(_groups(bundle["image/svg+xml"], "node")) == 4
    assert d._repr_mimebundle_(include=["image/png"])["image/png"].startswith(b"\x89PNG")

    path = d.save_svg(tmp_path / "sub" / "d.svg")
    assert path == str(tmp_path / "sub" / "d.svg")
    assert len(_groups(pathlib.Path(path).read_bytes(), "node")) == 4


def test_diagram_other_layout_program(engine):
    d = render.Diagram(engine="neato", render_engine=engine)
    d.edges([("a", "b"), ("b", "c"), ("c", "a")])
    assert len(_groups(d.svg(), "node")) == 3


# --- choosing the engine ----------------------------------------------------------------------------------------


def test_env_var_forces_the_choice(engine, monkeypatch):
    monkeypatch.setenv(render.ENV_VAR, engine)
    assert render.choose_engine() == engine
    assert render.choose_engine("auto") == render.available_engines()[0]  # the argument wins over the env var
    d = render.Diagram()
    d.edge("a", "b")
    assert len(_groups(d.svg(), "node")) == 2
    monkeypatch.setenv(render.ENV_VAR, "cairo")
    with pytest.raises(ValueError, match="auto, dot, pure"):
        render.choose_engine()


def test_auto_prefers_dot(monkeypatch):
    _require("dot")
    monkeypatch.delenv(render.ENV_VAR, raising=False)
    assert render.choose_engine() == "dot"
    monkeypatch.setenv(render.ENV_VAR, "auto")
    assert render.choose_engine() == "dot"


def test_without_dot_auto_uses_the_fallback(no_dot, monkeypatch):
    _require(render.FALLBACK)
    assert render.available_engines() == [render.FALLBACK]
    assert render.choose_engine() == render.FALLBACK
    monkeypatch.setenv(render.ENV_VAR, "auto")
    assert render.choose_engine() == render.FALLBACK
    assert len(_groups(render.render_dot(CLUSTERS), "node")) == 7
    assert len(_groups(render.Diagram(body=["a -> b\n"]).svg(), "node")) == 2

    monkeypatch.setenv(render.ENV_VAR, "dot")
    with pytest.raises(RuntimeError, match="apt-get install graphviz") as info:
        render.choose_engine()
    assert "brew install graphviz" in str(info.value)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        render.Diagram().pipe()
    with pytest.raises(RuntimeError, match=r"'pdf'.*apt-get install graphviz"):
        render.render_dot(CLUSTERS, "pdf", engine="auto")


def test_with_no_engine_the_error_says_what_to_install(no_dot, monkeypatch):
    monkeypatch.setattr(render, "_FALLBACK_DIST", "graphviz-pure-not-installed")
    monkeypatch.setattr(render, "_FALLBACK_PROGRAM", "graphviz-pure-not-installed")
    assert render.available_engines() == []
    for choice in (None, "auto"):
        with pytest.raises(RuntimeError) as info:
            render.choose_engine(choice)
        assert f"pip install '{render.FALLBACK_PIN}'" in str(info.value)
        assert "apt-get install graphviz" in str(info.value)
    with pytest.raises(RuntimeError, match=r"pip install 'graphviz-pure=="):
        render.choose_engine(render.FALLBACK)
    with pytest.raises(RuntimeError, match="pip install"):
        _diagram(None).svg()


def test_fallback_pin_is_the_declared_dependency():
    pyproject = (pathlib.Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert f'"{render.FALLBACK_PIN}"' in pyproject
