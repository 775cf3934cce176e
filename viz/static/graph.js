/* tracegrad: the interactive backprop-graph page (viz/page.py inlines this file into one HTML document).
 *
 * Layout library: dagre, the npm package @dagrejs/dagre 3.1.3 (MIT), whose browser bundle
 * (static/vendor/dagre.min.js) includes @dagrejs/graphlib 4.0.6 (MIT). It is vendored and inlined, so the page
 * works offline. The layout runs here in the page rather than in Python so that modules can be expanded and
 * collapsed with a click and laid out again without a round trip to Python; only what is visible is laid out,
 * which keeps a 5,000-node graph responsive when it starts with its modules collapsed.
 *
 * Test hooks (tests/test_viz_page.py relies on them): every visible node is an SVG <g class="node"> with
 * data-id (the node id, or "m:<path>" for a collapsed module, which also has class "module"); an expanded module
 * is <g class="cluster" data-path="..."> whose label is <g class="cluster-label">; window.tracegrad has
 * visibleCount(), frame, setFrame(i), toggle(path); ids tooltip, prev, next, slider, caption, heatbar.
 */
(function () {
  "use strict";

  const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", Arial, sans-serif';
  const LABEL_FONT = "600 13px " + FONT;
  const LINE_FONT = "12px " + FONT;
  const HEAD_FONT = "600 13px " + FONT;
  const PAD_X = 10, PAD_Y = 6, LABEL_H = 18, LINE_H = 15;
  const NO_GRAD_FILL = "#eeeeee", NO_GRAD_STROKE = "#9a9a9a", NO_GRAD_EDGE = "#c2c2c2";
  const KINDS = ["op", "param", "input", "const", "output"];
  const READABLE_SCALE = 0.9; // the first view never zooms out further than this (the "fit" button may)
  const BIG = 1500; // expanding everything past this many visible nodes asks first
  const DAGRE_MAX = 2500; // past this many visible nodes dagre takes too long (and deep chains overflow its stack)
  const SLOW = 500; // past this many visible nodes a click says "laying out..." before it lays out

  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const num = (v, d) => (typeof v === "number" && isFinite(v) ? v : d);
  const str = (v, d) => (v === undefined || v === null ? d : String(v));
  const colorOrNull = (c) => (typeof c === "string" && /^#[0-9a-fA-F]{3,8}$/.test(c) ? c : null);

  // ------------------------------------------------------------------ data
  function normalize(raw) {
    raw = raw && typeof raw === "object" ? raw : {};
    const nodes = [], byId = new Map();
    for (const n of Array.isArray(raw.nodes) ? raw.nodes : []) {
      if (!n || n.id === undefined || n.id === null || byId.has(String(n.id))) continue;
      const info = n.info && typeof n.info === "object" ? n.info : {};
      const node = {
        id: String(n.id),
        label: str(n.label, String(n.id)),
        kind: KINDS.includes(n.kind) ? n.kind : "op",
        scope: str(n.scope, ""),
        lines: Array.isArray(n.lines) ? n.lines.map((l) => str(l, "")) : [],
        color: colorOrNull(n.color),
        info: info,
      };
      nodes.push(node);
      byId.set(node.id, node);
    }
    const edges = [];
    for (const e of Array.isArray(raw.edges) ? raw.edges : []) {
      if (!e || !byId.has(String(e.src)) || !byId.has(String(e.dst))) {
        console.warn("tracegrad: edge with an unknown end skipped", e);
        continue;
      }
      edges.push({
        src: String(e.src), dst: String(e.dst), color: colorOrNull(e.color),
        width: Math.max(0.5, Math.min(12, num(e.width, 1))), norm: num(e.norm, null),
      });
    }
    const modules = [], byPath = new Map();
    for (const m of Array.isArray(raw.modules) ? raw.modules : []) {
      if (!m || m.path === undefined || m.path === null || m.path === "" || byPath.has(String(m.path))) continue;
      const mod = {
        path: String(m.path),
        label: str(m.label, String(m.path)),
        parent: str(m.parent, ""),
        lines: Array.isArray(m.lines) ? m.lines.map((l) => str(l, "")) : [],
        color: colorOrNull(m.color),
        collapsed: !!m.collapsed,
        members: Array.isArray(m.members) ? m.members.map(String) : null,
        up: "", depth: 0,
      };
      modules.push(mod);
      byPath.set(mod.path, mod);
    }
    // the parent in the UI: a fold group is the parent of its members, otherwise the declared parent, otherwise
    // the longest dotted prefix that is a module (a module whose parent is missing still nests sensibly)
    const groupOf = new Map();
    for (const m of modules) if (m.members) for (const p of m.members) if (byPath.has(p) && p !== m.path) groupOf.set(p, m.path);
    const prefixModule = (path) => {
      for (let s = path; s.lastIndexOf(".") > 0;) {
        s = s.slice(0, s.lastIndexOf("."));
        const q = byPath.get(s);
        if (q && !q.members) return s;
      }
      return "";
    };
    for (const m of modules) {
      if (groupOf.has(m.path)) m.up = groupOf.get(m.path);
      else if (m.parent && byPath.has(m.parent) && m.parent !== m.path) m.up = m.parent;
      else m.up = prefixModule(m.path);
    }
    for (const m of modules) { // break cycles, measure depth
      const seen = new Set([m.path]);
      let depth = 0;
      for (let p = m.up; p; p = byPath.get(p).up) {
        if (seen.has(p)) { m.up = ""; depth = 0; break; }
        seen.add(p);
        depth++;
      }
      m.depth = depth;
    }
    const heat = raw.heat && typeof raw.heat === "object" ? raw.heat : null;
    const frames = [];
    for (const f of Array.isArray(raw.frames) ? raw.frames : []) {
      if (!f || typeof f !== "object") continue;
      frames.push({
        node: str(f.node, ""), text: str(f.text, ""), grad: str(f.grad, ""),
        received: Array.isArray(f.received) ? f.received.filter((r) => r && typeof r === "object") : [],
        contributions: Array.isArray(f.contributions) ? f.contributions.filter((r) => r && typeof r === "object") : [],
      });
    }
    const mode = raw.mode === "replay" || raw.mode === "explore" ? raw.mode : (frames.length ? "replay" : "explore");
    return {
      title: str(raw.title, ""), mode: mode, rankdir: raw.rankdir === "LR" ? "LR" : "TB",
      nodes, byId, edges, modules, byPath, heat, frames,
    };
  }

  // ------------------------------------------------------------------ text measurement
  const ctx2d = document.createElement("canvas").getContext("2d");
  const widthCache = new Map();
  function textWidth(text, font) {
    const key = font + "\u0000" + text;
    let w = widthCache.get(key);
    if (w === undefined) {
      ctx2d.font = font;
      w = ctx2d.measureText(text).width;
      widthCache.set(key, w);
    }
    return w;
  }

  function luminance(hex) {
    let h = hex.slice(1);
    if (h.length === 3 || h.length === 4) h = h.split("").map((c) => c + c).join("");
    const ch = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4)));
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  }
  const inkOn = (fill) => (luminance(fill) < 0.22 ? "#ffffff" : "#1b1b1b");

  function fmt(v) {
    if (typeof v !== "number" || !isFinite(v)) return String(v);
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e-3 && a < 1e4) return String(Number(v.toPrecision(3)));
    return v.toExponential(1).replace(".0e", "e").replace("e+", "e");
  }

  // ------------------------------------------------------------------ state
  const D = normalize(JSON.parse($("tracegrad-data").textContent));
  const collapsed = new Map(D.modules.map((m) => [m.path, m.collapsed]));
  const ownerCache = new Map();
  function ownerOf(scope) { // the deepest (non-group) module that holds this scope, or ""
    let o = ownerCache.get(scope);
    if (o !== undefined) return o;
    o = "";
    for (let s = scope; s;) {
      const m = D.byPath.get(s);
      if (m && !m.members) { o = s; break; }
      const i = s.lastIndexOf(".");
      s = i > 0 ? s.slice(0, i) : "";
    }
    ownerCache.set(scope, o);
    return o;
  }
  const frameOf = new Map(); // node id -> its first frame
  D.frames.forEach((f, i) => { if (!frameOf.has(f.node)) frameOf.set(f.node, i); });

  const state = {
    frame: 0,
    view: { x: 0, y: 0, k: 1 },
    layout: null, // {g, leaves: Map key->{...}, clusters: Map path->{...}, edges: [...], width, height}
    pinned: false,
    lastLayoutMs: 0,
  };

  // which module node stands for a module: the outermost collapsed module on its UI path (itself included), or
  // null when it and all its ancestors are expanded
  function computeReps() {
    const rep = new Map();
    const visit = (path) => {
      if (rep.has(path)) return rep.get(path);
      const m = D.byPath.get(path);
      rep.set(path, null); // cycle guard (normalize already broke cycles)
      const above = m.up ? visit(m.up) : null;
      const r = above !== null ? above : (collapsed.get(path) ? path : null);
      rep.set(path, r);
      return r;
    };
    for (const m of D.modules) visit(m.path);
    return rep;
  }

  // ------------------------------------------------------------------ geometry of one node
  function nodeBox(label, lines, shape) {
    let w = textWidth(label, LABEL_FONT);
    for (const l of lines) w = Math.max(w, textWidth(l, LINE_FONT));
    w = Math.max(44, Math.ceil(w) + 2 * PAD_X);
    let h = 2 * PAD_Y + LABEL_H + lines.length * LINE_H;
    let top = 0; // extra space above the text (a folder's tab)
    if (shape === "ellipse") { w = Math.ceil(w * 1.2 + 8); h = Math.ceil(h * 1.3); }
    else if (shape === "output") { w += 8; h += 8; }
    else if (shape === "module") { w += 10; h += 14; top = 8; }
    else if (shape === "group") { w += 18; h += 22; top = 8; }
    return { w, h, top };
  }

  // ------------------------------------------------------------------ build the visible graph and lay it out
  function layout() {
    const t0 = performance.now();
    const rep = computeReps();
    const leaves = new Map(); // dagre key -> leaf
    const keyOfNode = new Map();
    const clusters = new Map(); // path -> cluster
    for (const m of D.modules) {
      if (rep.get(m.path) === null) clusters.set(m.path, { path: m.path, mod: m, key: "c:" + m.path, head: "h:" + m.path });
    }
    const leafFor = (key, make) => {
      let l = leaves.get(key);
      if (!l) { l = make(); leaves.set(key, l); }
      return l;
    };
    for (const n of D.nodes) {
      const owner = ownerOf(n.scope);
      const r = owner ? rep.get(owner) : null;
      let leaf;
      if (r !== null && r !== undefined) {
        const m = D.byPath.get(r);
        leaf = leafFor("m:" + r, () => ({ key: "m:" + r, id: "m:" + r, mod: m, parent: m.up, ids: [] }));
      } else {
        leaf = leafFor("n:" + n.id, () => ({ key: "n:" + n.id, id: n.id, node: n, parent: owner, ids: [] }));
      }
      leaf.ids.push(n.id);
      keyOfNode.set(n.id, leaf.key);
    }
    for (const m of D.modules) { // collapsed modules with nothing inside are still shown
      if (rep.get(m.path) === m.path && !leaves.has("m:" + m.path)) {
        leaves.set("m:" + m.path, { key: "m:" + m.path, id: "m:" + m.path, mod: m, parent: m.up, ids: [] });
      }
    }
    // merged edges between visible things: max width, the hottest colour, self-loops dropped
    const merged = new Map();
    for (const e of D.edges) {
      const s = keyOfNode.get(e.src), d = keyOfNode.get(e.dst);
      if (s === d) continue;
      const k = s + "\u0001" + d;
      let m = merged.get(k);
      if (!m) {
        m = { s, d, width: e.width, color: e.color, norm: e.norm, dsts: new Set(), n: 0 };
        merged.set(k, m);
      } else {
        m.width = Math.max(m.width, e.width);
        const hotter = e.norm !== null ? (m.norm === null || e.norm > m.norm) : (m.norm === null && !m.color && e.color);
        if (hotter) { m.color = e.color; m.norm = e.norm; }
      }
      m.dsts.add(e.dst);
      m.n++;
    }
    const edges = [...merged.values()];

    const g = new dagre.graphlib.Graph({ compound: true });
    g.setGraph({ rankdir: D.rankdir, align: "UL", nodesep: 24, ranksep: 30, edgesep: 10, marginx: 24, marginy: 24 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const c of clusters.values()) {
      g.setNode(c.key, {});
      const m = c.mod;
      const lines = m.lines.join("   ·   ");
      let w = textWidth(m.label, HEAD_FONT) + 26;
      if (lines) w = Math.max(w, textWidth(lines, LINE_FONT));
      c.headW = Math.ceil(w) + 16;
      c.headH = 8 + LABEL_H + (lines ? LINE_H : 0);
      c.headLines = lines;
      g.setNode(c.head, { width: c.headW, height: c.headH });
      g.setParent(c.head, c.key);
    }
    for (const c of clusters.values()) if (c.mod.up && clusters.has(c.mod.up)) g.setParent(c.key, "c:" + c.mod.up);
    for (const leaf of leaves.values()) {
      if (leaf.mod) {
        const m = leaf.mod;
        leaf.label = "\u229E " + m.label;
        leaf.lines = m.lines;
        leaf.color = m.color;
        leaf.shape = m.members ? "group" : "module";
      } else {
        const n = leaf.node;
        leaf.label = n.label;
        leaf.lines = n.lines;
        leaf.color = n.color;
        leaf.shape = n.kind === "input" || n.kind === "const" ? "ellipse" : n.kind;
      }
      const box = nodeBox(leaf.label, leaf.lines, leaf.shape);
      leaf.w = box.w; leaf.h = box.h; leaf.top = box.top;
      g.setNode(leaf.key, { width: leaf.w, height: leaf.h });
      if (leaf.parent && clusters.has(leaf.parent)) g.setParent(leaf.key, "c:" + leaf.parent);
      else leaf.parent = "";
    }
    for (const e of edges) g.setEdge(e.s, e.d, { weight: 1, minlen: 1 });

    // Each cluster gets a header node (its label) inside it, ranked above the cluster's entry nodes by invisible
    // edges, so the label has its own space and never sits on top of a node.
    const chainOf = (path) => { const out = []; for (let p = path; p; p = D.byPath.get(p).up) out.push(p); return out; };
    const chains = new Map();
    for (const leaf of leaves.values()) chains.set(leaf.key, chainOf(leaf.parent));
    const outsideIn = new Map(), insideIn = new Map(); // cluster -> Set of leaf keys
    const add = (map, c, k) => { let s = map.get(c); if (!s) map.set(c, (s = new Set())); s.add(k); };
    for (const e of edges) {
      const cs = chains.get(e.s), cd = chains.get(e.d);
      for (const c of cd) (cs.includes(c) ? add(insideIn, c, e.d) : add(outsideIn, c, e.d));
    }
    const members = new Map(); // cluster -> leaves anywhere inside
    for (const leaf of leaves.values()) for (const c of chains.get(leaf.key)) add(members, c, leaf.key);
    for (const c of clusters.values()) {
      const inside = members.get(c.path);
      if (!inside) continue;
      const fed = insideIn.get(c.path) || new Set(), from = outsideIn.get(c.path) || new Set();
      let entries = [...inside].filter((k) => from.has(k) && !fed.has(k));
      if (!entries.length) entries = [...inside].filter((k) => !fed.has(k));
      const targets = new Set();
      for (const k of entries) {
        const chain = chains.get(k);
        const i = chain.indexOf(c.path);
        targets.add(i > 0 ? "h:" + chain[i - 1] : k);
      }
      for (const t of targets) g.setEdge(c.head, t, { weight: 0.2, minlen: 1 });
    }

    // Side inputs (parameters, constants) go to the right of an op's main input, and nodes align with their
    // upper-left neighbour: the data path then runs straight down instead of drifting sideways at every weight.
    const constraints = [];
    const preds = new Map();
    for (const e of edges) { let p = preds.get(e.d); if (!p) preds.set(e.d, (p = [])); p.push(e.s); }
    const isSide = (k) => { const l = leaves.get(k); return !!(l && l.node && (l.node.kind === "param" || l.node.kind === "const")); };
    for (const ps of preds.values()) {
      if (ps.length < 2) continue;
      const side = ps.filter(isSide), main = ps.filter((k) => !isSide(k));
      for (const m of main) for (const s of side) constraints.push({ left: m, right: s });
    }
    let size, simple = null;
    try {
      if (leaves.size > DAGRE_MAX) throw new Error(`more than ${DAGRE_MAX.toLocaleString()} visible nodes`);
      dagre.layout(g, { constraints });
      for (const leaf of leaves.values()) { const p = g.node(leaf.key); leaf.x = p.x; leaf.y = p.y; }
      for (const c of clusters.values()) {
        const p = g.node(c.key), h = g.node(c.head);
        Object.assign(c, { x: p.x, y: p.y, w: p.width, h: p.height, hx: h.x, hy: h.y });
      }
      for (const e of edges) e.points = g.edge(e.s, e.d).points || [];
      size = { width: num(g.graph().width, 0), height: num(g.graph().height, 0) }; // an empty graph: -Infinity
    } catch (err) { // e.g. "Maximum call stack size exceeded" on a chain thousands of nodes deep
      simple = String((err && err.message) || err);
      console.warn(`tracegrad: no dagre layout for ${leaves.size} nodes (${simple}); drawing a simple layered layout`);
      clusters.clear();
      size = simpleLayout(leaves, edges);
    }
    state.layout = { leaves, clusters, edges, keyOfNode, width: size.width, height: size.height, simple };
    state.lastLayoutMs = performance.now() - t0;
  }

  // The fallback when dagre fails: ranks by longest path, one barycentre pass for the order, straight edges, no
  // module boxes. Linear time, so it draws any size.
  function simpleLayout(leaves, edges) {
    const LR = D.rankdir === "LR", keys = [...leaves.keys()];
    const succ = new Map(keys.map((k) => [k, []])), pred = new Map(keys.map((k) => [k, []]));
    const indeg = new Map(keys.map((k) => [k, 0])), rank = new Map(keys.map((k) => [k, 0]));
    for (const e of edges) { succ.get(e.s).push(e.d); pred.get(e.d).push(e.s); indeg.set(e.d, indeg.get(e.d) + 1); }
    const order = keys.filter((k) => indeg.get(k) === 0), seen = new Set();
    for (let i = 0; i < order.length; i++) {
      const k = order[i];
      seen.add(k);
      for (const d of succ.get(k)) {
        rank.set(d, Math.max(rank.get(d), rank.get(k) + 1));
        indeg.set(d, indeg.get(d) - 1);
        if (indeg.get(d) === 0) order.push(d);
      }
    }
    for (const k of keys) if (!seen.has(k)) order.push(k); // on a cycle: keeps the rank it reached
    for (const k of order) { // sources (weights, constants) sit just above their first consumer
      if (pred.get(k).length || !succ.get(k).length) continue;
      rank.set(k, Math.max(0, Math.min(...succ.get(k).map((d) => rank.get(d))) - 1));
    }
    const layers = [];
    for (const k of order) (layers[rank.get(k)] || (layers[rank.get(k)] = [])).push(k);
    const pos = new Map();
    const along = (l) => (LR ? l.w : l.h), across = (l) => (LR ? l.h : l.w);
    let depth = 24, widest = 0;
    const placed = [];
    for (const layer of layers) {
      if (!layer) continue;
      const bc = (k) => { const ps = pred.get(k).filter((p) => pos.has(p)); return ps.length ? ps.reduce((a, p) => a + pos.get(p), 0) / ps.length : Infinity; };
      layer.sort((a, b) => bc(a) - bc(b));
      let thick = 0, x = 0;
      for (const k of layer) {
        const l = leaves.get(k);
        thick = Math.max(thick, along(l));
        pos.set(k, x + across(l) / 2);
        x += across(l) + 24;
      }
      widest = Math.max(widest, x);
      placed.push({ layer, depth: depth + thick / 2, span: x });
      depth += thick + 40;
    }
    for (const { layer, depth: d, span } of placed) {
      for (const k of layer) {
        const l = leaves.get(k), c = 24 + (widest - span) / 2 + pos.get(k);
        if (LR) { l.x = d; l.y = c; } else { l.x = c; l.y = d; }
      }
    }
    for (const e of edges) {
      const a = leaves.get(e.s), b = leaves.get(e.d);
      e.points = LR ? [{ x: a.x + a.w / 2, y: a.y }, { x: b.x - b.w / 2, y: b.y }]
        : [{ x: a.x, y: a.y + a.h / 2 }, { x: b.x, y: b.y - b.h / 2 }];
    }
    return LR ? { width: depth, height: widest + 48 } : { width: widest + 48, height: depth };
  }

  function countVisible() { // how many nodes the current collapsed flags show (without laying them out)
    const rep = computeReps(), keys = new Set();
    for (const n of D.nodes) {
      const owner = ownerOf(n.scope), r = owner ? rep.get(owner) : null;
      keys.add(r !== null && r !== undefined ? "m:" + r : "n:" + n.id);
    }
    for (const m of D.modules) if (rep.get(m.path) === m.path) keys.add("m:" + m.path);
    return keys.size;
  }

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
  let edgeEls = [];

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
    edgeEls = [...viewport.querySelectorAll("g.edge")];
    const shown = L.leaves.size;
    $("status").textContent = `${shown.toLocaleString()} shown of ${D.nodes.length.toLocaleString()} nodes` +
      ` \u00B7 layout ${Math.round(state.lastLayoutMs)} ms` +
      (L.simple ? " \u00B7 too many for the layered layout: simple layout, collapse modules for the full one" : "");
    $("status").classList.toggle("warn", !!L.simple);
    if (D.mode === "replay") applyFrame(false);
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
    if (!drag.moved) { drag.moved = true; svg.setPointerCapture(e.pointerId); svg.classList.add("dragging"); hideTooltip(true); }
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
  svg.addEventListener("pointercancel", endDrag);

  // ------------------------------------------------------------------ expand / collapse
  function anchorOf(path) { // layout point that stays put on screen across a toggle: top centre of its box
    const L = state.layout;
    const leaf = L.leaves.get("m:" + path);
    if (leaf) return { x: leaf.x, y: leaf.y - leaf.h / 2 };
    const c = L.clusters.get(path);
    if (c) return { x: c.x, y: c.y - c.h / 2 };
    return null;
  }
  function relayout(keepPath) {
    const before = keepPath ? anchorOf(keepPath) : null;
    const v = state.view;
    layout();
    render();
    const after = keepPath ? anchorOf(keepPath) : null;
    if (before && after) {
      v.x += (before.x - after.x) * v.k;
      v.y += (before.y - after.y) * v.k;
      applyView();
    }
    if (after) { // toggled from outside the view (toggle() from code): bring it in, its top a quarter down
      const r = svg.getBoundingClientRect(), sx = after.x * v.k + v.x, sy = after.y * v.k + v.y;
      if (sx < 0 || sx > r.width || sy < 0 || sy > r.height) {
        v.x = r.width / 2 - after.x * v.k;
        v.y = r.height / 4 - after.y * v.k;
        applyView();
      }
    }
  }
  function toggle(path, open) {
    path = String(path);
    if (!collapsed.has(path)) return false;
    const want = open === undefined ? !collapsed.get(path) : !open;
    if (collapsed.get(path) === want) return false;
    collapsed.set(path, want);
    hideTooltip(true);
    relayout(path);
    return true;
  }
  // From a click: when the result is big, say so first and lay out on the next tick (so the message paints)
  function busy(n, job) {
    if (n <= SLOW) { job(); return; }
    $("status").textContent = `laying out ${n.toLocaleString()} nodes\u2026`;
    document.body.classList.add("busy");
    setTimeout(() => { try { job(); } finally { document.body.classList.remove("busy"); } }, 30);
  }
  function toggleFromUi(path, open) {
    const before = collapsed.get(path);
    collapsed.set(path, !open);
    const n = countVisible();
    collapsed.set(path, before);
    busy(n, () => toggle(path, open));
  }
  function setAll(value) {
    const before = new Map(collapsed);
    for (const p of collapsed.keys()) collapsed.set(p, value);
    const n = countVisible();
    if (!value && n > BIG && !window.confirm(`Expand all modules? That lays out ${n.toLocaleString()} nodes and may take a while.`)) {
      for (const [p, v] of before) collapsed.set(p, v);
      return;
    }
    hideTooltip(true);
    busy(n, () => { layout(); render(); fit(READABLE_SCALE); });
  }

  // ------------------------------------------------------------------ tooltip
  const tip = $("tooltip");
  function row(k, v) { return `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`; }
  function tooltipHtml(target) {
    if (target.classList.contains("node")) {
      const leaf = state.layout.leaves.get(target.classList.contains("module") ? target.dataset.id : "n:" + target.dataset.id);
      if (!leaf) return "";
      if (leaf.mod) {
        const m = leaf.mod;
        let s = `<div class="tt-head">${esc(m.label)}<span class="tt-kind">${m.members ? "group of " + m.members.length : "module"}</span></div><table>`;
        s += row("path", m.path);
        m.lines.forEach((l) => { s += `<tr><td colspan="2">${esc(l)}</td></tr>`; });
        s += row("nodes inside", leaf.ids.length.toLocaleString());
        if (m.members) s += row("members", m.members.join(", "));
        return s + '</table><div class="tt-hint">click to expand</div>';
      }
      const n = leaf.node;
      let s = `<div class="tt-head">${esc(n.label)}<span class="tt-kind">${esc(n.kind)}</span></div><table>`;
      const keys = Object.keys(n.info);
      if (!keys.length) n.lines.forEach((l) => { s += `<tr><td colspan="2">${esc(l)}</td></tr>`; });
      for (const k of keys) {
        const v = n.info[k];
        s += row(k, v !== null && typeof v === "object" ? JSON.stringify(v) : str(v, "\u2014"));
      }
      if (D.mode === "replay" && frameOf.has(n.id)) s += row("replay step", String(frameOf.get(n.id) + 1));
      return s + "</table>";
    }
    if (target.classList.contains("cluster-label")) {
      const m = D.byPath.get(target.dataset.path);
      if (!m) return "";
      let s = `<div class="tt-head">${esc(m.label)}<span class="tt-kind">${m.members ? "group" : "module"}</span></div><table>`;
      s += row("path", m.path);
      m.lines.forEach((l) => { s += `<tr><td colspan="2">${esc(l)}</td></tr>`; });
      return s + '</table><div class="tt-hint">click to collapse</div>';
    }
    return "";
  }
  function showTooltip(target, cx, cy) {
    const h = tooltipHtml(target);
    if (!h) return;
    tip.innerHTML = h;
    tip.hidden = false;
    tip.dataset.for = target.dataset.id || target.dataset.path || "";
    placeTooltip(cx, cy);
  }
  function placeTooltip(cx, cy) {
    const w = tip.offsetWidth, h = tip.offsetHeight;
    let x = cx + 16, y = cy + 14;
    if (x + w > window.innerWidth - 8) x = Math.max(8, cx - w - 16);
    if (y + h > window.innerHeight - 8) y = Math.max(8, window.innerHeight - h - 8);
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function hideTooltip(evenPinned) {
    if (state.pinned && !evenPinned) return;
    state.pinned = false;
    tip.classList.remove("pinned");
    tip.hidden = true;
  }
  const hoverable = (t) => (t && t.closest ? t.closest("g.node, g.cluster-label") : null);
  svg.addEventListener("pointerover", (e) => {
    if (drag && drag.moved) return;
    const t = hoverable(e.target);
    if (t && !state.pinned) showTooltip(t, e.clientX, e.clientY);
  });
  svg.addEventListener("pointermove", (e) => {
    if (!tip.hidden && !state.pinned && hoverable(e.target)) placeTooltip(e.clientX, e.clientY);
  });
  svg.addEventListener("pointerout", (e) => {
    const t = hoverable(e.target);
    if (t && !t.contains(e.relatedTarget)) hideTooltip(false);
  });
  svg.addEventListener("click", (e) => {
    if (suppressClick) return;
    const t = hoverable(e.target);
    if (!t) { hideTooltip(true); return; }
    if (t.classList.contains("module")) { toggleFromUi(t.dataset.id.slice(2), true); return; }
    if (t.classList.contains("cluster-label")) { toggleFromUi(t.dataset.path, false); return; }
    // a plain node: pin its details (click again or elsewhere to unpin)
    if (state.pinned && tip.dataset.for === t.dataset.id) { hideTooltip(true); return; }
    state.pinned = false;
    showTooltip(t, e.clientX, e.clientY);
    state.pinned = true;
    tip.classList.add("pinned");
  });
  svg.addEventListener("dblclick", (e) => {
    const t = hoverable(e.target);
    if (t && D.mode === "replay" && t.classList.contains("node") && frameOf.has(t.dataset.id)) setFrame(frameOf.get(t.dataset.id));
  });

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

  // ------------------------------------------------------------------ replay
  const slider = $("slider");
  function setFrame(i) {
    const n = D.frames.length;
    if (!n) return state.frame;
    i = Math.max(0, Math.min(n - 1, Math.round(Number(i)) || 0));
    state.frame = i;
    window.tracegrad.frame = i;
    applyFrame(true);
    return i;
  }
  function nodeName(id) {
    const n = D.byId.get(String(id));
    return n ? n.label + " (" + n.id + ")" : String(id);
  }
  function applyFrame(follow) {
    const n = D.frames.length;
    if (!n) return;
    const L = state.layout, f = D.frames[state.frame];
    const keyOf = (id) => L.keyOfNode.get(String(id));
    const done = new Set(), doneIds = new Set(), pending = new Set();
    for (let i = 0; i < state.frame; i++) { doneIds.add(D.frames[i].node); const k = keyOf(D.frames[i].node); if (k) done.add(k); }
    for (let i = state.frame + 1; i < n; i++) { const k = keyOf(D.frames[i].node); if (k) pending.add(k); }
    const cur = keyOf(f.node);
    const targets = new Set(f.contributions.map((c) => keyOf(c.to)).filter(Boolean));
    const sources = new Set(f.received.map((c) => keyOf(c.from)).filter(Boolean));
    for (const [id, el] of elOf) {
      const key = el.classList.contains("module") ? id : "n:" + id;
      el.classList.toggle("current", key === cur);
      el.classList.toggle("done", done.has(key) && key !== cur);
      el.classList.toggle("pending", pending.has(key) && !done.has(key) && key !== cur);
      el.classList.toggle("target", targets.has(key) && key !== cur);
      el.classList.toggle("source", sources.has(key) && key !== cur);
    }
    for (const el of edgeEls) {
      const e = L.edges[+el.dataset.i];
      let trav = false, active = false;
      for (const d of e.dsts) { if (doneIds.has(d)) trav = true; if (d === f.node) active = true; }
      el.classList.toggle("traversed", trav && !active);
      el.classList.toggle("active", active);
    }
    slider.value = String(state.frame);
    $("counter").textContent = `${state.frame + 1} / ${n}`;
    $("caption").textContent = f.text || nodeName(f.node);
    $("prev").disabled = state.frame === 0;
    $("next").disabled = state.frame === n - 1;
    panel(f, cur);
    if (follow && cur) { const leaf = L.leaves.get(cur); if (leaf) centerOn(leaf.x, leaf.y, true); }
  }
  function panel(f, cur) {
    const p = $("panel");
    const link = (id) => `<a href="#" class="goto" data-node="${esc(id)}">${esc(nodeName(id))}</a>`;
    let s = `<h2>step ${state.frame + 1}: ${esc(nodeName(f.node))}</h2>`;
    if (cur && cur.startsWith("m:")) s += `<p class="note">inside the collapsed module <b>${esc(cur.slice(2))}</b> (click it to expand)</p>`;
    if (f.text) s += `<p class="frame-text">${esc(f.text)}</p>`;
    s += `<h3>received</h3>`;
    if (f.received.length) {
      s += '<ul class="received">' + f.received.map((r) =>
        `<li>from ${link(r.from)}<div class="formula">${esc(str(r.text, ""))}</div>${r.value !== undefined && r.value !== null ? `<div class="value">= ${esc(str(r.value, ""))}</div>` : ""}</li>`).join("") + "</ul>";
    } else s += '<p class="none">nothing: this is where the backward pass starts</p>';
    if (f.grad) s += `<div class="sum">sum \u2192 \u2202L/\u2202(${esc(D.byId.has(f.node) ? D.byId.get(f.node).label : f.node)}) = <b>${esc(f.grad)}</b></div>`;
    s += `<h3>sends to its inputs</h3>`;
    if (f.contributions.length) {
      s += '<ul class="contributions">' + f.contributions.map((c) =>
        `<li>to ${link(c.to)}<div class="formula">${esc(str(c.text, ""))}</div>${c.value !== undefined && c.value !== null ? `<div class="value">= ${esc(str(c.value, ""))}</div>` : ""}</li>`).join("") + "</ul>";
    } else s += '<p class="none">nothing (a leaf)</p>';
    p.innerHTML = s;
  }

  function setupReplay() {
    const n = D.frames.length;
    document.body.classList.add("replay");
    $("replaybar").hidden = false;
    $("panel").hidden = false;
    slider.min = "0";
    slider.max = String(Math.max(0, n - 1));
    slider.step = "1";
    slider.value = "0";
    slider.disabled = n < 2;
    if (!n) { $("counter").textContent = "0 / 0"; $("caption").textContent = "no frames"; $("prev").disabled = $("next").disabled = true; }
    $("prev").addEventListener("click", () => setFrame(state.frame - 1));
    $("next").addEventListener("click", () => setFrame(state.frame + 1));
    slider.addEventListener("input", () => setFrame(Number(slider.value)));
    $("panel").addEventListener("click", (e) => {
      const a = e.target.closest("a.goto");
      if (!a) return;
      e.preventDefault();
      const id = a.dataset.node;
      if (frameOf.has(id)) setFrame(frameOf.get(id));
      else {
        const k = state.layout.keyOfNode.get(id), leaf = k && state.layout.leaves.get(k);
        if (leaf) centerOn(leaf.x, leaf.y, false);
      }
    });
  }

  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.target === slider) return; // the slider steps itself and fires "input"
    if (e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA")) return;
    const replay = D.mode === "replay" && D.frames.length;
    if (replay && e.key === "ArrowRight") { setFrame(state.frame + 1); e.preventDefault(); }
    else if (replay && e.key === "ArrowLeft") { setFrame(state.frame - 1); e.preventDefault(); }
    else if (replay && e.key === "Home") { setFrame(0); e.preventDefault(); }
    else if (replay && e.key === "End") { setFrame(D.frames.length - 1); e.preventDefault(); }
    else if (e.key === "f") fit(0);
    else if (e.key === "+" || e.key === "=") zoomCenter(1.25);
    else if (e.key === "-") zoomCenter(0.8);
    else if (e.key === "Escape") hideTooltip(true);
  });
  function zoomCenter(f) { const r = svg.getBoundingClientRect(); zoomAt(r.width / 2, r.height / 2, f); }

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
