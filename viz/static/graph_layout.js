/* tracegrad page, part 2 of 6: the layout. Builds the visible graph (collapsed modules as single nodes, merged
 * edges, one header node per expanded module) and lays it out with dagre (@dagrejs/dagre 3.1.3, vendored and
 * inlined; see graph.js for why the layout runs in the page); past DAGRE_MAX visible nodes, or when dagre fails,
 * a simple layered layout instead. Writes state.layout.
 */
(function () {
  "use strict";

  const TG = window.__tg;
  const { HEAD_FONT, LABEL_FONT, LINE_FONT, PAD_X, PAD_Y, LABEL_H, LINE_H, DAGRE_MAX } = TG;
  const { num, textWidth, D, ownerOf, state, computeReps } = TG;

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

  Object.assign(TG, { layout, simpleLayout });
})();
