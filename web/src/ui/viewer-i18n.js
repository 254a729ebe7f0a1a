// Strings of the policy viewer, the update notice and the implicit-acceptance notice, in
// Russian, Kazakh and English. A site overrides any of them the same way as the banner's
// (`strings: { kk: { 'notice.accept': '…' } }`): the controller's translator is asked first.
// Placeholders: {date}, {version}, {n}, {num}, {list}, {title}, {lang}. `lang.<code>`: a
// language's name in the table's language (the text-language switch uses each language's own name).

/** Viewer strings. @type {Record<'ru'|'kk'|'en', Record<string, string>>} */
export const VIEWER_STRINGS = {
  ru: {
    'viewer.label': 'Политика конфиденциальности',
    'viewer.close': 'Закрыть',
    'viewer.contents': 'Содержание',
    'viewer.search': 'Поиск по тексту',
    'viewer.searchHint': 'Слово или несколько слов',
    'viewer.results': 'Найдено пунктов: {n}',
    'viewer.noResults': 'Ничего не найдено',
    'viewer.tabText': 'Текст',
    'viewer.tabChanges': 'Что изменилось',
    'viewer.tabVersions': 'Редакции',
    'viewer.version': 'Редакция',
    'viewer.published': 'Опубликована',
    'viewer.effective': 'Действует с',
    'viewer.controller': 'Оператор',
    'viewer.contact': 'Контакт',
    'viewer.current': 'действующая',
    'viewer.yours': 'принята вами',
    'viewer.read': 'Читать',
    'viewer.compareCurrent': 'Сравнить с действующей',
    'viewer.from': 'Было: редакция',
    'viewer.to': 'Стало: редакция',
    'viewer.added': 'Добавлено',
    'viewer.removed': 'Удалено',
    'viewer.changed': 'Изменено',
    'viewer.moved': 'Перенесено',
    'viewer.noChanges': 'Текст этих редакций совпадает.',
    'viewer.sameVersion': 'Выберите две разные редакции.',
    'viewer.summary': 'Добавлено пунктов: {added}, удалено: {removed}, изменено: {changed}.',
    'viewer.clause': 'п. {num}',
    'viewer.wasClause': 'было: п. {num}',
    'viewer.unnumbered': 'Текст без номера',
    'viewer.loading': 'Загрузка…',
    'viewer.loadError': 'Не удалось загрузить текст политики.',
    'viewer.openPage': 'Открыть политику на отдельной странице',
    'viewer.dateUnknown': 'не указана',
    'viewer.readingVersion': 'Вы читаете редакцию {version}, а не действующую.',
    'viewer.backToCurrent': 'Вернуться к действующей',
    'viewer.preferences': 'Настройки согласия',
    'viewer.language': 'Язык текста',
    'viewer.diffLang': 'Изменения показаны на языке: {lang} (редакция {version} на выбранном языке не опубликована).',
    'viewer.translations': 'Переводы: {list}.',
    'lang.ru': 'русский',
    'lang.kk': 'казахский',
    'lang.en': 'английский',
  },
  kk: {
    'viewer.label': 'Құпиялылық саясаты',
    'viewer.close': 'Жабу',
    'viewer.contents': 'Мазмұны',
    'viewer.search': 'Мәтіннен іздеу',
    'viewer.searchHint': 'Бір немесе бірнеше сөз',
    'viewer.results': 'Табылған тармақтар: {n}',
    'viewer.noResults': 'Ештеңе табылмады',
    'viewer.tabText': 'Мәтін',
    'viewer.tabChanges': 'Не өзгерді',
    'viewer.tabVersions': 'Редакциялар',
    'viewer.version': 'Редакция',
    'viewer.published': 'Жарияланған күні',
    'viewer.effective': 'Күшіне енген күні',
    'viewer.controller': 'Оператор',
    'viewer.contact': 'Байланыс',
    'viewer.current': 'қолданыстағы',
    'viewer.yours': 'сіз қабылдаған',
    'viewer.read': 'Оқу',
    'viewer.compareCurrent': 'Қолданыстағымен салыстыру',
    'viewer.from': 'Бұрын: редакция',
    'viewer.to': 'Қазір: редакция',
    'viewer.added': 'Қосылды',
    'viewer.removed': 'Алып тасталды',
    'viewer.changed': 'Өзгертілді',
    'viewer.moved': 'Орны ауыстырылды',
    'viewer.noChanges': 'Бұл редакциялардың мәтіні бірдей.',
    'viewer.sameVersion': 'Екі түрлі редакцияны таңдаңыз.',
    'viewer.summary': 'Қосылған тармақтар: {added}, алып тасталғандары: {removed}, өзгертілгендері: {changed}.',
    'viewer.clause': '{num}-тармақ',
    'viewer.wasClause': 'бұрын: {num}-тармақ',
    'viewer.unnumbered': 'Нөмірсіз мәтін',
    'viewer.loading': 'Жүктелуде…',
    'viewer.loadError': 'Саясат мәтінін жүктеу мүмкін болмады.',
    'viewer.openPage': 'Саясатты жеке бетте ашу',
    'viewer.dateUnknown': 'көрсетілмеген',
    'viewer.readingVersion': 'Сіз қолданыстағы емес, {version} редакцияны оқып отырсыз.',
    'viewer.backToCurrent': 'Қолданыстағы редакцияға оралу',
    'viewer.preferences': 'Келісім баптаулары',
    'viewer.language': 'Мәтін тілі',
    'viewer.diffLang': 'Өзгерістер мына тілде көрсетілген: {lang} ({version} редакциясы таңдалған тілде жарияланбаған).',
    'viewer.translations': 'Аудармалар: {list}.',
    'lang.ru': 'орыс тілі',
    'lang.kk': 'қазақ тілі',
    'lang.en': 'ағылшын тілі',
  },
  en: {
    'viewer.label': 'Privacy policy',
    'viewer.close': 'Close',
    'viewer.contents': 'Contents',
    'viewer.search': 'Search the text',
    'viewer.searchHint': 'One or more words',
    'viewer.results': 'Clauses found: {n}',
    'viewer.noResults': 'Nothing found',
    'viewer.tabText': 'Text',
    'viewer.tabChanges': 'What changed',
    'viewer.tabVersions': 'Versions',
    'viewer.version': 'Version',
    'viewer.published': 'Published',
    'viewer.effective': 'In effect from',
    'viewer.controller': 'Controller',
    'viewer.contact': 'Contact',
    'viewer.current': 'current',
    'viewer.yours': 'accepted by you',
    'viewer.read': 'Read',
    'viewer.compareCurrent': 'Compare with current',
    'viewer.from': 'Before: version',
    'viewer.to': 'After: version',
    'viewer.added': 'Added',
    'viewer.removed': 'Removed',
    'viewer.changed': 'Changed',
    'viewer.moved': 'Moved',
    'viewer.noChanges': 'These versions have the same text.',
    'viewer.sameVersion': 'Choose two different versions.',
    'viewer.summary': 'Clauses added: {added}, removed: {removed}, changed: {changed}.',
    'viewer.clause': 'clause {num}',
    'viewer.wasClause': 'was clause {num}',
    'viewer.unnumbered': 'Unnumbered text',
    'viewer.loading': 'Loading…',
    'viewer.loadError': 'The policy text could not be loaded.',
    'viewer.openPage': 'Open the policy on its own page',
    'viewer.dateUnknown': 'not stated',
    'viewer.readingVersion': 'You are reading version {version}, not the current one.',
    'viewer.backToCurrent': 'Back to the current version',
    'viewer.preferences': 'Consent settings',
    'viewer.language': 'Text language',
    'viewer.diffLang': 'The changes are shown in {lang} (version {version} is not published in the chosen language).',
    'viewer.translations': 'Translations: {list}.',
    'lang.ru': 'Russian',
    'lang.kk': 'Kazakh',
    'lang.en': 'English',
  },
};

