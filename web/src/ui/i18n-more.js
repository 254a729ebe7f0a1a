// The second layer's strings (preferences dialog, withdrawal and reload notices) and the
// category texts, in the lazily loaded part (web/src/ui/more.js → dist/kelisim-more.mjs).
// The first layer's strings are in i18n.js, in the banner script. Every string can be
// overridden by the site (`strings: { ru: { save: '…' } }`).
import { textsOf } from '../texts.js';

/** @type {Record<'ru'|'kk'|'en', Record<string, string>>} */
export const MORE_STRINGS = {
  ru: {
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
    services: 'Сервисы',
    serviceCountry: 'Данные передаются в страну:',
    servicePolicy: 'Политика конфиденциальности сервиса',
  },
  kk: {
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
    services: 'Сервистер',
    serviceCountry: 'Деректер берілетін ел:',
    servicePolicy: 'Сервистің құпиялылық саясаты',
  },
  en: {
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
    services: 'Services',
    serviceCountry: 'Data goes to:',
    servicePolicy: 'Service privacy policy',
  },
};

/** Default titles for common category ids, used when the manifest has none. Descriptions
 *  come from the manifest (built from the policy) or the site's `strings`. */
export const CATEGORIES = {
  ru: { necessary: 'Необходимые', functional: 'Функциональные', analytics: 'Аналитика', marketing: 'Маркетинг' },
  kk: { necessary: 'Қажетті', functional: 'Функционалдық', analytics: 'Аналитика', marketing: 'Маркетинг' },
  en: { necessary: 'Necessary', functional: 'Functional', analytics: 'Analytics', marketing: 'Marketing' },
};

/**
 * Title and description of a manifest category in `lang`: site overrides
 * (`strings[lang]['category.<id>.title']`), then texts written inline in the manifest's
 * category, then the policy's texts file (`texts`, see web/src/texts.js; a string or a
 * {ru,kk,en} map each), then the default titles above, then the id.
 */
export function categoryText(cat, lang, t, texts) {
  const pick = (v) => v == null ? undefined : typeof v === 'string' ? v : v[lang] ?? v.en ?? v.ru ?? v.kk;
  const file = textsOf(texts, cat.id);
  const ot = t('category.' + cat.id + '.title');
  const od = t('category.' + cat.id + '.description');
  return {
    title: (ot !== 'category.' + cat.id + '.title' ? ot : undefined) ?? pick(cat.title) ?? pick(file.title) ?? CATEGORIES[lang][cat.id] ?? cat.id,
    description: (od !== 'category.' + cat.id + '.description' ? od : undefined) ?? pick(cat.description) ?? pick(file.description) ?? '',
  };
}

/**
 * Name, country (a region name in `lang`, from the ISO code) and privacy-policy URL (http(s)
 * only) of service `id`, from the policy's texts file (`texts.services`, built from the
 * services catalogue); the id when it has no name.
 */
export function serviceText(id, lang, texts) {
  const x = (texts && texts.services && texts.services[id]) || {};
  const n = x.name;
  const name = (n && (typeof n === 'string' ? n : n[lang] ?? n.en ?? n.ru)) || id;
  let country = typeof x.country === 'string' ? x.country : '';
  try { if (country) country = new Intl.DisplayNames([lang], { type: 'region' }).of(country) || country; } catch { /* the code */ }
  const privacyPolicy = typeof x.privacyPolicy === 'string' && /^https?:\/\//.test(x.privacyPolicy) ? x.privacyPolicy : null;
  return { name, country, privacyPolicy };
}
