// The update demo's panels (not part of kelisim): kelisim.state(), the kelisim:* events and
// kelisim.receipt(), all written with textContent; and a button that forgets the stored choice.
(function () {
  const t0 = performance.now();
  let receiptSeq = 0;
  function panels(e) {
    const k = window.kelisim;
    if (!k) return;
    const s = k.state();
    const st = document.getElementById('state');
    if (st) {
      st.textContent = JSON.stringify({
        version: s.version, action: s.action, reason: s.reason,
        deadline: s.deadline ? new Date(s.deadline).toISOString() : null,
        method: s.method, choices: s.choices,
      }, null, 2);
    }
    const r = document.getElementById('receipt');
    if (r) {
      // receipt() is a promise (its code is loaded on first use); show only the newest answer.
      const n = ++receiptSeq;
      Promise.resolve(k.receipt()).then((rc) => {
        if (n === receiptSeq) r.textContent = rc ? JSON.stringify(rc, null, 2) : 'Согласия пока нет.';
      });
    }
    ledger(s);
    if (e) {
      const ol = document.getElementById('events');
      const empty = ol && ol.querySelector('.empty');
      if (empty) empty.remove();
      if (ol) {
        const li = document.createElement('li');
        const d = e.detail || {};
        li.textContent = `+${Math.round(performance.now() - t0)} ms  ${e.type}` +
          (d.action ? `  ${d.action} (${d.reason})` : d.op ? `  ${d.op}` : '');
        ol.append(li);
      }
    }
  }
  // With `npm run demo`, the events go to its kelisim-server (/ledger/ledger.js): a link to
  // this record on its admin page, where the proof of the implicit acceptance is.
  function ledger(s) {
    const card = document.getElementById('ledger-card');
    const where = window.kelisimLedger;
    if (!card || !where) return;
    card.hidden = false;
    const p = document.getElementById('ledger');
    if (!s.recordId) { p.textContent = 'Согласия пока нет.'; return; }
    const a = document.createElement('a');
    a.href = where.origin + '/admin#record=' + encodeURIComponent(s.recordId);
    a.target = '_blank';
    a.rel = 'noopener';
    a.textContent = 'Запись ' + s.recordId + ' на странице администратора журнала';
    p.replaceChildren(a);
  }
  for (const n of ['consent', 'change', 'update', 'error']) document.addEventListener('kelisim:' + n, panels);
  document.addEventListener('DOMContentLoaded', () => {
    if (window.kelisim) window.kelisim.ready.then(() => panels());
    const reset = document.getElementById('demo-reset');
    if (reset) {
      reset.addEventListener('click', () => {
        for (const key of ['kelisim', 'kelisim:history', 'kelisim:outbox', 'kelisim:sent']) localStorage.removeItem(key);
        document.cookie = 'kelisim=; Path=/; Max-Age=0';
        location.href = '/update-demo/v1.html';
      });
    }
  });
})();
