/* tracegrad page, part 1 of 6: the data. Normalises the embedded JSON, measures text, holds the page's state
 * (which modules are collapsed, the current frame, the view, the last layout) and maps nodes to the module that
 * stands for them. Every part shares one namespace object, window.__tg (TG), created here; graph.js says more.
 */
(function () {
  "use strict";

  const TG = window.__tg = {};

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

  function countVisible() { // how many nodes the current collapsed flags show (without laying them out)
    const rep = computeReps(), keys = new Set();
    for (const n of D.nodes) {
      const owner = ownerOf(n.scope), r = owner ? rep.get(owner) : null;
      keys.add(r !== null && r !== undefined ? "m:" + r : "n:" + n.id);
    }
    for (const m of D.modules) if (rep.get(m.path) === m.path) keys.add("m:" + m.path);
    return keys.size;
  }

  Object.assign(TG, {
    FONT, LABEL_FONT, LINE_FONT, HEAD_FONT, PAD_X, PAD_Y, LABEL_H, LINE_H, NO_GRAD_FILL, NO_GRAD_STROKE, NO_GRAD_EDGE,
    READABLE_SCALE, BIG, DAGRE_MAX, SLOW,
    $, esc, num, str, colorOrNull, normalize, textWidth, inkOn, fmt,
    D, collapsed, ownerOf, frameOf, state, computeReps, countVisible,
  });
})();
