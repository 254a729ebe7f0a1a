// Where the demo pages report consent events. `npm run demo` (scripts/demo.sh) serves its own
// file at this URL, written when it starts kelisim-server: it sets kelisimConfig.reportUrl to
// that server's /v1/events and window.kelisimLedger to { origin } (the update demo links to the
// server's admin page). Served from examples/ as they are (the browser tests), the pages
// report nowhere: this file sets nothing.
