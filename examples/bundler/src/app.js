// A bundled app using kelisim from npm: `import { createKelisim } from 'kelisim'`.
// build.mjs bundles this with esbuild and copies kelisim-consent-banner.wasm next to the bundle
// (kelisim looks for it next to the code that imports it; or pass `consentWasm`). The
// preferences dialog, the report outbox and the sender come in through `moreModule`,
// `reportModule` and `receiptModule` below, as chunks esbuild splits off.
import { createKelisim } from 'kelisim';
import 'kelisim/kelisim.css';

const kelisim = createKelisim({
  policy: '/policies/toolpars/manifest.json',
  policyUrl: '/policies/toolpars/2.md',
  layout: 'box',
  // `npm run demo` reports to its kelisim-server (/ledger/ledger.js sets the URL; else none).
  reportUrl: (window.kelisimConfig || {}).reportUrl,
  cookies: { analytics: ['_ka', '_ka_*'], marketing: ['_km'] },
  // The second layer (preferences dialog) as a chunk of this bundle, split by esbuild; so are
  // the report outbox (loaded at start, with reportUrl only) and the report sender.
  moreModule: () => import('kelisim/kelisim-more.mjs'),
  reportModule: () => import('kelisim/kelisim-report.mjs'),
  receiptModule: () => import('kelisim/kelisim-receipt.mjs'),
});
window.kelisim = kelisim;

const log = (cat, msg) => {
  if (window.__ran) window.__ran(cat, msg); // the browser tests' probe
  const li = document.createElement('li');
  li.dataset.cat = cat;
  li.textContent = `[${cat}] ${msg}`;
  document.getElementById('log').append(li);
};
window.demoLog = log;

// Programmatic gating: load the analytics code only once it is allowed, and only once.
let analyticsLoaded = false;
function maybeLoadAnalytics() {
  if (analyticsLoaded || !kelisim.allowed('analytics')) return;
  analyticsLoaded = true;
  import('./analytics.js').then((m) => m.start(log));
}

function render() {
  const s = kelisim.state();
  document.getElementById('state').textContent = JSON.stringify({ status: s.status, choices: s.choices }, null, 2);
}

kelisim.on('consent', () => { render(); maybeLoadAnalytics(); });
kelisim.on('change', render);
kelisim.ready.then(render);
document.getElementById('prefs').addEventListener('click', () => kelisim.showPreferences());
document.getElementById('withdraw').addEventListener('click', () => kelisim.withdraw());
