// Visitor-facing strings of the first layer (and the fail-closed notice) in Russian, Kazakh
// and English. Every string can be overridden by the site (`strings: { ru: { title: '…' } }`).
// The second layer's strings and the category texts come with the lazily loaded part
// (web/src/ui/i18n-more.js) and join the lookup through addStrings() once it has loaded.

/** @type {Record<'ru'|'kk'|'en', Record<string, string>>} */
export const STRINGS = {
  ru: {
    title: 'Файлы cookie и ваши данные',
    text: 'Мы используем файлы cookie и похожие технологии. Необходимые нужны для работы сайта, а аналитические и маркетинговые включаются только с вашего согласия. Выбор можно изменить в любой момент.',
    policy: 'Политика конфиденциальности',
    acceptAll: 'Принять все',
    rejectAll: 'Отклонить все',
    settings: 'Настроить',
    errorText: 'Не удалось загрузить настройки конфиденциальности. Необязательные скрипты не запускаются.',
  },
  kk: {
    title: 'Cookie файлдары және сіздің деректеріңіз',
    text: 'Біз cookie файлдарын және ұқсас технологияларды қолданамыз. Қажетті файлдарсыз сайт жұмыс істемейді, ал аналитикалық және маркетингтік файлдар тек сіздің келісіміңізбен қосылады. Таңдауыңызды кез келген уақытта өзгерте аласыз.',
    policy: 'Құпиялылық саясаты',
    acceptAll: 'Барлығын қабылдау',
    rejectAll: 'Барлығынан бас тарту',
    settings: 'Баптау',
    errorText: 'Құпиялылық баптаулары жүктелмеді. Міндетті емес скрипттер іске қосылмайды.',
  },
  en: {
    title: 'Cookies and your data',
    text: 'We use cookies and similar technologies. The necessary ones keep the site working; analytics and marketing are switched on only if you agree. You can change your choice at any time.',
    policy: 'Privacy policy',
    acceptAll: 'Accept all',
    rejectAll: 'Reject all',
    settings: 'Settings',
    errorText: 'Privacy settings could not be loaded. Optional scripts will not run.',
  },
};

export const LANGS = ['ru', 'kk', 'en'];

/**
 * Picks the UI language: the explicit option, then <html lang>, then navigator.languages,
 * then `fallback`. Only the primary subtag counts ("kk-KZ" → "kk"; "kz" is accepted as a
 * common misspelling of Kazakh).
 */
export function pickLang(explicit, doc = globalThis.document, nav = globalThis.navigator, fallback = 'en') {
  const norm = (t) => {
    const p = String(t || '').toLowerCase().split(/[-_]/)[0];
    return p === 'kz' ? 'kk' : p;
  };
  const tries = [explicit, doc && doc.documentElement && doc.documentElement.lang];
  try { tries.push(...(nav.languages || [nav.language])); } catch { /* no navigator */ }
  for (const t of tries) {
    const p = norm(t);
    if (LANGS.includes(p)) return p;
  }
  return LANGS.includes(norm(fallback)) ? norm(fallback) : 'en';
}

/** The built-in tables t() looks in, in order: STRINGS, then those added by addStrings(). */
const TABLES = [STRINGS];
/** Adds a table of the same shape as STRINGS (the lazily loaded part's strings). */
export const addStrings = (table) => { if (!TABLES.includes(table)) TABLES.push(table); };

/**
 * Returns t(key) for `lang`, with site overrides (`overrides[lang][key]` or, for one-language
 * sites, `overrides[key]`) taking precedence, then the built-in strings in `lang`, then in
 * English; an unknown key comes back as itself.
 */
export function translator(lang, overrides = {}) {
  const own = overrides[lang] && typeof overrides[lang] === 'object' ? overrides[lang] : {};
  const flat = {};
  for (const k in overrides) if (typeof overrides[k] === 'string') flat[k] = overrides[k];
  const builtIn = (l, key) => { for (const T of TABLES) if (T[l][key] != null) return T[l][key]; };
  return (key) => own[key] ?? flat[key] ?? builtIn(lang, key) ?? builtIn('en', key) ?? key;
}
