// The events the page reports to `reportUrl` (docs/ledger.md §1, event v2): one change event
// per history entry, one display event each time a consent layer is shown. Built here, in the
// lazily loaded part (dist/kelisim-more.mjs), so that the banner script only hands over what
// happened (the entry; or the kind, element and decision of a display).

import { iso } from './outbox.js';
import { randomId } from './random-id.js';

const policyOf = (m) => ({ id: m.id, version: m.version, bodyHash: m.bodyHash });

/**
 * The change event of one history entry. a: { entry, record (the record string stored after
 * the change), recordId, manifest, lang, display (id of the display event the choice was made
 * on in this page view, or null) }. The event id is the entry hash.
 */
export function eventOf({ entry, record, recordId, manifest, lang, display }) {
  return {
    type: 'kelisim:consent-event',
    v: 2,
    id: entry.hash,
    recordId: recordId ?? null,
    record: record ?? null,
    policy: policyOf(manifest),
    controller: manifest.controller ?? null,
    language: lang ?? null,
    display: display || null,
    event: {
      op: entry.op, at: iso(entry.at), atMs: entry.at, version: entry.version, method: entry.method,
      choices: { ...entry.choices }, prevHash: entry.prevHash, hash: entry.hash,
      // Per-service states (issue 12), only when the policy declares services: the entry hash
      // covers them then (HistoryEntry::canonical), and events without services are unchanged.
      ...(Object.keys(entry.services || {}).length ? { services: { ...entry.services } } : {}),
    },
  };
}

/** 'd-' and 16 characters [A-Za-z0-9_-] from the CSPRNG (96 bits). */
export const displayId = () => 'd-' + randomId(16);

// The buttons' keys in `strings` (the rest are named by their data-kelisim-action).
const KEYS = { 'accept-all': 'accept', 'reject-all': 'reject' };
const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : '');

/**
 * The visible strings of a consent layer, read from what it drew (web/src/ui/banner.js,
 * preferences.js, notice.js): `title` (its heading), `text` (its paragraphs outside the
 * category list, one per line), `policy` (the policy link), one key per button (its
 * data-kelisim-action; accept-all/reject-all as accept/reject; an icon button by its
 * aria-label), and per category `category-<id>` (its title) and `description-<id>`. Names
 * are [A-Za-z0-9_-] (docs/ledger.md §1).
 */
export function stringsOf(el) {
  const s = {};
  const title = el.querySelector('h2');
  if (title) s.title = text(title);
  const ps = [...el.querySelectorAll('p')].filter((p) => !p.closest('li') && !p.querySelector('button'));
  if (ps.length) s.text = ps.map(text).join('\n');
  const link = el.querySelector('[data-kelisim-policy-link]');
  if (link) s.policy = text(link);
  for (const b of el.querySelectorAll('[data-kelisim-action]')) {
    const a = b.getAttribute('data-kelisim-action');
    s[KEYS[a] || a] = b.getAttribute('aria-label') || text(b);
  }
  for (const li of el.querySelectorAll('li')) {
    const svc = li.querySelector(':scope > div > [data-kelisim-service]');
    if (svc) s['service-' + svc.getAttribute('data-kelisim-service')] = text(li.querySelector('label'));
    const input = li.querySelector(':scope > div > [data-kelisim-category]');
    if (!input) continue;
    const id = input.getAttribute('data-kelisim-category');
    s['category-' + id] = text(li.querySelector('label'));
    const d = li.querySelector(':scope > p');
    if (d) s['description-' + id] = text(d);
  }
  return s;
}

/** The layout a layer was drawn in: the banner's bar/box, the dialog, or a notice. */
const layoutOf = (el) => (el.tagName === 'DIALOG' ? 'dialog' : (/\bkelisim-(bar|box)\b/.exec(el.className) || [])[1] || 'notice');

/**
 * The display event of a layer just shown. a: { kind ('banner'|'preferences'|'update-notice'|
 * 'implicit-notice'), el (the layer's element), decision (the core's decision it was shown
 * on), recordId, manifest, lang }; it was shown now (the page clock). Returns the event; its
 * `id` is fresh from the CSPRNG.
 */
export function displayEventOf({ kind, el, decision, recordId, manifest, lang }) {
  const d = decision || {};
  const at = Date.now();
  return {
    type: 'kelisim:display',
    v: 2,
    id: displayId(),
    recordId: recordId ?? null,
    policy: policyOf(manifest),
    language: lang ?? null,
    display: {
      kind,
      reason: d.reason ?? null,
      layout: layoutOf(el),
      at: iso(at),
      atMs: at,
      deadline: kind === 'update-notice' || kind === 'implicit-notice' ? iso(d.deadline) : null,
      categories: (manifest.categories || []).map((c) => c.id),
      strings: stringsOf(el),
    },
  };
}
