// The banner's lazily loaded part (dist/kelisim-more.mjs): the preferences dialog, the
// second layer's strings and default category titles, the loader of the policy's texts file
// (category titles and descriptions). The banner script (dist/kelisim.js, dist/kelisim.mjs)
// loads it when the visitor opens the settings, when a withdrawal or reload notice is due, and
// otherwise at idle time once the banner is visible, so that the first paint of the banner
// does not wait for it. The report outbox is a part of its own (web/src/reporting.js,
// dist/kelisim-report.mjs): a site without `reportUrl` never loads it.
export { createPreferences } from './preferences.js';
export { documentBanner } from './documents.js';
export { MORE_STRINGS as STRINGS } from './i18n-more.js';
export { loadTexts } from '../texts.js';
