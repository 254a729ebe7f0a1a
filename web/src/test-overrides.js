// Test overrides (issue 13): a site that opts in (`data-test-overrides="true"`, or the
// `testOverrides: true` option) lets `?kelisim=accept-all|reject-all|none` decide for one page
// view, so its own end-to-end tests can start past the banner. Off by default: without the
// opt-in a URL can never grant consent. Nothing is stored and nothing is reported while an
// override is in force; `navigator.webdriver` is never looked at.

/** The override for this page view: 'accept-all' | 'reject-all' | 'none', or null when the site
 *  did not opt in (`testOverrides` must be exactly true) or the URL names none (or another value). */
export function testOverride(o, win) {
  if (o.testOverrides !== true) return null;
  let v = null;
  try { v = new URLSearchParams(win.location.search).get('kelisim'); } catch { /* no location */ }
  return v === 'accept-all' || v === 'reject-all' || v === 'none' ? v : null;
}
