// Options that do not fit data-* attributes, read by kelisim.js at start-up (merged with
// what /ledger/ledger.js sets when `npm run demo` runs a ledger).
window.kelisimConfig = Object.assign(window.kelisimConfig || {}, {
  // Cookies the fake tags set, deleted when their category is turned off.
  cookies: { analytics: ['_ka', '_ka_*'], marketing: ['_km'] },
});
