// Visitor-facing strings in Russian, Kazakh and English. Every string can be overridden by
// the site (`strings: { ru: { title: '…' } }`); categories take their title and description
// from the policy manifest first, then from `categories` below, then the category id.

/** @type {Record<'ru'|'kk'|'en', Record<string, string>>} */
export const STRINGS = {
  ru: {
    title: 'Файлы cookie и ваши данные',
    text: 'Мы используем файлы cookie и похожие технологии. Необходимые нужны для работы сайта, а аналитические и маркетинговые включаются только с вашего согласия. Выбор можно изменить в любой момент.',
    policy: 'Политика конфиденциальности',
    acceptAll: 'Принять все',
    rejectAll: 'Отклонить все',
    settings: 'Настроить',
    prefsTitle: 'Настройки конфиденциальности',
    prefsText: 'Выберите, что вы разрешаете. Необходимые файлы cookie включены всегда: без них сайт не работает.',
    save: 'Сохранить выбор',
    close: 'Закрыть',
    alwaysOn: 'Всегда включены',
    withdraw: 'Отозвать согласие',
    withdrawn: 'Согласие отозвано. Необязательные файлы cookie отключены.',
    reloadText: 'Некоторые скрипты, которые вы отключили, уже успели запуститься. Перезагрузите страницу, чтобы они перестали работать.',
    reload: 'Перезагрузить',
    dismiss: 'Не сейчас',
    errorText: 'Не удалось загрузить настройки конфиденциальности. Необязательные скрипты не запускаются.',
  },
  kk: {
    title: 'Cookie файлдары және сіздің деректеріңіз',
    text: 'Біз cookie файлдарын және ұқсас технологияларды қолданамыз. Қажетті файлдарсыз сайт жұмыс істемейді, ал аналитикалық және маркетингтік файлдар тек сіздің келісіміңізбен қосылады. Таңдауыңызды кез келген уақытта өзгерте аласыз.',
    policy: 'Құпиялылық саясаты',
    acceptAll: 'Барлығын қабылдау',
    rejectAll: 'Барлығынан бас тарту',
    settings: 'Баптау',
    prefsTitle: 'Құпиялылық баптаулары',
    prefsText: 'Нені рұқсат ететініңізді таңдаңыз. Қажетті cookie файлдары әрқашан қосулы: оларсыз сайт жұмыс істемейді.',
    save: 'Таңдауды сақтау',
    close: 'Жабу',
    alwaysOn: 'Әрқашан қосулы',
    withdraw: 'Келісімді кері қайтарып алу',
    withdrawn: 'Келісім кері қайтарып алынды. Міндетті емес cookie файлдары өшірілді.',
    reloadText: 'Сіз өшірген кейбір скрипттер іске қосылып үлгерді. Олардың жұмысын тоқтату үшін бетті қайта жүктеңіз.',
    reload: 'Қайта жүктеу',
    dismiss: 'Кейінірек',
    errorText: 'Құпиялылық баптаулары жүктелмеді. Міндетті емес скрипттер іске қосылмайды.',
  },
  en: {
    title: 'Cookies and your data',
    text: 'We use cookies and similar technologies. The necessary ones keep the site working; analytics and marketing are switched on only if you agree. You can change your choice at any time.',
    policy: 'Privacy policy',
    acceptAll: 'Accept all',
    rejectAll: 'Reject all',
    settings: 'Settings',
    prefsTitle: 'Privacy settings',
    prefsText: 'Choose what you allow. Necessary cookies are always on: the site cannot work without them.',
    save: 'Save choices',
    close: 'Close',
    alwaysOn: 'Always on',
    withdraw: 'Withdraw consent',
    withdrawn: 'Consent withdrawn. Optional cookies are off.',
    reloadText: 'Some of the scripts you turned off have already run. Reload the page to stop them.',
    reload: 'Reload',
    dismiss: 'Not now',
    errorText: 'Privacy settings could not be loaded. Optional scripts will not run.',
  },
};

/** Default titles for common category ids, used when the manifest has none. Descriptions
 *  come from the manifest (built from the policy) or the site's `strings`. */
export const CATEGORIES = {
  ru: { necessary: 'Необходимые', functional: 'Функциональные', analytics: 'Аналитика', marketing: 'Маркетинг' },
  kk: { necessary: 'Қажетті', functional: 'Функционалдық', analytics: 'Аналитика', marketing: 'Маркетинг' },
  en: { necessary: 'Necessary', functional: 'Functional', analytics: 'Analytics', marketing: 'Marketing' },
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

/**
 * Returns t(key) for `lang`, with site overrides (`overrides[lang][key]` or, for one-language
 * sites, `overrides[key]`) taking precedence.
 */
export function translator(lang, overrides = {}) {
  const own = overrides[lang] && typeof overrides[lang] === 'object' ? overrides[lang] : {};
  const flat = {};
  for (const k in overrides) if (typeof overrides[k] === 'string') flat[k] = overrides[k];
  return (key) => own[key] ?? flat[key] ?? STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
}

/**
 * Title and description of a manifest category in `lang`: site overrides
 * (`strings[lang]['category.<id>.title']`), then the manifest's texts (a string or a
 * {ru,kk,en} map), then the default titles above, then the id.
 */
export function categoryText(cat, lang, t) {
  const pick = (v) => v == null ? undefined : typeof v === 'string' ? v : v[lang] ?? v.en ?? v.ru ?? v.kk;
  const ot = t('category.' + cat.id + '.title');
  const od = t('category.' + cat.id + '.description');
  return {
    title: (ot !== 'category.' + cat.id + '.title' ? ot : undefined) ?? pick(cat.title) ?? CATEGORIES[lang][cat.id] ?? cat.id,
    description: (od !== 'category.' + cat.id + '.description' ? od : undefined) ?? pick(cat.description) ?? '',
  };
}
