// Random ids from the CSPRNG, in the record-id alphabet [A-Za-z0-9_-] (6 bits a character):
// record ids (controller, core.apply's newId) and display event ids (report-events.js).

/** `n` characters of [A-Za-z0-9_-], one random byte each (its low 6 bits). */
export function randomId(n) {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[x & 63];
  return s;
}
