// `import { loadCore } from 'kelisim/core'`: the headless core for Node and browsers.
// The consent functions (decide, apply, deadline, encodeRecord, decodeRecord, parseInstant)
// are synchronous over the small consent module. The policy functions (render, search, diff,
// lint, importText, history) return promises: the first call loads the policy module (by
// default the authors' build kelisim-policy-tools.wasm, nlohmann-based) and later calls reuse it. Page bundles
// never import this file, so the banner path never loads the policy module.
import { loadCore as loadConsent } from './core.js';

// loadConsentCore: decide/apply/decodeRecord only, over a module you name (e.g. the banner build).
export { createCore, loadConsentCore } from './core.js';

/** See core.d.ts. options.consentWasm / options.policyWasm: URL, bytes or compiled module. */
export async function loadCore(options = {}) {
  const core = await loadConsent(options);
  let policy = null;
  const module = () => {
    if (!policy) {
      policy = import('./policy.js').then((m) => m.loadPolicyModule(options.policyWasm));
      policy.catch(() => { policy = null; });  // a failed load is retried on the next call
    }
    return policy;
  };
  const lazy = (name) => async (...args) => (await module())[name](...args);
  return Object.assign(core, {
    policy: module,
    render: lazy('render'),
    search: lazy('search'),
    diff: lazy('diff'),
    lint: lazy('lint'),
    importText: lazy('importText'),
    history: lazy('history'),
  });
}
