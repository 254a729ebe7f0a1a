// The report outbox: every consent event for `reportUrl`, queued synchronously in
// localStorage (memory when that fails) the moment it happens. It comes with the lazily
// loaded part (web/src/reporting.js), which the controller loads at start, before any event,
// when reportUrl is set; the sender (createReporter in web/src/receipt.js,
// dist/kelisim-receipt.mjs) is loaded only when there is something to send.

const QUEUE_MAX = 500;
const SENT_MAX = 64;   // ids of recent deliveries kept for deduplication (~4 KB)

export const iso = (ms) => (Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null);

/** One reportable event from a history entry (the entry's hash is the event id). */
export function eventOf({ entry, record, manifest, lang }) {
  return {
    id: entry.hash,
    type: 'kelisim:consent-event',
    recordId: record ? record.id : null,
    policy: { id: manifest.id, version: manifest.version, bodyHash: manifest.bodyHash },
    controller: manifest.controller ?? null,
    language: lang ?? null,
    event: {
      op: entry.op, at: iso(entry.at), version: entry.version, method: entry.method,
      choices: { ...entry.choices }, prevHash: entry.prevHash, hash: entry.hash,
    },
  };
}

/**
 * The queue and the ids already delivered, under `<name>:outbox` / `<name>:sent`.
 * Returns { queue(), sent(), saveQ(q), saveSent(ids), add(event) → true when queued }. Never throws.
 */
export function createOutbox(win, name = 'kelisim') {
  const qKey = name + ':outbox';
  const sKey = name + ':sent';
  const mem = { [qKey]: [], [sKey]: [] };
  let ls = null;
  try { ls = win.localStorage; ls.getItem(qKey); } catch { ls = null; }
  const read = (k) => {
    if (ls) {
      try {
        const v = JSON.parse(ls.getItem(k) || 'null');
        if (Array.isArray(v)) return v;
      } catch { /* unreadable: start over */ }
    }
    return mem[k].slice();
  };
  const write = (k, v) => {
    mem[k] = v;
    if (ls) { try { ls.setItem(k, JSON.stringify(v)); } catch { /* full: memory keeps it */ } }
  };
  const box = {
    queue: () => read(qKey),
    sent: () => read(sKey),
    saveQ: (q) => write(qKey, q),
    saveSent: (s) => write(sKey, s.slice(-SENT_MAX)),
    /** Queues `event` unless it is queued or was delivered already (deduplicated by id). */
    add(event) {
      if (!event || typeof event.id !== 'string') return false;
      const q = box.queue();
      if (q.some((x) => x.id === event.id) || box.sent().includes(event.id)) return false;
      q.push(event);
      while (q.length > QUEUE_MAX) q.shift();
      box.saveQ(q);
      return true;
    },
  };
  return box;
}
