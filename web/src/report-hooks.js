// The controller's hooks into reporting (options.reportUrl, docs/ledger.md §1): it hands over
// each change (the record string and its history entry) and each consent layer shown (kind,
// element, decision); the lazily loaded part (createReporting in web/src/reporting.js,
// dist/kelisim-report.mjs) builds the events and queues them. This file is on the banner path:
// keep it this small.

/**
 * `url` is options.reportUrl, resolved against `base`; an unusable one turns reporting off.
 * `context()` returns { manifest, lang, recordId } as they are now; the record id is the one a
 * change being stored belongs to (the stored record's, else the id the next choice creates).
 * Returns { url (absolute, or null: no reporting), open(m, c), change(record, entry, display),
 * shown(kind, el, decision) → the display event's id, destroy() }. Before open() (and when the
 * part failed to load) change() and shown() do nothing (shown() returns undefined).
 */
export function createReportHooks(url, base, context) {
  let href = null;
  if (url) {
    try { href = new URL(String(url), base).href; } catch { /* no reporting */ }
  }
  let rep = null;
  return {
    url: href,
    /**
     * At start. `m`: the lazily loaded part, or the error loading it (reported as
     * 'report-failed'). `c`: { win, name (cookie name), sender (loads kelisim-receipt.mjs), fail(code, e) }.
     */
    open(m, c) {
      if (!href) return;
      if (m instanceof Error) c.fail('report-failed', m);
      else rep = m.createReporting({ ...c, url: href, context });
    },
    /** A change was stored: `record` is the record string after it, `entry` its history entry,
     *  `display` the id of the display event it was made on (or null). */
    change: (...a) => rep && rep.change(...a),
    shown: (...a) => rep && rep.display(...a),
    destroy: () => rep && rep.destroy(),
  };
}
