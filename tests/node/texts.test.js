// web/src/texts.js: the policy's texts file (format 2), served by a real HTTP server on
// loopback. Fetched once per URL, a failed fetch retried, anything that is not a texts object
// refused with 'texts-load'; inline texts (no `texts` field) need no fetch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { loadTexts, textsOf } from '../../web/src/texts.js';

const TEXTS = { format: 2, id: 'demo', version: '1', title: 'Политика', categories: { analytics: { title: { ru: 'Аналитика' } } } };
const hits = {};
let down = true;
let srv;
let base;
before(async () => {
  srv = createServer((req, res) => {
    hits[req.url] = (hits[req.url] || 0) + 1;
    const body = {
      '/p/1/texts.json': JSON.stringify(TEXTS),
      '/p/array.json': '[1,2]',
      '/p/html.json': '<!doctype html><p>not json',
      '/p/null.json': 'null',
    }[req.url];
    if (req.url === '/p/flaky.json' && !down) return res.end(JSON.stringify(TEXTS));
    if (body === undefined) { res.writeHead(req.url === '/p/flaky.json' ? 503 : 404); return res.end('no'); }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${srv.address().port}/p/manifest.json`;
});
after(() => srv.close());

const code = (p) => p.then(() => 'resolved', (e) => e.code);

test('a manifest without `texts` (inline texts, format 1) needs no fetch', async () => {
  assert.equal(await loadTexts({ categories: [] }, base), null);
  assert.equal(await loadTexts(null, base), null);
  assert.equal(await loadTexts({ texts: 42 }, base), null);
});

test('the file is resolved against the manifest URL and fetched once per URL', async () => {
  const m = { texts: '1/texts.json' };
  const [a, b] = await Promise.all([loadTexts(m, base), loadTexts(m, base)]);
  assert.deepEqual(a, TEXTS);
  assert.equal(a, b);
  assert.deepEqual(await loadTexts(m, base), TEXTS);
  assert.equal(hits['/p/1/texts.json'], 1);
});

test('a missing file, a JSON array, null or HTML → texts-load', async () => {
  for (const f of ['missing.json', 'array.json', 'null.json', 'html.json']) {
    assert.equal(await code(loadTexts({ texts: f }, base)), 'texts-load', f);
  }
});

test('after a failure the next call asks the server again', async () => {
  const m = { texts: 'flaky.json' };
  assert.equal(await code(loadTexts(m, base)), 'texts-load');
  down = false;
  assert.deepEqual(await loadTexts(m, base), TEXTS);
  assert.equal(hits['/p/flaky.json'], 2);
});

test('textsOf: a category\'s texts, or {} for anything else', () => {
  assert.deepEqual(textsOf(TEXTS, 'analytics'), { title: { ru: 'Аналитика' } });
  assert.deepEqual(textsOf(TEXTS, 'marketing'), {});
  assert.deepEqual(textsOf(null, 'analytics'), {});
  assert.deepEqual(textsOf({ categories: 'x' }, 'analytics'), {});
  assert.deepEqual(textsOf({ categories: { analytics: 'x' } }, 'analytics'), {});
});
