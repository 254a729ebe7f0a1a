// services/catalogue.json (docs/embeds.md, issue 12): the services catalogue that policy headers,
// embed placeholders and `kelisim scan` read. Checks the file against the shared contract:
// schema, id grammar and uniqueness, every fact field covered by a cited source, well-formed
// host/cookie/embed patterns, at least 25 services, the Kazakhstan/Russia services present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('../../services/catalogue.json', import.meta.url));
const cat = JSON.parse(readFileSync(FILE, 'utf8'));

const ID = /^[a-z][a-z0-9-]{0,31}$/;
const CATEGORIES = ['necessary', 'functional', 'analytics', 'marketing', 'media', 'chat'];
const KINDS = ['video', 'map', 'widget', 'chat', 'post'];
const FACTS = ['hosts', 'cookies', 'storage', 'embeds', 'country', 'privacyPolicy'];
const KEYS = ['id', 'name', 'vendor', 'category', 'country', 'privacyPolicy', 'hosts', 'cookies', 'storage', 'embeds', 'sources'];
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// A host name, or "*.example.com": lower-case labels, at least one dot, no scheme/port/path.
const hostOk = (h) => {
  if (typeof h !== 'string' || h.length > 253) return false;
  const labels = (h.startsWith('*.') ? h.slice(2) : h).split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
};
// Cookie and storage names: RFC 6265 token characters plus the * wildcard (which may not be alone).
const nameOk = (n) => typeof n === 'string' && /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(n) && n !== '*';
const httpsUrl = (u) => { try { return new URL(u).protocol === 'https:'; } catch { return false; } };
const seenOk = (s) => s === 'documentation' || s === 'observed' || /^listed by \S.*, not confirmed /.test(s);
// A fact is "stated" when it is a non-empty list or a non-null scalar; only stated facts need a source.
const stated = (svc, f) => (Array.isArray(svc[f]) ? svc[f].length > 0 : svc[f] !== null && svc[f] !== undefined);

const each = (fn) => { for (const s of cat.services) fn(s, `service ${s.id}`); };

test('the file has format 1, a note, and at least 25 services', () => {
  assert.equal(cat.format, 1);
  assert.equal(typeof cat.note, 'string');
  assert.ok(cat.note.length > 40);
  assert.deepEqual(Object.keys(cat).sort(), ['format', 'note', 'services']);
  assert.ok(Array.isArray(cat.services));
  assert.ok(cat.services.length >= 25, `${cat.services.length} services`);
});

test('ids follow the grammar and are unique; every service has exactly the contract keys', () => {
  const seen = new Set();
  each((s, at) => {
    assert.match(s.id, ID, at);
    assert.ok(!seen.has(s.id), `${at}: duplicate id`);
    seen.add(s.id);
    assert.deepEqual(Object.keys(s).sort(), [...KEYS].sort(), `${at}: keys`);
  });
});

test('names in ru/kk/en, a vendor, a known default category', () => {
  each((s, at) => {
    assert.deepEqual(Object.keys(s.name).sort(), ['en', 'kk', 'ru'], at);
    for (const l of ['ru', 'kk', 'en']) assert.ok(typeof s.name[l] === 'string' && s.name[l].trim() === s.name[l] && s.name[l], `${at}: name.${l}`);
    assert.ok(typeof s.vendor === 'string' && s.vendor.length > 1, `${at}: vendor`);
    assert.ok(CATEGORIES.includes(s.category), `${at}: category ${s.category}`);
  });
});

test('country is ISO 3166-1 alpha-2 or null; privacyPolicy an https URL or null', () => {
  each((s, at) => {
    assert.ok(s.country === null || /^[A-Z]{2}$/.test(s.country), `${at}: country ${s.country}`);
    assert.ok(s.privacyPolicy === null || httpsUrl(s.privacyPolicy), `${at}: privacyPolicy ${s.privacyPolicy}`);
  });
});

