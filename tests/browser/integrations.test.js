// The auto-answer rules in integrations/ against the real banner in Chromium, on the demo pages
// in ru, kk and en. Each rule is run by a small interpreter of the step types it uses, written
// here from the formats' documentation (no code from those projects): DuckDuckGo autoconsent's
// rule syntax (docs/rule-syntax.md of duckduckgo/autoconsent) and Consent-O-Matic's rule format
// (README.md of cavi-au/Consent-O-Matic). The interpreters run inside the page like the
// extensions' content scripts (DOM queries, element.click()) and throw on any step type they do
// not know, so a rule that starts using one fails here instead of passing untested. The stored
// result is checked with state() and by the core in Node: opt-out leaves nothing optional
// allowed, opt-in allows everything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, startServer, REPO } from './helpers.js';
import { DEMO_CSP } from '../../scripts/serve.mjs';
import { nodeCore } from './banner-fixture.js';
import { presetConsent } from '../../web/src/testing/index.js';

const AUTOCONSENT = JSON.parse(readFileSync(join(REPO, 'integrations/autoconsent/kelisim.json'), 'utf8'));
const CONSENT_O_MATIC = JSON.parse(readFileSync(join(REPO, 'integrations/consent-o-matic/kelisim.json'), 'utf8'));
const PAGES = { ru: '/', kk: '/kk.html', en: '/en.html' };
// Each page's data-policy.
const MANIFESTS = { ru: '/policies/toolpars/manifest.json', kk: '/policies/neupusti/manifest.json', en: '/policies/toolpars/manifest.json' };
const DAY = 86400000;

