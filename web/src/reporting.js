// Every consent event to options.reportUrl, exactly once (part of the lazily loaded
// dist/kelisim-more.mjs, which the controller loads at start when reportUrl is set). Events
// are queued in the outbox synchronously with the choice; the sender (createReporter in
// web/src/receipt.js, dist/kelisim-receipt.mjs) is loaded only when something waits to go.
import { createOutbox, eventOf } from './outbox.js';

/**
 * @param {object} o
 * @param {string} o.url where events are POSTed
 * @param {Window} o.win
 * @param {string} [o.name] the cookie name (the outbox keys derive from it)
 * @param {() => Promise<{createReporter: Function}>} o.sender loads the sender module
 * @param {(code: string, e: unknown) => void} o.fail reports an error event
 * @returns {{ add(args: {entry, record, manifest, lang}): void, destroy(): void }}
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
  // Events left by an earlier page (offline, closed too early) go out now.
  if (box.queue().length) flush();
  o.win.addEventListener('online', flush);
  return {
    add(args) { if (box.add(eventOf(args))) flush(); },
    destroy() {
      dead = true;
      o.win.removeEventListener('online', flush);
      if (reporter) reporter.destroy();
    },
  };
}