test('hosts, cookie and storage names are well formed and not repeated', () => {
  each((s, at) => {
    for (const f of ['hosts', 'cookies', 'storage']) {
      assert.ok(Array.isArray(s[f]), `${at}: ${f} is a list`);
      assert.equal(new Set(s[f]).size, s[f].length, `${at}: ${f} repeats a name`);
    }
    for (const h of s.hosts) assert.ok(hostOk(h), `${at}: host ${JSON.stringify(h)}`);
    for (const n of [...s.cookies, ...s.storage]) assert.ok(nameOk(n), `${at}: name ${JSON.stringify(n)}`);
  });
});

test('embed patterns are well formed and their hosts are among the service hosts', () => {
  let count = 0;
  each((s, at) => {
    assert.ok(Array.isArray(s.embeds), `${at}: embeds is a list`);
    for (const e of s.embeds) {
      count++;
      assert.deepEqual(Object.keys(e).sort(), ['hosts', 'kind', 'path'], `${at}: embed keys`);
      assert.ok(KINDS.includes(e.kind), `${at}: embed kind ${e.kind}`);
      assert.ok(Array.isArray(e.hosts) && e.hosts.length > 0, `${at}: embed hosts`);
      for (const h of e.hosts) {
        assert.ok(hostOk(h) && !h.startsWith('*.'), `${at}: embed host ${h} (exact names only)`);
        assert.ok(s.hosts.includes(h), `${at}: embed host ${h} missing from hosts`);
      }
      assert.match(e.path, /^\/[A-Za-z0-9._~/-]*$/, `${at}: embed path`);
    }
  });
  assert.ok(count >= 8, `${count} embed patterns`);
});

test('every stated fact is covered by a source; sources cite only stated facts', () => {
  each((s, at) => {
    assert.ok(Array.isArray(s.sources) && s.sources.length > 0, `${at}: sources`);
    const covered = new Set();
    for (const src of s.sources) {
      const keys = Object.keys(src).sort();
      assert.ok(['facts', 'seen', 'url'].every((k) => keys.includes(k)) && keys.every((k) => ['facts', 'note', 'seen', 'url'].includes(k)), `${at}: source keys ${keys}`);
      assert.ok(Array.isArray(src.facts) && src.facts.length > 0, `${at}: source facts`);
      for (const f of src.facts) {
        assert.ok(FACTS.includes(f), `${at}: unknown fact ${f}`);
        assert.ok(stated(s, f), `${at}: a source cites ${f}, which is empty`);
        covered.add(f);
      }
      assert.ok(httpsUrl(src.url), `${at}: source url ${src.url}`);
      assert.ok(seenOk(src.seen), `${at}: seen ${JSON.stringify(src.seen)}`);
      if ('note' in src) assert.ok(typeof src.note === 'string' && src.note.length > 0, `${at}: note`);
    }
    for (const f of FACTS) if (stated(s, f)) assert.ok(covered.has(f), `${at}: ${f} has no source`);
  });
});

test('the Kazakhstan/Russia services the issue names first are present, with their embeds', () => {
  const byId = Object.fromEntries(cat.services.map((s) => [s.id, s]));
  for (const id of ['yandex-metrica', 'yandex-maps', 'twogis', 'vk-pixel', 'vk-video', 'rutube', 'top-mail-ru',
    'jivo', 'bitrix24', 'telegram-widget', 'google-analytics', 'google-tag-manager', 'google-maps', 'youtube',
    'meta-pixel', 'tiktok-pixel', 'vimeo', 'hotjar', 'microsoft-clarity']) {
    assert.ok(byId[id], `missing ${id}`);
  }
  const embedOf = (id) => byId[id].embeds.map((e) => `${e.kind}:${e.hosts.join(',')}${e.path}`);
  assert.ok(embedOf('youtube').includes('video:www.youtube.com,www.youtube-nocookie.com/embed/'));
  assert.ok(embedOf('yandex-maps').includes('map:yandex.ru/map-widget/'));
  assert.ok(embedOf('twogis').includes('map:widgets.2gis.com/widget'));
});
