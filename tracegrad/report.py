"""The run report: one self-contained HTML file (every figure inline, no network) that a person opens after a run.

It shows an accuracy table for every model, loss and accuracy curves, the gradient-flow heatmaps side by side on one
colour scale with each diagnosis in words, a per-layer gain plot, the module-clustered graph with gradient heat, and
the interactive graph explorer embedded. ``build_report`` takes plain data (what a run saved), so ``tracegrad report
RUN_DIR`` rebuilds it from the files alone.
"""
from __future__ import annotations

import base64
import html
import io
import os
from typing import Any

import viz
from viz.files import write_atomic

CSS = " ".join("""
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #1d1d1f;
  background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 34px 0 8px; border-bottom: 1px solid #ddd; }
p.lead { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 12px; border-bottom: 1px solid #e3e3e3; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f0f0f0; }
figure { margin: 12px 0; }
figure img { max-width: 100%; height: auto; background: white; border: 1px solid #e5e5e5; }
figcaption { color: #555; font-size: 14px; margin-top: 4px; }
.verdict { display: inline-block; padding: 2px 8px; border-radius: 10px; font-size: 13px; font-weight: 600; }
.healthy { background: #e3f5e1; color: #1e6b1e; }
.problem { background: #fde2e1; color: #9b1c1c; }
pre.diag { background: white; border: 1px solid #e5e5e5; padding: 10px; font-size: 12.5px; white-space: pre-wrap; }
.graph svg { max-width: 100%; height: auto; }
iframe { width: 100%; height: 640px; border: 1px solid #ddd; background: white; }
""".split())


def png_data_uri(fig: Any, dpi: int = 110) -> str:
    """A matplotlib figure as an inline ``data:image/png;base64,...``."""
    buf = io.BytesIO()
    with viz.figures.styled():
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(fig: Any, caption: str, alt: str) -> str:
    return (f'<figure><img src="{png_data_uri(fig)}" alt="{html.escape(alt)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _pct(x: Any) -> str:
    return "–" if x is None else f"{100 * float(x):.2f}%"


def accuracy_table(models: list[dict[str, Any]], knn: list[dict[str, Any]]) -> str:
    rows = ["<table><tr><th>model</th><th>parameters</th><th>train</th><th>validation</th><th>test</th>"
            "<th>epochs</th><th>seconds</th></tr>"]
    for m in models:
        rows.append(f"<tr><td>{html.escape(m['name'])}</td><td>{m.get('params', 0):,}</td>"
                    f"<td>{_pct(m.get('train_acc'))}</td><td>{_pct(m.get('val_acc'))}</td>"
                    f"<td><b>{_pct(m.get('test_acc'))}</b></td><td>{m.get('epochs', '–')}</td>"
                    f"<td>{m.get('seconds', 0):.1f}</td></tr>")
    for k in knn:
        rows.append(f"<tr><td>KNN, k = {k['k']}</td><td>–</td><td>–</td><td>{_pct(k.get('val_acc'))}</td>"
                    f"<td><b>{_pct(k.get('test_acc'))}</b></td><td>–</td><td>{k.get('seconds', 0):.1f}</td></tr>")
    return "\n".join(rows + ["</table>"])


def build_report(path: str, *, title: str, summary: str, models: list[dict[str, Any]], knn: list[dict[str, Any]],
                 flows: dict[str, dict[str, Any]] | None = None, gain: str | None = None,
                 graph_svg: str | None = None, explorer_html: str | None = None) -> str:
    """Write the report to ``path`` (atomically) and return the path.

    models: ``[{"name", "params", "train_acc", "val_acc", "test_acc", "epochs", "seconds", "history"}]`` where
    ``history`` is the trainer's (``train_loss``, ``val_loss``, ``train_acc``, ``val_acc``, ``best_epoch``).
    knn: ``[{"k", "val_acc", "test_acc", "seconds"}]``. flows: model name -> a ``GradientMonitor`` history.
    gain: the flow whose gain plot to show. graph_svg: ``draw_graph(...)`` as SVG text. explorer_html: an
    ``explore_graph(...)`` page, embedded in an iframe.
    """
    parts = [f"<h1>{html.escape(title)}</h1><p class='lead'>{html.escape(summary)}</p>",
             "<h2>Accuracy</h2>", accuracy_table(models, knn)]
    curves = [m for m in models if m.get("history", {}).get("train_loss")]
    if curves:
        parts.append("<h2>Loss and accuracy over training</h2>")
        for m in curves:
            fig = viz.plot_history(m["history"])
            fig.suptitle(m["name"])
            parts.append(_figure(fig, f"{m['name']}: training and validation curves; the dashed line marks the epoch "
                                      "with the lowest validation loss (early stopping restores it).",
                                 f"{m['name']} curves"))
    if flows:
        parts.append("<h2>Gradient flow per layer</h2>")
        fig = viz.compare_monitors(flows)
        parts.append(_figure(fig, "‖∂L/∂w‖ per layer (input layer at the bottom) over the training steps, every panel "
                                  "on one colour scale: a dark layer is one whose gradient has vanished.",
                             "gradient-flow heatmaps"))
        items = []
        for name, hist in flows.items():
            d = viz.diagnose(hist)
            cls = "healthy" if d.verdict == "healthy" else "problem"
            items.append(f"<h3>{html.escape(name)} <span class='verdict {cls}'>{html.escape(d.verdict)}</span></h3>"
                         f"<pre class='diag'>{html.escape(str(d))}</pre>")
        parts += items
        if gain and gain in flows:
            from viz import monitor_plots
            parts.append(_figure(monitor_plots.plot_gain(flows[gain]),
                                 f"{gain}: each layer's gain ‖∂L/∂input‖ / ‖∂L/∂output‖ at the last step, and the "
                                 "product of the gains from the output down: how much of the backward signal is left.",
                                 "gain plot"))
    if graph_svg:
        parts.append("<h2>The residual model's graph, coloured by gradient</h2><div class='graph'>"
                     + _strip_xml_header(graph_svg) + "</div>")
    if explorer_html:
        parts.append("<h2>Explore it</h2><p>Click a module to open or close it; hover a node for its numbers.</p>"
                     f'<iframe title="graph explorer" sandbox="allow-scripts" '
                     f'srcdoc="{html.escape(explorer_html, quote=True)}"></iframe>')
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style></head>"
            f"<body><main>{''.join(parts)}</main></body></html>")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return write_atomic(path, page)


def _strip_xml_header(svg: str) -> str:
    """An SVG document as an inline element (no XML declaration or DOCTYPE)."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
