// The report outbox: every event for `reportUrl` (docs/ledger.md §1), queued synchronously in
// localStorage (memory when that fails) the moment it happens. It comes with the lazily
// loaded part (web/src/reporting.js), which the controller loads at start, before any event,
// when reportUrl is set; the sender (createReporter in web/src/receipt.js,
// dist/kelisim-receipt.mjs) is loaded only when there is something to send.

const QUEUE_MAX = 500;
const SENT_MAX = 64;   // keys of recent deliveries kept for deduplication (~4 KB)

export const iso = (ms) => (Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null);

/** An event's identity, as the ledger keys it (eventKey in wasm/core/ledger.h): record id + event id. */
export const keyOf = (e) => (e.recordId || '') + '/' + e.id;

/**
 * The queue and the keys already delivered, under `<name>:outbox` / `<name>:sent`.
 * Returns { queue(), sent(), saveQ(q), saveSent(keys), add(event) → true when queued,
 * delivered(events), drop(event) }. Never throws.
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
  /** Takes `events` out of the queue (read afresh: another tab may have added some). */
  const remove = (events) => {
    const gone = new Set(events.map(keyOf));
    box.saveQ(box.queue().filter((x) => !gone.has(keyOf(x))));
  };
  const box = {
    queue: () => read(qKey),
    sent: () => read(sKey),
    saveQ: (q) => write(qKey, q),
    saveSent: (s) => write(sKey, s.slice(-SENT_MAX)),
    /** Queues `event` unless it is queued or was delivered already (deduplicated by keyOf). */
    add(event) {
      if (!event || typeof event.id !== 'string') return false;
      const k = keyOf(event);
      const q = box.queue();
      if (q.some((x) => keyOf(x) === k) || box.sent().includes(k)) return false;
      q.push(event);
      while (q.length > QUEUE_MAX) q.shift();
      box.saveQ(q);
      return true;
    },
    /** The endpoint acknowledged `events`: remembered as sent, out of the queue. */
    delivered(events) {
      box.saveSent(box.sent().concat(events.map(keyOf)));
      remove(events);
    },
    /** The endpoint refused `event` for good (400): out of the queue, not remembered. */
    drop: (event) => remove([event]),
  };
  return box;
}