/** Update-notice strings (a separate table so the notice module stays small). @type {Record<'ru'|'kk'|'en', Record<string, string>>} */
export const NOTICE_STRINGS = {
  ru: {
    'notice.updTitle': 'Мы обновили политику конфиденциальности',
    'notice.updText': 'Новая редакция {version} опубликована {date}.',
    'notice.deadline': 'Изменения вступят в силу для вас {date}, если вы продолжите пользоваться сайтом.',
    'notice.added': 'новые пункты: {list}',
    'notice.changed': 'изменены: {list}',
    'notice.removed': 'удалены: {list}',
    'notice.summary': 'Что изменилось: {list}.',
    'notice.accept': 'Принять',
    'notice.changes': 'Посмотреть изменения',
    'notice.later': 'Позже',
    'notice.implicitTitle': 'Действует новая редакция политики',
    'notice.implicitText': 'С {date} для вас действует редакция {version} политики конфиденциальности: вы продолжили пользоваться сайтом после публикации изменений. Ваши настройки конфиденциальности не изменились.',
    'notice.ok': 'Понятно',
    'notice.trAdded': 'добавлен перевод: {list}',
    'notice.trChanged': 'исправлен перевод: {list}',
    'notice.trRemoved': 'удалён перевод: {list}',
    'lang.ru': 'русский',
    'lang.kk': 'казахский',
    'lang.en': 'английский',
  },
  kk: {
    'notice.updTitle': 'Құпиялылық саясатын жаңарттық',
    'notice.updText': 'Жаңа {version} редакциясы {date} жарияланды.',
    'notice.deadline': 'Егер сайтты пайдалануды жалғастырсаңыз, өзгерістер сіз үшін {date} бастап күшіне енеді.',
    'notice.added': 'жаңа тармақтар: {list}',
    'notice.changed': 'өзгертілгендері: {list}',
    'notice.removed': 'алып тасталғандары: {list}',
    'notice.summary': 'Не өзгерді: {list}.',
    'notice.accept': 'Қабылдау',
    'notice.changes': 'Өзгерістерді көру',
    'notice.later': 'Кейінірек',
    'notice.implicitTitle': 'Саясаттың жаңа редакциясы қолданылады',
    'notice.implicitText': 'Өзгерістер жарияланғаннан кейін сайтты пайдалануды жалғастырдыңыз, сондықтан {date} бастап сіз үшін құпиялылық саясатының {version} редакциясы қолданылады. Құпиялылық баптауларыңыз өзгерген жоқ.',
    'notice.ok': 'Түсінікті',
    'notice.trAdded': 'аударма қосылды: {list}',
    'notice.trChanged': 'аударма түзетілді: {list}',
    'notice.trRemoved': 'аударма алып тасталды: {list}',
    'lang.ru': 'орыс тілі',
    'lang.kk': 'қазақ тілі',
    'lang.en': 'ағылшын тілі',
  },
  en: {
    'notice.updTitle': 'We have updated our privacy policy',
    'notice.updText': 'Version {version} was published on {date}.',
    'notice.deadline': 'The changes take effect for you on {date} if you keep using the site.',
    'notice.added': 'new clauses: {list}',
    'notice.changed': 'changed: {list}',
    'notice.removed': 'removed: {list}',
    'notice.summary': 'What changed: {list}.',
    'notice.accept': 'Accept',
    'notice.changes': 'See the changes',
    'notice.later': 'Later',
    'notice.implicitTitle': 'A new version of the policy applies',
    'notice.implicitText': 'Since {date}, version {version} of the privacy policy applies to you: you kept using the site after the changes were published. Your privacy settings have not changed.',
    'notice.ok': 'Got it',
    'notice.trAdded': 'translation added: {list}',
    'notice.trChanged': 'translation corrected: {list}',
    'notice.trRemoved': 'translation removed: {list}',
    'lang.ru': 'Russian',
    'lang.kk': 'Kazakh',
    'lang.en': 'English',
  },
};

