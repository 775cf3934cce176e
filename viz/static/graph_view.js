/* tracegrad page, part 3 of 6: the view. Draws state.layout as SVG (clusters, edges, nodes), pans and zooms it,
 * and fills the legend and the gradient heat bar.
 */
(function () {
  "use strict";

  const TG = window.__tg;
  const { LABEL_H, LINE_H, NO_GRAD_FILL, NO_GRAD_STROKE, NO_GRAD_EDGE } = TG;
  const { $, esc, num, str, colorOrNull, inkOn, fmt, D, state } = TG;

  // ------------------------------------------------------------------ drawing
  function shapeSvg(leaf, fill, stroke, sw) {
    const w = leaf.w, h = leaf.h, x = -w / 2, y = -h / 2;
    const a = `fill="${fill}" stroke="${stroke}" stroke-width="${sw}"`;
    switch (leaf.shape) {
      case "ellipse":
        return `<ellipse class="shape" rx="${w / 2}" ry="${h / 2}" ${a}${leaf.node.kind === "const" ? ' stroke-dasharray="4 3"' : ""}/>`;
      case "param":
        return `<rect class="shape" x="${x + 1}" y="${y + 1}" width="${w - 2}" height="${h - 2}" rx="1" ${a.replace(/stroke-width="[^"]*"/, 'stroke-width="3.2"')}/>`;
      case "output":
        return `<rect class="shape" x="${x}" y="${y}" width="${w}" height="${h}" rx="2" ${a}/>` +
          `<rect class="shape inner" x="${x + 4}" y="${y + 4}" width="${w - 8}" height="${h - 8}" rx="1" fill="none" stroke="${stroke}" stroke-width="${sw}"/>`;
      case "module":
      case "group": {
        const off = leaf.shape === "group" ? 5 : 0;
        let s = "";
        if (off) { // a stack: two cards behind the front one
          for (const k of [2, 1]) {
            s += `<rect class="card" x="${x + k * off}" y="${y + 8 - k * off + 2 * off}" width="${w - 2 * off}" height="${h - 8 - 2 * off}" rx="3" fill="${fill}" stroke="${stroke}" stroke-width="1.2" opacity="${k === 2 ? 0.55 : 0.8}"/>`;
          }
        }
        const bx = x, by = y + 8 + 2 * off, bw = w - 2 * off, bh = h - 8 - 2 * off;
        s += `<path class="shape tab" d="M${bx + 4},${by} l4,-8 h${Math.min(70, bw * 0.4)} l4,8 z" fill="${fill}" stroke="${stroke}" stroke-width="${sw}"/>`;
        s += `<rect class="shape" x="${bx}" y="${by}" width="${bw}" height="${bh}" rx="3" ${a}/>`;
        s += `<rect class="shape inner" x="${bx + 3}" y="${by + 3}" width="${bw - 6}" height="${bh - 6}" rx="2" fill="none" stroke="${stroke}" stroke-width="1"/>`;
        leaf.textDx = -off; leaf.textDy = (8 + 2 * off) / 2;
        return s;
      }
      default: // op
        return `<rect class="shape" x="${x}" y="${y}" width="${w}" height="${h}" rx="9" ${a}/>`;
    }
  }

  function textSvg(leaf, ink) {
    const dx = leaf.textDx || 0, dy = leaf.textDy || 0;
    const total = LABEL_H + leaf.lines.length * LINE_H;
    let y = dy - total / 2 + LABEL_H / 2;
    let s = `<text class="lbl" x="${dx}" y="${y}" fill="${ink}">${esc(leaf.label)}</text>`;
    y += LABEL_H / 2 + LINE_H / 2;
    for (const l of leaf.lines) { s += `<text class="ln" x="${dx}" y="${y}" fill="${ink}">${esc(l)}</text>`; y += LINE_H; }
    return s;
  }

  function edgePath(e) {
    const pts = e.points.map((p) => ({ x: p.x, y: p.y }));
    if (pts.length < 2) return null;
    const sl = state.layout.leaves.get(e.s), dl = state.layout.leaves.get(e.d);
    // dagre clips at the bounding box; ellipses need their own boundary point
    if (sl.shape === "ellipse") pts[0] = ellipsePoint(sl, pts[1]);
    if (dl.shape === "ellipse") pts[pts.length - 1] = ellipsePoint(dl, pts[pts.length - 2]);
    const sw = e.color ? e.width : 1;
    const end = pts[pts.length - 1], prev = pts.length > 2 ? mid(pts[pts.length - 2], end) : pts[0];
    let ux = end.x - prev.x, uy = end.y - prev.y;
    const len = Math.hypot(ux, uy) || 1;
    ux /= len; uy /= len;
    const al = 6 + sw * 1.6, aw = 3.2 + sw * 0.9;
    const base = { x: end.x - ux * al, y: end.y - uy * al };
    pts[pts.length - 1] = { x: end.x - ux * al * 0.6, y: end.y - uy * al * 0.6 };
    let d = `M${r1(pts[0].x)},${r1(pts[0].y)}`;
    if (pts.length === 2) d += `L${r1(pts[1].x)},${r1(pts[1].y)}`;
    else {
      const m0 = mid(pts[0], pts[1]);
      d += `L${r1(m0.x)},${r1(m0.y)}`;
      for (let i = 1; i < pts.length - 1; i++) {
        const m = i === pts.length - 2 ? pts[i + 1] : mid(pts[i], pts[i + 1]);
        d += `Q${r1(pts[i].x)},${r1(pts[i].y)} ${r1(m.x)},${r1(m.y)}`;
      }
    }
    const arrow = `M${r1(end.x)},${r1(end.y)}L${r1(base.x - uy * aw)},${r1(base.y + ux * aw)}L${r1(base.x + uy * aw)},${r1(base.y - ux * aw)}Z`;
    return { d, arrow, sw };
  }
  const mid = (a, b) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
  const r1 = (v) => Math.round(v * 10) / 10;
  function ellipsePoint(leaf, toward) {
    const dx = toward.x - leaf.x, dy = toward.y - leaf.y;
    const a = leaf.w / 2, b = leaf.h / 2;
    const t = 1 / Math.sqrt((dx * dx) / (a * a) + (dy * dy) / (b * b) || 1);
    return { x: leaf.x + dx * t, y: leaf.y + dy * t };
  }

  const svg = $("graph"), viewport = $("viewport");
  const elOf = new Map(); // leaf key -> <g>

  function render() {
    const L = state.layout;
    const parts = [];
    const cl = [...L.clusters.values()].sort((a, b) => a.mod.depth - b.mod.depth);
    parts.push('<g class="clusters">');
    for (const c of cl) {
      const m = c.mod, x = c.x - c.w / 2, y = c.y - c.h / 2;
      const stroke = m.color || "#a9a9a9";
      const hx = c.hx - c.headW / 2, hy = c.hy - c.headH / 2;
      parts.push(`<g class="cluster${m.members ? " group" : ""}" data-path="${esc(m.path)}">` +
        `<rect class="cluster-box" x="${x}" y="${y}" width="${c.w}" height="${c.h}" rx="8" fill="${m.color || "#8c8c8c"}" fill-opacity="${m.color ? 0.07 : 0.05}" stroke="${stroke}" stroke-width="${m.color ? 2.2 : 1.3}"${m.members ? ' stroke-dasharray="7 4"' : ""}/>` +
        `<g class="cluster-label" data-path="${esc(m.path)}" transform="translate(${hx},${hy})">` +
        `<rect class="head-bg" width="${c.headW}" height="${c.headH}" rx="5"/>` +
        `<text class="collapse-btn" x="8" y="${4 + LABEL_H / 2}">\u229F</text>` +
        `<text class="clbl" x="26" y="${4 + LABEL_H / 2}">${esc(m.label)}</text>` +
        (c.headLines ? `<text class="cln" x="8" y="${4 + LABEL_H + LINE_H / 2}">${esc(c.headLines)}</text>` : "") +
        "</g></g>");
    }
    parts.push('</g><g class="edges">');
    L.edges.forEach((e, i) => {
      const p = edgePath(e);
      if (!p) return;
      const col = e.color || NO_GRAD_EDGE;
      parts.push(`<g class="edge${e.color ? "" : " nograd"}" data-i="${i}"><path class="line" d="${p.d}" stroke="${col}" stroke-width="${p.sw}" fill="none"/>` +
        `<path class="arrow" d="${p.arrow}" fill="${col}"/></g>`);
    });
    parts.push('</g><g class="nodes">');
    for (const leaf of L.leaves.values()) {
      const fill = leaf.color || NO_GRAD_FILL;
      const stroke = leaf.color ? "#2b2b2b" : NO_GRAD_STROKE;
      const sw = leaf.color ? 1.4 : 1;
      const cls = "node " + (leaf.mod ? "module" + (leaf.mod.members ? " group" : "") : "kind-" + leaf.node.kind) + (leaf.color ? "" : " nograd");
      const shape = shapeSvg(leaf, fill, stroke, sw);
      parts.push(`<g class="${cls}" data-id="${esc(leaf.id)}" transform="translate(${r1(leaf.x)},${r1(leaf.y)})">` +
        shape + textSvg(leaf, inkOn(fill)) + "</g>");
    }
    parts.push("</g>");
    viewport.innerHTML = parts.join("");
    elOf.clear();
    for (const el of viewport.querySelectorAll("g.node")) elOf.set(el.dataset.id, el);
    TG.edgeEls = [...viewport.querySelectorAll("g.edge")];
    const shown = L.leaves.size;
    $("status").textContent = `${shown.toLocaleString()} shown of ${D.nodes.length.toLocaleString()} nodes` +
      ` \u00B7 layout ${Math.round(state.lastLayoutMs)} ms` +
      (L.simple ? " \u00B7 too many for the layered layout: simple layout, collapse modules for the full one" : "");
    $("status").classList.toggle("warn", !!L.simple);
    if (D.mode === "replay") TG.applyFrame(false);
  }

  // ------------------------------------------------------------------ pan / zoom
  function applyView() {
    const v = state.view;
    viewport.setAttribute("transform", `translate(${v.x},${v.y}) scale(${v.k})`);
  }
  function zoomAt(px, py, factor) {
    const v = state.view, k = Math.max(0.03, Math.min(4, v.k * factor));
    v.x = px - (px - v.x) * (k / v.k);
    v.y = py - (py - v.y) * (k / v.k);
    v.k = k;
    applyView();
  }
  function fit(minScale) {
    const L = state.layout, r = svg.getBoundingClientRect();
    const W = Math.max(50, r.width), H = Math.max(50, r.height);
    const fitK = Math.min(W / Math.max(1, L.width), H / Math.max(1, L.height), 1.5) || 1;
    const v = state.view;
    if (minScale && fitK < minScale) { // too big to fit readably: show its start (top, or left for LR) instead
      v.k = minScale;
      const gw = L.width * v.k, gh = L.height * v.k;
      v.x = gw < W ? (W - gw) / 2 : 0;
      v.y = gh < H ? (H - gh) / 2 : 0;
    } else {
      v.k = fitK;
      v.x = (W - L.width * fitK) / 2;
      v.y = (H - L.height * fitK) / 2;
    }
    applyView();
  }
  function centerOn(x, y, onlyIfOutside) {
    const r = svg.getBoundingClientRect(), v = state.view;
    const sx = x * v.k + v.x, sy = y * v.k + v.y, m = 60;
    if (onlyIfOutside && sx > m && sx < r.width - m && sy > m && sy < r.height - m) return;
    v.x = r.width / 2 - x * v.k;
    v.y = r.height / 2 - y * v.k;
    applyView();
  }

  let drag = null, suppressClick = false;
  svg.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = svg.getBoundingClientRect();
    zoomAt(e.clientX - r.left, e.clientY - r.top, Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)));
  }, { passive: false });
  svg.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, vx: state.view.x, vy: state.view.y, moved: false, id: e.pointerId };
  });
  svg.addEventListener("pointermove", (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) { drag.moved = true; svg.setPointerCapture(e.pointerId); svg.classList.add("dragging"); TG.hideTooltip(true); }
    state.view.x = drag.vx + dx;
    state.view.y = drag.vy + dy;
    applyView();
  });
  const endDrag = (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    if (drag.moved) { suppressClick = true; setTimeout(() => { suppressClick = false; }, 0); svg.classList.remove("dragging"); }
    drag = null;
  };
  svg.addEventListener("pointerup", endDrag);
  function zoomCenter(f) { const r = svg.getBoundingClientRect(); zoomAt(r.width / 2, r.height / 2, f); }

  // ------------------------------------------------------------------ legend and heat bar
  function legend() {
    const items = [
      ["op", '<rect x="2" y="4" width="30" height="16" rx="6"/>'],
      ["param", '<rect x="3" y="5" width="28" height="14" rx="1" stroke-width="3"/>'],
      ["input", '<ellipse cx="17" cy="12" rx="15" ry="8"/>'],
      ["const", '<ellipse cx="17" cy="12" rx="15" ry="8" stroke-dasharray="4 3"/>'],
      ["output", '<rect x="2" y="4" width="30" height="16" rx="1"/><rect x="5" y="7" width="24" height="10" fill="none"/>'],
      ["module", '<path d="M4,7 l3,-4 h10 l3,4 z"/><rect x="2" y="7" width="30" height="14" rx="2"/><rect x="4.5" y="9.5" width="25" height="9" fill="none"/>'],
      ["no grad", '<path d="M2,12 H32" stroke="' + NO_GRAD_EDGE + '" stroke-width="1.5"/>'],
    ];
    $("legend").innerHTML = items.map(([name, s]) =>
      `<span class="legend-item"><svg width="34" height="24" viewBox="0 0 34 24" fill="${NO_GRAD_FILL}" stroke="#555" stroke-width="1.2">${s}</svg>${esc(name)}</span>`).join("");
  }
  function heatbar() {
    const el = $("heatbar"), h = D.heat;
    if (!h) { el.hidden = true; return; }
    const stops = (Array.isArray(h.stops) ? h.stops : []).map(colorOrNull).filter(Boolean);
    if (stops.length === 1) stops.push(stops[0]);
    const grad = stops.length ? `linear-gradient(to right, ${stops.map((c, i) => `${c} ${(100 * i / (stops.length - 1)).toFixed(1)}%`).join(", ")})` : "#ccc";
    const lo = num(h.lo, null), hi = num(h.hi, null);
    let ticks = "";
    if (lo !== null && hi !== null && lo > 0 && hi > lo) {
      const a = Math.log10(lo), b = Math.log10(hi);
      const decades = [];
      for (let p = Math.ceil(a + 1e-9); p < b - 1e-9; p++) decades.push(p);
      const step = Math.max(1, Math.ceil(decades.length / 5));
      decades.forEach((p, i) => {
        const at = (100 * (p - a) / (b - a)).toFixed(2);
        const labelled = i % step === 0 && (p - a) / (b - a) > 0.08 && (b - p) / (b - a) > 0.08;
        ticks += `<span class="tick" style="left:${at}%">${labelled ? `<span class="tick-label">${fmt(Math.pow(10, p))}</span>` : ""}</span>`;
      });
    }
    el.innerHTML = `<span class="heat-label">${esc(str(h.label, "gradient"))}</span>` +
      `<span class="heat-lo">${lo === null ? "" : esc(fmt(lo))}</span>` +
      `<span class="heat-bar" style="background:${grad}">${ticks}</span>` +
      `<span class="heat-hi">${hi === null ? "" : esc(fmt(hi))}</span>`;
    el.title = "gradient heat: node and edge colours, log scale from " + fmt(lo) + " to " + fmt(hi);
  }

  Object.assign(TG, { // edgeEls: the drawn <g class="edge">s, replaced by each render()
    svg, elOf, edgeEls: [], render, applyView, zoomAt, zoomCenter, fit, centerOn, legend, heatbar,
    dragMoved: () => !!(drag && drag.moved),
    clickSuppressed: () => suppressClick,
  });
})();
