// Consent documents in the banner's lazily loaded part (policies/README.md "Consent
// documents"): the link to a category's consent document, and the first layer's text when a
// document the visitor agreed under has a new version (the core's reason 'document-changed':
// only those categories are asked again). Text reaches the DOM through textContent only.
import { h } from './banner.js';
import { categoryText } from './i18n-more.js';

/**
 * A link to the consent document of `cat` (manifest categories[].consent), labelled with its
 * version; null when the category has none. `onDocument(id)` opens it in the viewer (the
 * link itself points at the document's manifest, relative to the policy's `manifestUrl`).
 */
export function documentLink({ t, cat, manifestUrl, onDocument }) {
  const doc = cat && cat.consent;
  if (!doc || typeof doc.manifest !== 'string') return null;
  let href;
  try { href = new URL(doc.manifest, manifestUrl || document.baseURI).href; } catch { return null; }
  return h('a', {
    class: 'kelisim-link', href, 'data-kelisim-document': cat.id,
    onclick: (e) => { if (onDocument && onDocument(cat.id) !== false) e.preventDefault(); },
  }, t('docLink').replace('{v}', String(doc.version)));
}

/**
 * The first layer's parts when consent documents changed: { title, text, accept, reject } for
 * createBanner's `doc`, the text naming each pending category with its document's link, and
 * answer(on, display): the visitor's answer for those categories only (`act` is the
 * controller's: act('set', choices, display)).
 */
export function documentBanner({ t, lang, act, pending, categories, texts, manifestUrl, onDocument }) {
  const text = [t('docText')];
  pending.forEach((id, i) => {
    const cat = categories.find((c) => c.id === id);
    if (!cat) return;
    text.push(i ? '; ' : ' ', h('strong', { text: categoryText(cat, lang, t, texts).title }), ' (',
      documentLink({ t, cat, manifestUrl, onDocument }) || '', ')');
  });
  text.push('.');
  return {
    title: t('docTitle'), text, accept: t('docAccept'), reject: t('docReject'),
    answer: (on, display) => act('set', Object.fromEntries(pending.map((k) => [k, on])), display),
  };
}
