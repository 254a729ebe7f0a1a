// `kelisim/core` as a package user imports it: consent functions plus the lazily loaded
// policy functions (render, search, diff, lint, importText).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCore } from 'kelisim/core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const source = readFileSync(root + 'policies/smartaqkol/2.md', 'utf8');

test('kelisim/core resolves through the package exports map to the headless entry', async () => {
  const core = await loadCore();
  assert.equal(typeof core.decide, 'function');
  assert.equal(core.deadline(Date.parse('2025-06-10T12:00:00+05:00'), 300, 7), Date.parse('2025-06-17T19:00:00Z'));
});

test('policy functions load the policy module on first use and agree with it', async () => {
  const core = await loadCore();
  const { body } = await core.importText(source);
  assert.ok(Array.isArray(body.clauses) || Array.isArray(body.children), 'a body tree');
  const html = await core.render(body);
  assert.match(html, /id="p-1\.2"/);
  const hits = await core.search(body, 'календарных');
  assert.ok(hits.some((h) => h.num === '1.2'), 'the 7-day clause is found');
  const d = await core.diff(body, body);
  assert.deepEqual(d.summary.added, []);
  const findings = await core.lint(source);
  assert.ok(Array.isArray(findings));
  const pm = await core.policy();
  assert.equal(pm.render(body), html, 'the same module serves later synchronous calls');
});

test('a policy module that cannot load rejects with wasm-load, and the consent part keeps working', async () => {
  const core = await loadCore({ policyWasm: new URL('file:///nonexistent/kelisim-policy.wasm') });
  await assert.rejects(core.render({}), (e) => e.code === 'wasm-load');
  assert.equal(core.decodeRecord('junk').ok, false);
});

test('kelisim/core also exports loadConsentCore (declared in core.d.ts): decide/apply/decodeRecord over the banner build', async () => {
  const { loadConsentCore } = await import('kelisim/core');
  const core = await loadConsentCore({ consentWasm: new URL('../../dist/kelisim-consent-banner.wasm', import.meta.url) });
  assert.deepEqual(Object.keys(core).filter((k) => typeof core[k] === 'function').sort(), ['apply', 'decide', 'decodeRecord']);
  assert.equal(core.decodeRecord('garbage').ok, false);
});
