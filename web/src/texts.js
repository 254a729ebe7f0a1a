// A policy's visitor texts: the file the manifest's `texts` names (format 2, built by
// `kelisim build` as `<version>/texts.json`): { title, categories: { <id>: { title,
// description } } }, each text a string or a { ru, kk, en } map. The first layer never shows
// them, so the banner does not wait for them; the preferences dialog (web/src/ui/more.js),
// receipts (web/src/receipt.js) and the viewer read them.
import { KelisimError } from './engine/errors.js';
import { fetchJsonObject } from './engine/fetch-json.js';

// One cache per page, not per bundle: the second layer (kelisim-more.mjs), receipts, the viewer
// and the embed placeholders are separate modules that each bundle this file, and a texts file
// served without caching was fetched once by each of them (session 9's note).
const cache = (globalThis[Symbol.for('kelisim.texts')] ||= new Map());

/**
 * Resolves with the texts of `manifest` (fetched once per URL; a failed fetch is retried on
 * the next call), or with null when the manifest names no texts file (format 1 and
 * hand-written manifests carry their texts inline). Rejects with KelisimError('texts-load').
 */
export function loadTexts(manifest, manifestUrl) {
  const src = manifest && manifest.texts;
  if (typeof src !== 'string') return Promise.resolve(null);
  let url;
  try { url = new URL(src, manifestUrl || document.baseURI).href; } catch { return Promise.reject(new KelisimError('texts-load', `kelisim: bad texts URL ${src}`)); }
  if (!cache.has(url)) {
    const p = (async () => {
      const j = await fetchJsonObject(url, 'texts-load').catch((e) => {
        throw e instanceof KelisimError ? e : new KelisimError('texts-load', `kelisim: cannot fetch ${url}: ${e.message}`);
      });
      if (!j) throw new KelisimError('texts-load', `kelisim: ${url} is not a texts file`);
      return j;
    })();
    p.catch(() => cache.delete(url));
    cache.set(url, p);
  }
  return cache.get(url);
}

/** The texts of category `id` ({ title, description }, either may be missing) in `texts`. */
export function textsOf(texts, id) {
  const c = texts && texts.categories && typeof texts.categories === 'object' ? texts.categories[id] : null;
  return c && typeof c === 'object' ? c : {};
}

/**
 * The language a visitor reads the policy version of `manifest` in: the visitor's (UI)
 * language `lang` when the version has it (`manifest.langs`, policies/README.md
 * "Languages"), else the version's primary language (`manifest.lang`, default 'ru').
 */
export function textLang(manifest, lang) {
  const m = manifest || {};
  return Array.isArray(m.langs) && m.langs.includes(lang) ? lang : typeof m.lang === 'string' ? m.lang : 'ru';
}
