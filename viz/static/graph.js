/* tracegrad: the interactive backprop-graph page, part 6 of 6: the start (window.tracegrad, the toolbar buttons,
 * the first layout). viz/page.py inlines the six parts, in this order, into one <script> of one HTML document:
 * graph_model.js (the data and the state), graph_layout.js (dagre and the fallback layout), graph_view.js (SVG,
 * pan/zoom, legend, heat bar), graph_replay.js (replay mode), graph_interact.js (expand/collapse, tooltip, keys),
 * graph.js (this file). No bundler: each part is its own function scope, and they share one namespace object,
 * window.__tg (TG), which graph_model.js creates and each part adds its functions to; a part may use what an
 * earlier part exported when it loads, and reaches a later part's functions through TG at call time.
 *
 * Layout library: dagre, the npm package @dagrejs/dagre 3.1.3 (MIT), whose browser bundle
 * (static/vendor/dagre.min.js) includes @dagrejs/graphlib 4.0.6 (MIT). It is vendored and inlined, so the page
 * works offline. The layout runs here in the page rather than in Python so that modules can be expanded and
 * collapsed with a click and laid out again without a round trip to Python; only what is visible is laid out,
 * which keeps a 5,000-node graph responsive when it starts with its modules collapsed.
 *
 * Test hooks (tests/test_viz_page*.py rely on them): every visible node is an SVG <g class="node"> with
 * data-id (the node id, or "m:<path>" for a collapsed module, which also has class "module"); an expanded module
 * is <g class="cluster" data-path="..."> whose label is <g class="cluster-label">; window.tracegrad has
 * visibleCount(), frame, setFrame(i), toggle(path); ids tooltip, prev, next, slider, caption, heatbar.
 */
(function () {
  "use strict";

  const TG = window.__tg;
  const { READABLE_SCALE, $, D, collapsed, state, layout, render, fit, applyView, zoomCenter, legend, heatbar } = TG;
  const { setFrame, setupReplay, toggle, setAll, hideTooltip } = TG;

  // ------------------------------------------------------------------ start
  window.tracegrad = {
    frame: 0,
    ready: false,
    visibleCount: () => (state.layout ? state.layout.leaves.size : 0),
    setFrame: setFrame,
    toggle: (path) => { toggle(path); return window.tracegrad.visibleCount(); },
    setCollapsed: (flags) => { // {path: true|false, ...}: one layout for many changes
      for (const [p, v] of Object.entries(flags || {})) if (collapsed.has(p)) collapsed.set(p, !!v);
      hideTooltip(true);
      layout();
      render();
      return window.tracegrad.visibleCount();
    },
    expandAll: () => setAll(false),
    collapseAll: () => setAll(true),
    fit: () => fit(0),
    get lastLayoutMs() { return state.lastLayoutMs; },
    get view() { return Object.assign({}, state.view); },
    data: D,
  };
  $("fit").addEventListener("click", () => fit(0));
  $("zoom-in").addEventListener("click", () => zoomCenter(1.25));
  $("zoom-out").addEventListener("click", () => zoomCenter(0.8));
  $("expand-all").addEventListener("click", () => setAll(false));
  $("collapse-all").addEventListener("click", () => setAll(true));
  if (!D.modules.length) { $("expand-all").hidden = true; $("collapse-all").hidden = true; }
  legend();
  heatbar();
  if (D.mode === "replay") setupReplay();
  layout();
  render();
  fit(READABLE_SCALE);
  if (D.mode === "replay" && D.frames.length) setFrame(0);
  window.addEventListener("resize", () => { if (state.layout) applyView(); });
  window.tracegrad.ready = true;
  document.body.classList.add("ready");
})();
