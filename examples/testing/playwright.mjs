// A site's own end-to-end test helper: open a page past the kelisim banner, in a known consent
// state. docs/testing.md quotes this file; tests/browser/testing.test.js runs it on the demo.
import { presetConsent } from 'kelisim/testing';

/** Opens `url` in a fresh context where the visitor already chose `choices`:
 *  'all' (Accept all), 'none' (Reject all) or { analytics: true, … } (Save in the settings). */
export async function openWithConsent(browser, url, choices) {
  const context = await browser.newContext();
  await presetConsent(context, {
    manifest: '/policies/toolpars/manifest.json', // the page's data-policy, resolved against url
    choices,
    url,
  });
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(() => window.kelisim.ready);
  return { context, page };
}