let browser;
let srv;
let tmp;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kelisim-integrations-'));
  const cli = process.env.KELISIM_NATIVE_CLI || join(REPO, 'build/native/kelisim');
  execFileSync(cli, ['build', join(REPO, 'policies'), '-o', join(tmp, 'policies')], { stdio: 'pipe' });
  browser = await launchBrowser();
  srv = await startServer(join(REPO, 'examples/site'), {
    mounts: { '/dist': join(REPO, 'dist'), '/policies': join(tmp, 'policies') },
    headers: { 'Content-Security-Policy': DEMO_CSP },
  });
});
after(async () => {
  await browser?.close();
  await srv?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---- autoconsent: the JSON rule steps this rule uses --------------------------------------------
// Runs in the page. detectCmp / detectPopup: every step must hold (retried, as the engine retries
// detection); then optIn or optOut in order, stopping at the first failing step; then `test`.
// Returns { detected, popup, done, tested, prehidden }.
async function autoconsentInPage({ rule, mode }) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const find = (sel) => {
    const list = Array.isArray(sel) ? sel : [sel];
    let roots = [document];
    for (const s of list) {
      if (s.startsWith('xpath/')) throw new Error('xpath selectors are not interpreted here');
      roots = roots.flatMap((r) => [...(r.shadowRoot || r).querySelectorAll(s)]);
    }
    return roots;
  };
  // The visibility heuristic: rendered, not display:none / visibility:hidden, with a box.
  const isVisible = (el) => {
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return cs.display !== 'none' && cs.visibility !== 'hidden' && r.width > 0 && r.height > 0;
  };
  const waitUntil = async (fn, timeout = 1000) => {
    const end = Date.now() + timeout;
    for (;;) {
      if (fn()) return true;
      if (Date.now() > end) return false;
      await sleep(50);
    }
  };
  async function step(s) {
    let ok;
    if ('exists' in s) ok = find(s.exists).length > 0;
    else if ('visible' in s) {
      const els = find(s.visible).map(isVisible);
      const check = s.check || 'all';
      ok = check === 'any' ? els.some(Boolean) : check === 'none' ? els.every((v) => !v) : els.length > 0 && els.every(Boolean);
    } else if ('waitFor' in s) ok = await waitUntil(() => find(s.waitFor).length > 0, s.timeout);
    else if ('waitForThenClick' in s) {
      ok = await waitUntil(() => find(s.waitForThenClick).length > 0, s.timeout);
      if (ok) for (const el of s.all ? find(s.waitForThenClick) : find(s.waitForThenClick).slice(0, 1)) el.click();
    } else throw new Error('step type not interpreted: ' + JSON.stringify(s));
    if (s.negated) ok = !ok;
    return ok || !!s.optional;
  }
  const all = async (steps) => {
    for (const s of steps || []) if (!(await step(s))) return false;
    return true;
  };
  // Pre-hiding as the rule declares it: the engine makes these transparent before detecting,
  // through its own stylesheet, so an element drawn later is hidden too (a first visit's banner
  // may appear after the page's load event). Here: CSSOM on each matching element, applied again
  // before every detection attempt (a strict page CSP allows it), and restored afterwards.
  const prehidden = new Set();
  const prehide = () => {
    for (const el of (rule.prehideSelectors || []).flatMap((s) => find(s))) {
      if (!prehidden.has(el)) el.style.opacity = '0';
      prehidden.add(el);
    }
  };
  const retry = async (steps) => {
    for (let i = 0; i < 40; i++) {
      prehide();
      if (await all(steps)) return true;
      await sleep(100);
    }
    return false;
  };
  const out = { detected: await retry(rule.detectCmp), popup: false, done: false, tested: false };
  if (out.detected) out.popup = await retry(rule.detectPopup);
  for (const el of prehidden) el.style.removeProperty('opacity');
  out.prehidden = prehidden.size;
  if (out.popup) out.done = await all(mode === 'optIn' ? rule.optIn : rule.optOut);
  if (out.done) out.tested = await all(rule.test);
  return out;
}

// ---- Consent-O-Matic: the actions and matchers this rule uses -----------------------------------
// Runs in the page with the user's consent per type (A, B, D, E, F, X → boolean). A detector
// triggers when its present and showing matchers match; the methods then run in the documented
// order HIDE_CMP, OPEN_OPTIONS, HIDE_CMP, DO_CONSENT, SAVE_CONSENT. Returns { present, showing,
// ran, toggled } (toggled: how many consent toggles were clicked).
async function consentOMaticInPage({ rule, consents }) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const cmp = Object.values(rule)[0];
  // DOM selection: parent (optional) resolved first, then target under it; filters applied.
  function select(sel, root) {
    if (sel.parent) {
      const p = pick(sel.parent, root)[0];
      if (!p) return [];
      root = p;
    }
    return sel.target ? pick(sel.target, root) : [root];
  }
  function pick(t, root) {
    let els = [...(root || document).querySelectorAll(t.selector)];
    for (const k of Object.keys(t)) {
      if (!['selector', 'childFilter', 'displayFilter', 'textFilter'].includes(k)) throw new Error('selection filter not interpreted: ' + k);
    }
    if (t.textFilter) {
      const texts = [].concat(t.textFilter);
      els = els.filter((e) => texts.some((x) => e.textContent.includes(x)));
    }
    if (t.displayFilter !== undefined) els = els.filter((e) => (getComputedStyle(e).display !== 'none') === !!t.displayFilter);
    if (t.childFilter) els = els.filter((e) => select(t.childFilter, e).length > 0);
    return els;
  }
  function matches(m, root) {
    const els = select(m, root);
    if (m.type === 'css' || m.type === undefined) return els.length > 0;
    if (m.type === 'checkbox') return !!els[0] && els[0].checked === true;
    throw new Error('matcher not interpreted: ' + m.type);
  }
  async function act(a, root) {
    switch (a.type) {
      case 'list':
        for (const x of a.actions) await act(x, root);
        return;
      case 'click': {
        const el = select(a, root)[0];
        if (el) el.click();
        await sleep(10);
        return;
      }
      case 'hide':
        for (const el of select(a, root)) el.classList.add('ConsentOMatic-CMP-Hider');
        return;
      case 'waitcss':
        for (let i = 0; i < (a.retries ?? 10); i++) {
          if ((select(a, root).length > 0) !== !!a.negated) return;
          await sleep(a.waitTime ?? 250);
        }
        return;
      case 'foreach':
        for (const el of select(a, root)) await act(a.action, el);
        return;
      case 'consent':
        for (const c of a.consents) {
          const want = consents[c.type] === true;
          if (c.toggleAction && c.matcher) {
            if (matches(c.matcher, root) !== want) {
              toggled++;
              await act(c.toggleAction, root);
            }
          } else if (want ? c.trueAction : c.falseAction) {
            await act(want ? c.trueAction : c.falseAction, root);
          }
        }
        return;
      default:
        throw new Error('action not interpreted: ' + a.type);
    }
  }
  let toggled = 0;
  let present = false;
  let showing = false;
  for (let i = 0; i < 40 && !showing; i++) {
    present = cmp.detectors.some((d) => matches(d.presentMatcher));
    showing = present && cmp.detectors.some((d) => matches(d.showingMatcher));
    if (!showing) await sleep(100);
  }
  const ran = [];
  if (showing) {
    const byName = Object.fromEntries(cmp.methods.map((m) => [m.name, m.action]));
    for (const name of ['HIDE_CMP', 'OPEN_OPTIONS', 'HIDE_CMP', 'DO_CONSENT', 'SAVE_CONSENT']) {
      if (!byName[name]) continue;
      await act(byName[name], null);
      ran.push(name);
    }
  }
  return { present, showing, ran, toggled };
}