/**
 * Returns tr(key, vars): the controller's translator `t` first (site overrides), then
 * `table` (VIEWER_STRINGS or NOTICE_STRINGS) in `lang`, then English; {name} placeholders are replaced from `vars`.
 */
export function viewerT(lang, t, table) {
  const L = table[lang] ? lang : 'en';
  return (key, vars) => {
    let s = t ? t(key) : key;
    if (s === key || typeof s !== 'string') s = table[L][key] ?? table.en[key] ?? key;
    return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m)) : s;
  };
}

/** Offset in minutes of an ISO 8601 instant ("…+05:00" → 300, "…Z" → 0), or null. */
export function isoOffset(iso) {
  const m = /(?:([+-])(\d\d):?(\d\d)|Z)$/.exec(String(iso || ''));
  if (!m) return null;
  return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * The calendar date of epoch `ms` in a fixed UTC offset (never the device's time-zone
 * database: DESIGN.md "Time"), written the way each language writes dates:
 * ru/kk "28.11.2026", en "28 November 2026".
 */
export function formatDate(ms, offsetMinutes, lang) {
  const d = new Date(ms + (offsetMinutes || 0) * 60000);
  const dd = String(d.getUTCDate()).padStart(2, '0');
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  if (lang === 'en') return `${d.getUTCDate()} ${MONTHS_EN[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return `${dd}.${mm}.${d.getUTCFullYear()}`;
}

/** The date of an ISO instant in its own offset ("2026-11-20T10:00+05:00" → 20.11.2026), or null. */
export function formatIsoDate(iso, lang) {
  const off = isoOffset(iso);
  const ms = Date.parse(iso);
  if (off === null || !Number.isFinite(ms)) return null;
  return formatDate(ms, off, lang);
}
