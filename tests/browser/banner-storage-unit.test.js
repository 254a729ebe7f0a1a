// web/src/engine/storage.js in Node with a fake window: cookie attributes, refusal of bad
// values, fallbacks, history, cookie clearing. (No browser needed; lives with the banner tests.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStorage, clearCookies } from '../../web/src/engine/storage.js';

/** A fake window whose cookie jar records every Set string and honours Max-Age=0. */
function fakeWin({ protocol = 'https:', host = 'shop.example.kz', cookies = true, ls = 'ok' } = {}) {
  const jar = new Map();
  const sets = [];
  const store = new Map();
  const document = {};
  Object.defineProperty(document, 'cookie', {
    get() { return [...jar].map(([k, v]) => k + '=' + v).join('; '); },
    set(s) {
      sets.push(s);
      if (!cookies) return;
      const [pair, ...attrs] = s.split(';').map((x) => x.trim());
      const i = pair.indexOf('=');
      const k = pair.slice(0, i);
      if (attrs.some((a) => /^max-age=0$/i.test(a))) jar.delete(k);
      else jar.set(k, pair.slice(i + 1));
    },
  });
  const localStorage = {
    getItem: (k) => { if (ls === 'throws') throw new Error('denied'); return store.has(k) ? store.get(k) : null; },
    setItem: (k, v) => { if (ls !== 'ok') throw new Error(ls === 'full' ? 'QuotaExceededError' : 'denied'); store.set(k, String(v)); },
    removeItem: (k) => store.delete(k),
  };
  const win = {
    document, navigator: { cookieEnabled: cookies },
    location: { protocol, hostname: host, pathname: '/catalog/' },
    addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(win, 'localStorage', { configurable: true, get() { if (ls === 'getter-throws') throw new Error('SecurityError'); return localStorage; } });
  return { win, jar, sets, store };
}

const REC = 'k1~abc123XYZ~demo~1~0123456789abcdef~mws6y2ib~e~necessary:1.analytics:1~~0~~ec0b2e17420aa5c0';

test('cookie attributes: Path, SameSite=Lax, Secure on https, Max-Age, optional Domain', () => {
  const f = fakeWin();
  const s = createStorage({ win: f.win, domain: '.example.kz' });
  assert.deepEqual(s.write(REC), ['cookie', 'localStorage']);
  const set = f.sets.find((x) => x.startsWith('kelisim=k1'));
  assert.match(set, /; Path=\//);
  assert.match(set, /; Domain=\.example\.kz/);
  assert.match(set, /; SameSite=Lax/);
  assert.match(set, /; Secure/);
  assert.match(set, /; Max-Age=34560000$/); // 400 days
  const f2 = fakeWin({ protocol: 'http:' });
  createStorage({ win: f2.win, name: 'c', path: '/shop', sameSite: 'Strict', maxAgeDays: 30 }).write(REC);
  const set2 = f2.sets.find((x) => x.startsWith('c=k1'));
  assert.doesNotMatch(set2, /Secure/);
  assert.match(set2, /; Path=\/shop; SameSite=Strict; Max-Age=2592000$/);
});

test('a bad value is refused and the stored one is kept', () => {
  const f = fakeWin();
  const s = createStorage({ win: f.win });
  s.write(REC);
  for (const bad of ['', 'has space', 'semi;colon', 'quote"', 'x'.repeat(1025), null, 42, 'кириллица']) {
    assert.throws(() => s.write(bad), (e) => e.code === 'storage-bad-value', String(bad).slice(0, 20));
  }
  assert.deepEqual(s.candidates(), [REC]);
  assert.equal(f.store.get('kelisim'), REC);
});

test('fallbacks: localStorage throwing, full, or missing; cookies disabled; both gone → memory', () => {
  for (const ls of ['throws', 'full', 'getter-throws']) {
    const f = fakeWin({ ls });
    const s = createStorage({ win: f.win });
    assert.deepEqual(s.active, ['cookie'], ls);
    assert.deepEqual(s.write(REC), ['cookie']);
    assert.deepEqual(s.candidates(), [REC]);
  }
  const f = fakeWin({ cookies: false });
  const s = createStorage({ win: f.win });
  assert.deepEqual(s.active, ['localStorage']);
  assert.deepEqual(s.write(REC), ['localStorage']);
  const m = createStorage({ win: fakeWin({ cookies: false, ls: 'throws' }).win });
  assert.deepEqual(m.active, ['memory']);
  assert.deepEqual(m.write(REC), ['memory']);
  assert.deepEqual(m.candidates(), [REC]);
  // A cookie jar that silently drops writes although cookieEnabled says yes.
  const drop = fakeWin();
  drop.win.document = { get cookie() { return ''; }, set cookie(v) {} };
  const d = createStorage({ win: drop.win });
  assert.deepEqual(d.write(REC), ['localStorage']);
  assert.deepEqual(d.active, ['localStorage']);
});

test('the start only reads: no localStorage write, no cross-tab channel until a subscriber or a write', () => {
  const f = fakeWin();
  const writes = [];
  const ls = f.win.localStorage;
  const setItem = ls.setItem;
  ls.setItem = (k, v) => { writes.push(k); return setItem(k, v); };
  const channels = [];
  f.win.BroadcastChannel = class { constructor(n) { channels.push(n); } postMessage() {} close() {} };
  const s = createStorage({ win: f.win });
  assert.deepEqual(s.candidates(), []);
  assert.deepEqual(writes, [], 'nothing written to localStorage at start');
  assert.deepEqual(channels, [], 'no channel opened at start');
  const off = s.subscribe(() => {});
  assert.deepEqual(channels, ['kelisim:kelisim']);
  off();
  assert.deepEqual(s.write(REC), ['cookie', 'localStorage']);
  assert.deepEqual(writes, ['kelisim:probe', 'kelisim'], 'the probe runs once, before the first write');
  assert.deepEqual(channels, ['kelisim:kelisim'], 'one channel');
  // A write before any subscriber opens the channel too (the other tabs are told).
  const g = fakeWin();
  const posted = [];
  g.win.BroadcastChannel = class { postMessage(m) { posted.push(m.value); } close() {} };
  createStorage({ win: g.win }).write(REC);
  assert.deepEqual(posted, [REC]);
});

test('making the storage touches nothing: localStorage and the storage event wait for the first read or subscriber', () => {
  const f = fakeWin();
  const touched = [];
  const ls = f.win.localStorage;
  Object.defineProperty(f.win, 'localStorage', { get() { touched.push('localStorage'); return ls; } });
  f.win.addEventListener = (type) => touched.push('listen:' + type);
  const s = createStorage({ win: f.win });
  assert.deepEqual(touched, [], 'nothing reached for as the storage is made');
  assert.deepEqual(s.candidates(), []);
  assert.deepEqual(touched, ['localStorage'], 'the first read opens localStorage, once');
  s.candidates();
  assert.deepEqual(touched, ['localStorage']);
  s.subscribe(() => {});
  assert.deepEqual(touched, ['localStorage', 'listen:storage'], 'the storage event is listened to from the first subscriber on');
  // A throwing getter met at the first read: the storage falls back as before.
  const g = fakeWin({ ls: 'getter-throws' });
  const t = createStorage({ win: g.win });
  assert.deepEqual(t.active, ['cookie']);
});

test('mode selects the stores', () => {
  const f = fakeWin();
  assert.deepEqual(createStorage({ win: f.win, mode: 'cookie' }).write(REC), ['cookie']);
  assert.equal(f.store.get('kelisim'), undefined);
  const g = fakeWin();
  assert.deepEqual(createStorage({ win: g.win, mode: 'localStorage' }).write(REC), ['localStorage']);
  assert.equal(g.jar.size, 0);
  assert.deepEqual(createStorage({ win: fakeWin().win, mode: 'memory' }).write(REC), ['memory']);
});

test('history: appended, capped at 100, unreadable history does not throw', () => {
  const f = fakeWin();
  const s = createStorage({ win: f.win });
  for (let i = 0; i < 105; i++) s.append({ op: 'set', hash: 'h' + i, prevHash: i ? 'h' + (i - 1) : '' });
  const h = s.history();
  assert.equal(h.length, 100);
  assert.equal(h[0].hash, 'h5');
  assert.equal(h[99].hash, 'h104');
  f.store.set('kelisim:history', '{not json');
  assert.deepEqual(s.history().length, 100, 'falls back to the in-memory copy');
  s.append({ nope: true });
  assert.equal(s.history().length, 100);
});

test('clearCookies: names and wildcards, on the host and parent domains, leaves others', () => {
  const f = fakeWin();
  for (const c of ['_ka=1', '_ka_x=2', '_kaz=3', '_km=4', 'site=5', 'kelisim=6']) f.win.document.cookie = c + '; Path=/';
  const cleared = clearCookies(['_ka', '_ka_*', /^_km$/], f.win).sort();
  assert.deepEqual(cleared, ['_ka', '_ka_x', '_km']);
  assert.deepEqual([...f.jar.keys()].sort(), ['_kaz', 'kelisim', 'site']);
  const attempts = f.sets.filter((x) => x.startsWith('_ka=;'));
  assert.ok(attempts.some((x) => /Domain=example\.kz/.test(x)), 'parent domain tried');
  assert.ok(attempts.some((x) => /Domain=shop\.example\.kz/.test(x)));
  assert.ok(attempts.some((x) => /Path=\/catalog\//.test(x)));
  assert.deepEqual(clearCookies([], f.win), []);
});
