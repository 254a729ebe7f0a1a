// A JSON object the page fetches (same-origin credentials): the policy manifest (the
// controller's startLoading) and the policy's texts file (web/src/texts.js).
import { KelisimError } from './errors.js';

/**
 * Resolves with the body of `url` parsed as JSON when it is an object (not an array), else
 * with null; rejects with KelisimError(`code`) on an HTTP error status, and with fetch's own
 * error when the request fails.
 */
export async function fetchJsonObject(url, code) {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new KelisimError(code, `kelisim: HTTP ${res.status} for ${url}`);
  const j = await res.json().catch(() => null);
  return j && typeof j === 'object' && !Array.isArray(j) ? j : null;
}