/** After a rule ran: the page's state() and the stored record, decoded by the core in Node. */
async function result(page) {
  await page.waitForFunction(() => window.kelisim.state().decided &&
    document.querySelector('[data-kelisim-root]').getAttribute('data-kelisim-state') === 'hidden', null, { timeout: 10000 });
  const st = await page.evaluate(() => window.kelisim.state());
  const cookie = (await page.context().cookies()).find((c) => c.name === 'kelisim');
  const rec = (await nodeCore()).decodeRecord(cookie && cookie.value);
  assert.ok(rec.ok, 'a valid record is stored');
  const hidden = await page.getAttribute('[data-kelisim-root]', 'data-kelisim-state');
  return { st, stored: rec.record.choices, hidden };
}

const manifestOf = (policyId) => JSON.parse(readFileSync(join(tmp, 'policies', policyId, 'manifest.json'), 'utf8'));
/** Every category of the page's policy: required ones on, the optional ones `on`. */
function expectAll(policyId, on) {
  const m = manifestOf(policyId);
  assert.ok(m.categories.filter((c) => !c.required).length >= 2, 'the page has optional categories to answer');
  return Object.fromEntries(m.categories.map((c) => [c.id, c.required ? true : on]));
}

for (const [lang, path] of Object.entries(PAGES)) {
  for (const mode of ['optOut', 'optIn']) {
    test(`autoconsent rule, ${mode}, ${lang}`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(srv.url + path);
      const out = await page.evaluate(autoconsentInPage, { rule: AUTOCONSENT, mode });
      assert.deepEqual(out, { detected: true, popup: true, done: true, tested: true, prehidden: 1 });
      const { st, stored, hidden } = await result(page);
      assert.equal(st.lang, lang);
      assert.deepEqual(st.choices, expectAll(st.policyId, mode === 'optIn'));
      assert.deepEqual(stored, expectAll(st.policyId, mode === 'optIn'));
      assert.equal(hidden, 'hidden');
      // Once answered, the popup is no longer detected (the engine would not act again).
      const again = await page.evaluate(async (rule) => {
        const q = (s) => document.querySelector(s);
        return !!q(rule.detectPopup[0].exists);
      }, AUTOCONSENT);
      assert.equal(again, false);
      await context.close();
    });

    test(`Consent-O-Matic rule, ${mode}, ${lang}`, async () => {
      const context = await browser.newContext();
      const on = mode === 'optIn';
      // Opt-out starts from an expired "accept all" (kelisim/testing): the banner is back with every
      // switch prefilled on, so the rule has to turn each one off. Opt-in starts from a first visit
      // (every switch off).
      if (!on) await presetConsent(context, { manifest: MANIFESTS[lang], choices: 'all', at: Date.now() - 400 * DAY, url: srv.url + path });
      const page = await context.newPage();
      await page.goto(srv.url + path);
      await page.evaluate(() => window.kelisim.ready);
      assert.equal((await page.evaluate(() => window.kelisim.state())).reason, on ? 'no-record' : 'expired');
      const consents = { A: on, B: on, D: on, E: on, F: on, X: on };
      const out = await page.evaluate(consentOMaticInPage, { rule: CONSENT_O_MATIC, consents });
      const policyId = await page.evaluate(() => window.kelisim.state().policyId);
      const optional = manifestOf(policyId).categories.filter((c) => !c.required).length;
      assert.deepEqual(out, { present: true, showing: true, ran: ['HIDE_CMP', 'OPEN_OPTIONS', 'HIDE_CMP', 'DO_CONSENT', 'SAVE_CONSENT'], toggled: optional });
      const { st, stored, hidden } = await result(page);
      assert.equal(st.lang, lang);
      assert.deepEqual(st.choices, expectAll(st.policyId, on));
      assert.deepEqual(stored, expectAll(st.policyId, on));
      assert.equal(hidden, 'hidden');
      await context.close();
    });
  }
}

test('Consent-O-Matic rule maps categories to its types: analytics is B, marketing F, others X', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(srv.url + '/en.html');
  await page.evaluate(consentOMaticInPage, { rule: CONSENT_O_MATIC, consents: { A: false, B: true, D: false, E: false, F: false, X: true } });
  const { st } = await result(page);
  assert.deepEqual(st.choices, { necessary: true, newsletter: true, marketing: false, analytics: true });
  await context.close();
});

test('the interpreters refuse step types they do not know (a rule cannot pass untested)', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(srv.url + '/en.html');
  await assert.rejects(page.evaluate(autoconsentInPage, { rule: { detectCmp: [{ eval: 'EVAL_X' }] }, mode: 'optOut' }), /not interpreted/);
  await assert.rejects(page.evaluate(consentOMaticInPage, {
    rule: { x: { detectors: [{ presentMatcher: { type: 'css', target: { selector: 'body' } }, showingMatcher: { type: 'css', target: { selector: 'body' } } }], methods: [{ name: 'DO_CONSENT', action: { type: 'slide' } }] } },
    consents: {},
  }), /not interpreted/);
  await context.close();
});
