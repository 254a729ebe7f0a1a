// The demo page's visible log (not gated, not part of kelisim): fake third-party scripts call
// demoLog(category, message) when they run, and the "state" box mirrors kelisim.state().
(function () {
  const t0 = performance.now();
  window.demoLog = function (cat, msg) {
    const ol = document.getElementById('log');
    if (window.__ran) window.__ran(cat, msg); // the browser tests' probe
    if (!ol) return;
    const empty = ol.querySelector('.empty');
    if (empty) empty.remove();
    const li = document.createElement('li');
    li.dataset.cat = cat;
    li.textContent = `+${Math.round(performance.now() - t0)} ms  [${cat}] ${msg}`;
    ol.append(li);
  };
  function show(e) {
    const pre = document.getElementById('state');
    if (!pre || !window.kelisim) return;
    const s = window.kelisim.state();
    pre.textContent = JSON.stringify({ status: s.status, action: s.action, reason: s.reason, choices: s.choices, storage: s.storage, event: e ? e.type : null }, null, 2);
  }
  for (const n of ['consent', 'change', 'update', 'error']) document.addEventListener('kelisim:' + n, show);
  document.addEventListener('DOMContentLoaded', () => { if (window.kelisim) window.kelisim.ready.then(() => show()); });
})();
