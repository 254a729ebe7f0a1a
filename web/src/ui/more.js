// The banner's lazily loaded part (dist/kelisim-more.mjs): the preferences dialog, the
// second layer's strings and default category titles, the loader of the policy's texts file
// (category titles and descriptions), and the report outbox. The banner script
// (dist/kelisim.js, dist/kelisim.mjs) loads it when the visitor opens the settings, when a
// withdrawal or reload notice is due, at start when `reportUrl` is set, and otherwise at idle
// time once the banner is visible, so that the first paint of the banner does not wait for it.
export { createPreferences } from './preferences.js';
export { documentBanner } from './documents.js';
export { MORE_STRINGS as STRINGS } from './i18n-more.js';
export { createReporting } from '../reporting.js';
export { loadTexts } from '../texts.js';
