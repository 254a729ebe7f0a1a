// `kelisim scan`: finding playwright-core and a Chromium/Chrome to drive. playwright-core is an
// optional peer dependency of the kelisim package (only this subcommand needs it; the code
// that ships to visitors has no dependencies), and no browser is ever downloaded: the system's
// Chromium or Chrome is used.
import { existsSync } from 'node:fs';

/** A failure that ends `kelisim scan` with exit code 2 and this message. */
export class ScanError extends Error {}

/** Browser binaries tried in order after --browser and $KELISIM_CHROMIUM. */
export const BROWSER_CANDIDATES = [
  '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable', '/snap/bin/chromium', '/usr/local/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
];

/** Flags for a headless browser that must not reach the network on its own (TOOLCHAIN.md). */
export const BROWSER_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * The browser executable: `explicit` (--browser), else $KELISIM_CHROMIUM, else the first of
 * BROWSER_CANDIDATES that exists. Throws ScanError naming what to install when none is found,
 * or when the named one does not exist.
 */
export function findBrowser(explicit, env = process.env, exists = existsSync) {
  const named = explicit || env.KELISIM_CHROMIUM;
  if (named) {
    if (!exists(named)) throw new ScanError(`browser not found: ${named} (from ${explicit ? '--browser' : 'KELISIM_CHROMIUM'})`);
    return named;
  }
  const found = BROWSER_CANDIDATES.find((p) => exists(p));
  if (!found) {
    throw new ScanError('no Chromium or Chrome found. Install one (Debian/Ubuntu: `apt install chromium`; ' +
      'macOS/Windows: Google Chrome) or name it with --browser PATH or KELISIM_CHROMIUM=PATH.');
  }
  return found;
}

/**
 * playwright-core's `chromium` launcher, imported only now. Throws ScanError with the install
 * command when the package is absent.
 */
export async function loadPlaywright(importer = (m) => import(m)) {
  try {
    const pw = await importer('playwright-core');
    return pw.chromium || pw.default.chromium;
  } catch (e) {
    if (e && (e.code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (package|module)/.test(e.message))) {
      throw new ScanError('`kelisim scan` needs the npm package playwright-core (an optional peer dependency): ' +
        'run `npm install --save-dev playwright-core`. It downloads no browser; the scan uses the system Chromium or Chrome.');
    }
    throw e;
  }
}

/** Launches the browser headless; throws ScanError when it does not start. */
export async function launch(chromium, executablePath) {
  try {
    return await chromium.launch({ executablePath, headless: true, args: BROWSER_ARGS });
  } catch (e) {
    throw new ScanError(`cannot start ${executablePath}: ${String(e.message).split('\n')[0]}`);
  }
}
