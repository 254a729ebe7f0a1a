// The banner's lazily loaded parts (the second layer, the sender, the viewer, the notices):
// each a URL, or a function returning the module (e.g. () => import(…)), loaded when first needed.
import { KelisimError } from './engine/errors.js';

/** A lazily loaded part: a URL, or a function returning the module (e.g. () => import(…)). */
export const loadModule = (src) => (typeof src === 'function' ? src() : import(/* @vite-ignore */ String(src)));
/**
 * Loads the part `source()` names once and keeps it. After a failed load the next call asks
 * again under another URL: some browsers keep a failed module fetch in their module map for
 * the life of the page.
 */
export function lazyPart(source) {
  let p = null;
  let fails = 0;
  return () => {
    if (p) return p;
    const src = source();
    const url = fails && typeof src !== 'function' ? String(src) + (String(src).includes('?') ? '&' : '?') + 'retry=' + fails : src;
    p = (async () => {
      if (!src) throw new KelisimError('module-missing', 'kelisim: no URL for a lazily loaded part');
      return loadModule(url);
    })();
    p.catch(() => { p = null; fails++; });
    return p;
  };
}
