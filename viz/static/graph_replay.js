/* tracegrad page, part 4 of 6: replay mode. Steps through the backward pass one frame at a time: marks the
 * current, done, pending, source and target nodes and the traversed edges, fills the side panel, and wires the
 * replay bar (prev, next, slider).
 */
(function () {
  "use strict";

  const TG = window.__tg;
  const { $, esc, str, D, frameOf, state, elOf, centerOn } = TG;

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
    for (const el of TG.edgeEls) {
      const e = L.edges[+el.dataset.i];
      let trav = false, active = false;
      for (const d of e.dsts) { if (doneIds.has(d)) trav = true; if (d === f.node) active = true; }
      el.classList.toggle("traversed", trav && !active);
      el.classList.toggle("active", active);
    }
    slider.value = String(state.frame);
    $("counter").textContent = `${state.frame + 1} / ${n}`;
    $("caption").textContent = (f.text || nodeName(f.node)).split("\n")[0];  // the headline; the panel has all
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

  Object.assign(TG, { slider, setFrame, applyFrame, setupReplay });
})();
