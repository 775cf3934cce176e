/* tracegrad page, part 5 of 6: interaction. Expanding and collapsing modules (keeping the clicked one in
 * place), the tooltip (hover, click to pin), clicks and double-clicks on the graph, and the keyboard.
 */
(function () {
  "use strict";

  const TG = window.__tg;
  const { READABLE_SCALE, BIG, SLOW } = TG;
  const { $, esc, str, D, collapsed, frameOf, state, countVisible, layout } = TG;
  const { svg, render, applyView, fit, zoomCenter, slider, setFrame } = TG;


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
    if (TG.dragMoved()) return;
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
    if (TG.clickSuppressed()) return;
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

  Object.assign(TG, { toggle, setAll, hideTooltip });
})();
