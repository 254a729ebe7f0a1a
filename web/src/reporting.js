// Every consent event to options.reportUrl, exactly once (the lazily loaded part
// dist/kelisim-report.mjs, which the controller loads at start when reportUrl is set): the
// change events and the display events of docs/ledger.md §1, built here (report-events.js)
// from what the controller hands over, and queued in the outbox synchronously; the sender
// (createReporter in web/src/receipt.js, dist/kelisim-receipt.mjs) is loaded only when
// something waits to go.
import { createOutbox } from './outbox.js';
import { eventOf, displayEventOf } from './report-events.js';

/**
 * @param {object} o
 * @param {string} o.url where events are POSTed
 * @param {Window} o.win
 * @param {string} [o.name] the cookie name (the outbox keys derive from it)
 * @param {() => Promise<{createReporter: Function}>} o.sender loads the sender module
 * @param {(code: string, e: unknown) => void} o.fail reports an error event
 * @param {() => {manifest: object, lang: string, recordId: string}} o.context the controller's
 *   policy, language and record id now (web/src/report-hooks.js)
 * @returns {{ change(record, entry, display): void, display(kind, el, decision): string, destroy(): void }}
 *   change() queues the change event of a history entry just stored (`record`: the record
 *   string after it; `display`: the id of the display event it was made on, or null);
 *   display() queues the display event of a layer just shown and returns its id (see
 *   report-events.js for both).
 */
export function createReporting(o) {
  const box = createOutbox(o.win, o.name);
  let reporter = null;
  let loading = null;
  let dead = false;
  function flush() {
    if (dead) return;
    if (reporter) { reporter.flush(); return; }
    loading = loading || o.sender().then((m) => {
      if (dead) return;
      reporter = m.createReporter({ url: o.url, win: o.win, outbox: box, onError: (e) => o.fail('report-failed', e) });
      reporter.flush();
    }, (e) => {
      loading = null;   // retried on the next event and when the browser is back online
      o.fail('report-failed', e);
    });
  }
  const add = (ev) => { if (box.add(ev)) flush(); return ev.id; };
  // Events left by an earlier page (offline, closed too early) go out now.
  if (box.queue().length) flush();
  o.win.addEventListener('online', flush);
  return {
    change(record, entry, display) { add(eventOf({ ...o.context(), record, entry, display })); },
    display: (kind, el, decision) => add(displayEventOf({ ...o.context(), kind, el, decision })),
    destroy() {
      dead = true;
      o.win.removeEventListener('online', flush);
      if (reporter) reporter.destroy();
    },
  };
}
