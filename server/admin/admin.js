// The ledger's admin page (served by kelisim-server at /admin; docs/ledger.md §5).
// Talks only to this server's /v1 operator API with the token the operator types in (kept in
// sessionStorage: gone when the tab closes). Every text reaches the page through textContent
// or an attribute, never as HTML; the page runs under `default-src 'self'` with no inline code.

// ---------------------------------------------------------------------------
// Strings (ru / kk / en)
// ---------------------------------------------------------------------------

const STRINGS = {
  en: {
    skip: 'Skip to content', title: 'Consent ledger', language: 'Language',
    loginTitle: 'Sign in', token: 'Admin token', signIn: 'Sign in', signOut: 'Sign out', signedIn: 'Signed in.',
    tokenHelp: "The content of the server's --admin-token-file. Kept in this tab only.",
    tokenMissing: 'Type the admin token.', tokenWrong: 'The server refused this token.', checking: 'Checking…',
    statsTitle: 'Decisions per day', from: 'From', to: 'To (inclusive)', show: 'Show',
    tableCaption: 'Decisions per day, by method', day: 'Day', total: 'Total', loading: 'Loading…',
    noData: 'No decisions in this period.', chartLabel: 'Chart: decisions per day ({tz}) from {from} to {to}, {n} in all. The same numbers are in the table below.',
    ratesTitle: 'Acceptance rate per category', category: 'Category', accepted: 'Accepted', decisions: 'Decisions', rate: 'Rate',
    'accept-all': 'Accept all', 'reject-all': 'Reject all', custom: 'Custom', 'accept-update': 'Update accepted',
    implicit: 'Implicit', withdrawn: 'Withdrawn',
    lookupTitle: 'Look up a record', recordId: 'Record id', lookUp: 'Look up',
    badRecordId: 'A record id is 8 to 32 letters, digits, _ or -.', notFound: 'No events for this record id.',
    found: '{n} events found.',
    stateTitle: 'Current state', checksTitle: 'Checks', eventsTitle: 'Events, oldest first',
    seq: 'Seq', event: 'Event', method: 'Method', policy: 'Policy', clientTime: 'Client time', serverTime: 'Server time',
    choices: 'Choices', flags: 'Flags', none: 'none', on: 'on', off: 'off',
    statePolicy: 'Policy', stateVersion: 'Version', stateMethod: 'Method', stateGiven: 'Given at', stateChoices: 'Choices',
    noState: 'No consent decision recorded.',
    explicit: 'explicit', 'implicit-m': 'implicit',
    chainOk: 'The visitor\'s history chain is continuous.', chainBad: 'The history chain has gaps: {gaps}.',
    sealsOk: 'Every row seal is intact.', sealsBad: 'Row seals that do not match: {seqs}.',
    policiesOk: 'Every policy version is known.', policiesBad: 'Unknown policies: {list}.',
    implicitOk: 'Implicit acceptance (seq {seq}) of version {version}: update notice shown {shown}; deadline {deadline}; accepted {at}, after the deadline.',
    implicitEarly: 'Implicit acceptance (seq {seq}) of version {version}: accepted {at}, BEFORE the deadline {deadline}.',
    implicitNoNotice: 'Implicit acceptance (seq {seq}) of version {version}: no update notice was shown before it (implicit-without-notice).',
    openProof: 'Open printable proof', downloadProof: 'Download proof (JSON)', proofReady: 'The proof opened in a new tab.',
    proofSaved: 'The proof was downloaded.',
    verifyTitle: 'Verify the ledger', verifyHelp: "Recomputes every row's seal and checks every signed checkpoint.",
    verify: 'Verify', verifying: 'Verifying…',
    checkProofTitle: 'Check a proof document',
    checkProofHelp: "A proof or a consistency proof (JSON) that someone shows you, checked against this ledger's keys: the signatures, and every row's seal and Merkle path or the path between two checkpoints.",
    consistencyTitle: 'Show that the ledger only grew',
    consistencyHelp: 'For an auditor who kept a checkpoint (from a proof, say): a proof that what this ledger signs now extends what it signed then, no row changed or removed, without the rows themselves (RFC 9162 §2.1.4).',
    fromSeq: 'From checkpoint (seq)', toSeq: 'To checkpoint (seq; empty: the newest)', downloadConsistency: 'Download consistency proof (JSON)',
    badSeq: 'A checkpoint number is a whole number from 1.', consistencySaved: 'Downloaded: checkpoint {to} extends checkpoint {from}.',
    consistencyValid: 'Valid: the ledger signed at checkpoint {to} extends the one signed at checkpoint {from}{stored}.',
    bothStored: ', and both checkpoints are stored here', notAllStored: '; not stored here: {seqs}',
    proofFile: 'Proof file (JSON)', check: 'Check', checking: 'Checking…', noFile: 'Choose a proof file first.',
    proofValid: 'Valid: the proof of record {record} is signed by this ledger{stored}.',
    proofStored: ', and its checkpoint (seq {seq}) is the one stored here', proofNotStored: '; its checkpoint (seq {seq}) is not stored here',
    proofInvalid: 'NOT valid: {message}',
    valid: 'Valid: {rows} rows and {checkpoints} checkpoints check out.', invalid: 'NOT valid at seq {seq}: {message}',
    error: 'Error: {message}', 'op:accept-all': 'Accept all', 'op:reject-all': 'Reject all', 'op:set': 'Custom choice',
    'op:withdraw': 'Withdrawal', 'op:accept-update': 'Update accepted', 'op:notice-shown': 'Notice shown',
    'op:banner': 'Banner shown', 'op:preferences': 'Preferences shown', 'op:update-notice': 'Update notice shown',
    'op:implicit-notice': 'Implicit-acceptance notice shown', 'op:erasure': 'Erasure',
  },
  ru: {
    skip: 'Перейти к содержимому', title: 'Журнал согласий', language: 'Язык',
    loginTitle: 'Вход', token: 'Токен администратора', signIn: 'Войти', signOut: 'Выйти', signedIn: 'Вход выполнен.',
    tokenHelp: 'Содержимое файла --admin-token-file сервера. Хранится только в этой вкладке.',
    tokenMissing: 'Введите токен администратора.', tokenWrong: 'Сервер не принял этот токен.', checking: 'Проверка…',
    statsTitle: 'Решения по дням', from: 'С', to: 'По (включительно)', show: 'Показать',
    tableCaption: 'Решения по дням и способам', day: 'День', total: 'Всего', loading: 'Загрузка…',
    noData: 'За этот период решений нет.', chartLabel: 'Диаграмма: решения по дням ({tz}) с {from} по {to}, всего {n}. Те же числа в таблице ниже.',
    ratesTitle: 'Доля согласий по категориям', category: 'Категория', accepted: 'Согласия', decisions: 'Решения', rate: 'Доля',
    'accept-all': 'Принять все', 'reject-all': 'Отклонить все', custom: 'Выборочно', 'accept-update': 'Обновление принято',
    implicit: 'Неявно', withdrawn: 'Отозвано',
    lookupTitle: 'Поиск записи', recordId: 'Идентификатор записи', lookUp: 'Найти',
    badRecordId: 'Идентификатор записи: от 8 до 32 латинских букв, цифр, _ или -.', notFound: 'Для этого идентификатора событий нет.',
    found: 'Найдено событий: {n}.',
    stateTitle: 'Текущее состояние', checksTitle: 'Проверки', eventsTitle: 'События, от старых к новым',
    seq: '№', event: 'Событие', method: 'Способ', policy: 'Политика', clientTime: 'Время клиента', serverTime: 'Время сервера',
    choices: 'Выбор', flags: 'Отметки', none: 'нет', on: 'вкл.', off: 'выкл.',
    statePolicy: 'Политика', stateVersion: 'Версия', stateMethod: 'Способ', stateGiven: 'Дано', stateChoices: 'Выбор',
    noState: 'Решений о согласии не записано.',
    explicit: 'явно', 'implicit-m': 'неявно',
    chainOk: 'Цепочка истории посетителя непрерывна.', chainBad: 'В цепочке истории разрывы: {gaps}.',
    sealsOk: 'Все печати строк целы.', sealsBad: 'Печати строк не совпадают: {seqs}.',
    policiesOk: 'Все версии политик известны.', policiesBad: 'Неизвестные политики: {list}.',
    implicitOk: 'Неявное принятие (№ {seq}) версии {version}: уведомление об обновлении показано {shown}; срок {deadline}; принято {at}, после срока.',
    implicitEarly: 'Неявное принятие (№ {seq}) версии {version}: принято {at}, ДО срока {deadline}.',
    implicitNoNotice: 'Неявное принятие (№ {seq}) версии {version}: уведомление об обновлении до него не показывалось (implicit-without-notice).',
    openProof: 'Открыть доказательство для печати', downloadProof: 'Скачать доказательство (JSON)', proofReady: 'Доказательство открыто в новой вкладке.',
    proofSaved: 'Доказательство скачано.',
    verifyTitle: 'Проверка журнала', verifyHelp: 'Пересчитывает печать каждой строки и проверяет каждую подписанную контрольную точку.',
    verify: 'Проверить', verifying: 'Проверка…',
    checkProofTitle: 'Проверить документ-доказательство',
    checkProofHelp: 'Доказательство или доказательство согласованности (JSON), которое вам предъявили, — по ключам этого журнала: подписи, а также печать и путь в дереве Меркла каждой строки или путь между двумя контрольными точками.',
    consistencyTitle: 'Доказать, что журнал только дописывался',
    consistencyHelp: 'Для аудитора, сохранившего контрольную точку (например, из доказательства): доказательство того, что подписанное журналом сейчас продолжает подписанное тогда — ни одна строка не изменена и не удалена, — без самих строк (RFC 9162 §2.1.4).',
    fromSeq: 'От контрольной точки (№)', toSeq: 'До контрольной точки (№; пусто — последняя)', downloadConsistency: 'Скачать доказательство согласованности (JSON)',
    badSeq: 'Номер контрольной точки — целое число от 1.', consistencySaved: 'Скачано: контрольная точка № {to} продолжает № {from}.',
    consistencyValid: 'Верно: журнал, подписанный в контрольной точке № {to}, продолжает подписанный в № {from}{stored}.',
    bothStored: ', и обе контрольные точки хранятся здесь', notAllStored: '; здесь не хранятся: {seqs}',
    proofFile: 'Файл доказательства (JSON)', check: 'Проверить', checking: 'Проверка…', noFile: 'Сначала выберите файл доказательства.',
    proofValid: 'Верно: доказательство записи {record} подписано этим журналом{stored}.',
    proofStored: ', и его контрольная точка (№ {seq}) хранится здесь', proofNotStored: '; его контрольной точки (№ {seq}) здесь нет',
    proofInvalid: 'НЕ верно: {message}',
    valid: 'Верно: {rows} строк и {checkpoints} контрольных точек прошли проверку.', invalid: 'НЕ верно на № {seq}: {message}',
    error: 'Ошибка: {message}', 'op:accept-all': 'Принять все', 'op:reject-all': 'Отклонить все', 'op:set': 'Выборочное согласие',
    'op:withdraw': 'Отзыв', 'op:accept-update': 'Обновление принято', 'op:notice-shown': 'Уведомление показано',
    'op:banner': 'Показан баннер', 'op:preferences': 'Показаны настройки', 'op:update-notice': 'Показано уведомление об обновлении',
    'op:implicit-notice': 'Показано уведомление о неявном принятии', 'op:erasure': 'Удаление данных',
  },
  kk: {
    skip: 'Мазмұнға өту', title: 'Келісімдер журналы', language: 'Тіл',
    loginTitle: 'Кіру', token: 'Әкімші токені', signIn: 'Кіру', signOut: 'Шығу', signedIn: 'Кіру орындалды.',
    tokenHelp: 'Сервердің --admin-token-file файлының мазмұны. Тек осы қойындыда сақталады.',
    tokenMissing: 'Әкімші токенін енгізіңіз.', tokenWrong: 'Сервер бұл токенді қабылдамады.', checking: 'Тексерілуде…',
    statsTitle: 'Күндер бойынша шешімдер', from: 'Бастап', to: 'Дейін (қоса алғанда)', show: 'Көрсету',
    tableCaption: 'Күндер мен тәсілдер бойынша шешімдер', day: 'Күн', total: 'Барлығы', loading: 'Жүктелуде…',
    noData: 'Бұл кезеңде шешімдер жоқ.', chartLabel: 'Диаграмма: {from} мен {to} аралығындағы күндік шешімдер ({tz}), барлығы {n}. Сол сандар төмендегі кестеде.',
    ratesTitle: 'Санаттар бойынша келісім үлесі', category: 'Санат', accepted: 'Келісімдер', decisions: 'Шешімдер', rate: 'Үлес',
    'accept-all': 'Барлығын қабылдау', 'reject-all': 'Барлығынан бас тарту', custom: 'Таңдау бойынша', 'accept-update': 'Жаңарту қабылданды',
    implicit: 'Жанама', withdrawn: 'Кері қайтарылды',
    lookupTitle: 'Жазбаны іздеу', recordId: 'Жазба идентификаторы', lookUp: 'Іздеу',
    badRecordId: 'Жазба идентификаторы: 8-ден 32-ге дейін латын әрпі, сан, _ немесе -.', notFound: 'Бұл идентификатор бойынша оқиғалар жоқ.',
    found: 'Табылған оқиғалар: {n}.',
    stateTitle: 'Ағымдағы күй', checksTitle: 'Тексерулер', eventsTitle: 'Оқиғалар, ескісінен жаңасына',
    seq: '№', event: 'Оқиға', method: 'Тәсіл', policy: 'Саясат', clientTime: 'Клиент уақыты', serverTime: 'Сервер уақыты',
    choices: 'Таңдау', flags: 'Белгілер', none: 'жоқ', on: 'қосулы', off: 'өшірулі',
    statePolicy: 'Саясат', stateVersion: 'Нұсқа', stateMethod: 'Тәсіл', stateGiven: 'Берілген уақыты', stateChoices: 'Таңдау',
    noState: 'Келісім туралы шешім жазылмаған.',
    explicit: 'айқын', 'implicit-m': 'жанама',
    chainOk: 'Келушінің тарих тізбегі үздіксіз.', chainBad: 'Тарих тізбегінде үзілістер бар: {gaps}.',
    sealsOk: 'Барлық жол мөрлері бүтін.', sealsBad: 'Сәйкес келмейтін жол мөрлері: {seqs}.',
    policiesOk: 'Саясаттың барлық нұсқалары белгілі.', policiesBad: 'Белгісіз саясаттар: {list}.',
    implicitOk: 'Жанама қабылдау (№ {seq}), {version} нұсқасы: жаңарту туралы хабарлама {shown} көрсетілді; мерзім {deadline}; {at} қабылданды, мерзімнен кейін.',
    implicitEarly: 'Жанама қабылдау (№ {seq}), {version} нұсқасы: {at} қабылданды, {deadline} мерзімінен БҰРЫН.',
    implicitNoNotice: 'Жанама қабылдау (№ {seq}), {version} нұсқасы: оған дейін жаңарту туралы хабарлама көрсетілмеген (implicit-without-notice).',
    openProof: 'Басып шығаруға арналған дәлелді ашу', downloadProof: 'Дәлелді жүктеп алу (JSON)', proofReady: 'Дәлел жаңа қойындыда ашылды.',
    proofSaved: 'Дәлел жүктеп алынды.',
    verifyTitle: 'Журналды тексеру', verifyHelp: 'Әр жолдың мөрін қайта есептеп, әр қол қойылған бақылау нүктесін тексереді.',
    verify: 'Тексеру', verifying: 'Тексерілуде…',
    checkProofTitle: 'Дәлел құжатын тексеру',
    checkProofHelp: 'Сізге көрсетілген дәлел немесе сәйкестік дәлелі (JSON) — осы журналдың кілттері бойынша: қолтаңбалар, сондай-ақ әр жолдың мөрі мен Меркл ағашындағы жолы немесе екі бақылау нүктесі арасындағы жол.',
    consistencyTitle: 'Журналдың тек толықтырылғанын дәлелдеу',
    consistencyHelp: 'Бақылау нүктесін сақтаған аудиторға (мысалы, дәлелден): журналдың қазір қол қойғаны сол кезде қол қойғанының жалғасы екенін — бірде-бір жол өзгертілмегенін не жойылмағанын — жолдардың өздерінсіз көрсететін дәлел (RFC 9162 §2.1.4).',
    fromSeq: 'Бақылау нүктесінен (№)', toSeq: 'Бақылау нүктесіне дейін (№; бос болса — соңғысы)', downloadConsistency: 'Сәйкестік дәлелін жүктеп алу (JSON)',
    badSeq: 'Бақылау нүктесінің нөмірі — 1-ден бастап бүтін сан.', consistencySaved: 'Жүктеп алынды: № {to} бақылау нүктесі № {from} нүктесінің жалғасы.',
    consistencyValid: 'Дұрыс: № {to} бақылау нүктесінде қол қойылған журнал № {from} нүктесінде қол қойылғанның жалғасы{stored}.',
    bothStored: ', екі бақылау нүктесі де осында сақталған', notAllStored: '; осында сақталмаған: {seqs}',
    proofFile: 'Дәлел файлы (JSON)', check: 'Тексеру', checking: 'Тексерілуде…', noFile: 'Алдымен дәлел файлын таңдаңыз.',
    proofValid: 'Дұрыс: {record} жазбасының дәлеліне осы журнал қол қойған{stored}.',
    proofStored: ', оның бақылау нүктесі (№ {seq}) осында сақталған', proofNotStored: '; оның бақылау нүктесі (№ {seq}) осында жоқ',
    proofInvalid: 'ДҰРЫС ЕМЕС: {message}',
    valid: 'Дұрыс: {rows} жол және {checkpoints} бақылау нүктесі тексеруден өтті.', invalid: '№ {seq} жерінде ДҰРЫС ЕМЕС: {message}',
    error: 'Қате: {message}', 'op:accept-all': 'Барлығын қабылдау', 'op:reject-all': 'Барлығынан бас тарту', 'op:set': 'Таңдаулы келісім',
    'op:withdraw': 'Кері қайтару', 'op:accept-update': 'Жаңарту қабылданды', 'op:notice-shown': 'Хабарлама көрсетілді',
    'op:banner': 'Баннер көрсетілді', 'op:preferences': 'Баптаулар көрсетілді', 'op:update-notice': 'Жаңарту туралы хабарлама көрсетілді',
    'op:implicit-notice': 'Жанама қабылдау туралы хабарлама көрсетілді', 'op:erasure': 'Деректерді жою',
  },
};
const LANGS = ['ru', 'kk', 'en'];
/** The series of the chart, in drawing order (the keys /v1/stats answers with). */
const METHODS = ['accept-all', 'reject-all', 'custom', 'accept-update', 'implicit', 'withdrawn'];
const TOKEN_KEY = 'kelisim-admin-token';
const LANG_KEY = 'kelisim-admin-lang';
const SVG = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);
let lang = pickLanguage();
let lastStats = null;
let lastRecord = null;
let lastVerify = null;

/** The string `key` in the current language with {name} placeholders filled from `vars`. */
function t(key, vars = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}

function pickLanguage() {
  const asked = new URLSearchParams(location.search).get('lang') || sessionStorage.getItem(LANG_KEY);
  if (LANGS.includes(asked)) return asked;
  for (const l of navigator.languages || []) {
    const base = l.slice(0, 2).toLowerCase();
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

/** Creates an element with the given text (textContent) and attributes. */
function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function say(id, text, kind = '') {
  const p = $(id);
  p.textContent = text;
  p.dataset.kind = kind;
}

const iso = (ms) => (typeof ms === 'number' && ms > 0 ? new Date(ms).toISOString().replace('T', ' ').replace('.000Z', 'Z') : '—');
const pad2 = (n) => String(n).padStart(2, '0');
/** The browser's calendar date of ms (the operator's day), YYYY-MM-DD. */
const dayOf = (ms) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
};
/** The browser's current UTC offset as ±HH:MM: the stats count the operator's days. */
function utcOffset() {
  const east = -new Date().getTimezoneOffset();
  return (east < 0 ? '-' : '+') + pad2(Math.floor(Math.abs(east) / 60)) + ':' + pad2(Math.abs(east) % 60);
}

// ---------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** GETs (or `method`s) an operator route with the Bearer token; returns the parsed JSON or,
 *  with `raw`, the Response. Throws ApiError (status, code, message) for non-2xx answers. */
async function api(path, { method = 'GET', raw = false, body } = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY) || '';
  const headers = { Authorization: 'Bearer ' + token };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body, cache: 'no-store' });
  if (!res.ok) {
    let code = 'http-' + res.status;
    let message = res.statusText || code;
    try {
      const body = await res.json();
      if (body && body.error) ({ code, message } = body.error);
    } catch { /* not JSON: keep the status text */ }
    if (res.status === 401) signOut(t('tokenWrong'));
    throw new ApiError(res.status, code, message);
  }
  return raw ? res : res.json();
}

// ---------------------------------------------------------------------------
// Language
// ---------------------------------------------------------------------------

function applyLanguage(next) {
  lang = next;
  sessionStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
  if (lastStats) renderStats(lastStats);
  if (lastRecord) renderRecord(lastRecord);
  if (lastVerify) renderVerify(lastVerify);
}

// ---------------------------------------------------------------------------
// Sign in / out
// ---------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  if (!token) {
    $('token').setAttribute('aria-invalid', 'true');
    say('login-status', t('tokenMissing'), 'error');
    $('token').focus();
    return;
  }
  $('token').removeAttribute('aria-invalid');
  sessionStorage.setItem(TOKEN_KEY, token);
  say('login-status', t('checking'));
  try {
    await loadStats();
    $('token').value = '';
    showWorkspace(true);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) say('login-status', t('error', { message: e.message }), 'error');
  }
}

function signOut(message = '') {
  sessionStorage.removeItem(TOKEN_KEY);
  lastStats = lastRecord = lastVerify = null;
  // Nothing read with the token stays in the page.
  for (const id of ['chart', 'stats-head', 'stats-body', 'rates-body', 'state', 'checks', 'events-body']) $(id).replaceChildren();
  for (const id of ['stats-status', 'lookup-status', 'proof-status', 'verify-status', 'consistency-status', 'check-proof-status']) say(id, '');
  for (const id of ['consistency-from', 'consistency-to']) $(id).value = '';
  $('record-id').value = '';
  $('record').hidden = true;
  $('workspace').hidden = true;
  $('login').hidden = false;
  say('login-status', message, message ? 'error' : '');
  $('token').focus();
}

/** The record a link asks for (`/admin#record=<id>`, as the update demo links), once. */
let linkedRecord = (/^#record=([A-Za-z0-9_-]{8,32})$/.exec(location.hash) || [])[1] || null;

function showWorkspace(focus) {
  $('login').hidden = true;
  $('workspace').hidden = false;
  say('login-status', '');
  if (focus) {
    $('stats-h').tabIndex = -1;
    $('stats-h').focus();
  }
  if (linkedRecord) {
    $('record-id').value = linkedRecord;
    linkedRecord = null;
    $('lookup-form').requestSubmit();
  }
}

// ---------------------------------------------------------------------------
// Stats: chart + table
// ---------------------------------------------------------------------------

/** The date inputs as the query: `from` to the day after `to` (inclusive), at the browser's offset. */
function range() {
  const to = new Date(Date.parse($('to').value + 'T00:00:00Z') + 86400000).toISOString().slice(0, 10);
  return { from: $('from').value, to, tz: utcOffset() };
}

async function loadStats() {
  const { from, to, tz } = range();
  say('stats-status', t('loading'));
  const stats = await api(`/v1/stats?from=${from}&to=${to}&tz=${encodeURIComponent(tz)}`);
  lastStats = stats;
  renderStats(stats);
  return stats;
}

function renderStats(stats) {
  const days = stats.days || [];
  const total = days.reduce((n, d) => n + METHODS.reduce((m, k) => m + (d.counts[k] || 0), 0), 0);
  say('stats-status', total ? '' : t('noData'));
  const caption = t('chartLabel', { from: $('from').value, to: $('to').value, n: total, tz: 'UTC' + (stats.tz || '+00:00') });
  $('chart-caption').textContent = caption;
  drawChart(days, caption);
  drawLegend();
  drawTable(days);
  drawRates(stats.categories || []);
}

/** Stacked bars, one per day, drawn as SVG rectangles. The SVG is an image with a name; the
 *  table below holds the same numbers for screen readers and for reading exact values. */
function drawChart(days, label) {
  const box = $('chart');
  box.replaceChildren();
  const w = 720, h = 220, pad = 28, base = h - 24;
  const max = Math.max(1, ...days.map((d) => METHODS.reduce((m, k) => m + (d.counts[k] || 0), 0)));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.classList.add('bars');
  const axis = document.createElementNS(SVG, 'line');
  for (const [k, v] of Object.entries({ x1: pad, y1: base, x2: w - 4, y2: base })) axis.setAttribute(k, v);
  axis.classList.add('axis');
  svg.append(axis);
  const maxLabel = document.createElementNS(SVG, 'text');
  maxLabel.setAttribute('x', 2);
  maxLabel.setAttribute('y', 14);
  maxLabel.textContent = String(max);
  svg.append(maxLabel);
  const slot = (w - pad - 8) / Math.max(1, days.length);
  days.forEach((d, i) => {
    let y = base;
    const x = pad + 4 + i * slot;
    const bw = Math.max(2, slot * 0.7);
    for (const m of METHODS) {
      const n = d.counts[m] || 0;
      if (!n) continue;
      const bh = ((base - 20) * n) / max;
      y -= bh;
      const r = document.createElementNS(SVG, 'rect');
      for (const [k, v] of Object.entries({ x, y, width: bw, height: bh })) r.setAttribute(k, v);
      r.classList.add('m-' + m);
      r.dataset.method = m;
      r.dataset.day = d.day;
      svg.append(r);
    }
    if (days.length <= 16 || i % Math.ceil(days.length / 8) === 0) {
      const tx = document.createElementNS(SVG, 'text');
      tx.setAttribute('x', x);
      tx.setAttribute('y', h - 6);
      tx.textContent = d.day.slice(5);
      svg.append(tx);
    }
  });
  box.append(svg);
}

function drawLegend() {
  const ul = $('legend');
  ul.replaceChildren();
  for (const m of METHODS) {
    const li = el('li');
    li.append(el('span', null, { class: 'swatch m-' + m }), document.createTextNode(t(m)));
    ul.append(li);
  }
}

function drawTable(days) {
  const head = $('stats-head');
  head.replaceChildren(el('th', t('day'), { scope: 'col' }), ...METHODS.map((m) => el('th', t(m), { scope: 'col' })),
    el('th', t('total'), { scope: 'col' }));
  const body = $('stats-body');
  body.replaceChildren();
  for (const d of days) {
    const tr = el('tr');
    tr.append(el('th', d.day, { scope: 'row' }));
    let sum = 0;
    for (const m of METHODS) {
      sum += d.counts[m] || 0;
      tr.append(el('td', d.counts[m] || 0));
    }
    tr.append(el('td', sum));
    body.append(tr);
  }
}

function drawRates(categories) {
  const body = $('rates-body');
  body.replaceChildren();
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
  for (const c of categories) {
    const tr = el('tr');
    const rateCell = el('td');
    const meter = el('span', null, { class: 'meter', 'aria-hidden': 'true' });
    const fill = el('span', null, { class: 'fill' });
    // A bar through the CSSOM (not a style attribute: CSP allows no inline styles).
    fill.style.width = (c.rate * 100).toFixed(1) + '%';
    meter.append(fill);
    rateCell.append(meter, document.createTextNode(' ' + pct.format(c.rate || 0)));
    tr.append(el('th', c.id, { scope: 'row' }), el('td', c.on), el('td', c.total), rateCell);
    body.append(tr);
  }
}

// ---------------------------------------------------------------------------
// Record look-up
// ---------------------------------------------------------------------------

async function lookUp(event) {
  event.preventDefault();
  const input = $('record-id');
  const id = input.value.trim();
  if (!/^[A-Za-z0-9_-]{8,32}$/.test(id)) {
    input.setAttribute('aria-invalid', 'true');
    say('lookup-status', t('badRecordId'), 'error');
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  say('lookup-status', t('loading'));
  try {
    lastRecord = await api('/v1/records/' + encodeURIComponent(id));
    renderRecord(lastRecord);
  } catch (e) {
    lastRecord = null;
    $('record').hidden = true;
    if (e.status === 404) say('lookup-status', t('notFound'), 'error');
    else if (e.status !== 401) say('lookup-status', t('error', { message: e.message }), 'error');
  }
}

const choicesText = (choices) =>
  choices && typeof choices === 'object' ? Object.entries(choices).map(([k, v]) => `${k}: ${v ? t('on') : t('off')}`).join(', ') : '';

function renderRecord(view) {
  const events = view.events || [];
  say('lookup-status', t('found', { n: events.length }));
  $('record').hidden = false;
  const state = $('state');
  state.replaceChildren();
  const s = view.state;
  if (!s) state.append(el('dt', t('stateTitle')), el('dd', t('noState')));
  else {
    for (const [k, v] of [['statePolicy', s.policyId], ['stateVersion', s.version],
      ['stateMethod', s.method === 'implicit' ? t('implicit-m') : t('explicit')], ['stateGiven', iso(s.givenAt)],
      ['stateChoices', choicesText(s.choices)]]) state.append(el('dt', t(k)), el('dd', v));
  }
  renderChecks(view.verification || {});
  const body = $('events-body');
  body.replaceChildren();
  for (const e of events) {
    const tr = el('tr');
    const policy = e.policy ? `${e.policy.id} v${e.policy.version}` : '';
    const method = e.method ? (e.method === 'implicit' ? t('implicit-m') : t('explicit')) : '';
    tr.append(el('td', e.seq), el('td', t('op:' + e.op) === 'op:' + e.op ? e.op : t('op:' + e.op)), el('td', method),
      el('td', policy), el('td', iso(e.clientAt)), el('td', iso(e.serverAt)), el('td', choicesText(e.choices)),
      el('td', (e.flags || []).join(', ') || t('none')));
    body.append(tr);
  }
}

function renderChecks(v) {
  const ul = $('checks');
  ul.replaceChildren();
  const item = (ok, text) => {
    const li = el('li', text, { 'data-ok': String(ok) });
    ul.append(li);
  };
  const chain = v.chain || { ok: true, gaps: [] };
  item(chain.ok, chain.ok ? t('chainOk') : t('chainBad', { gaps: (chain.gaps || []).map((g) => 'seq ' + g.seq).join(', ') }));
  const seals = v.seals || { ok: true, bad: [] };
  item(seals.ok, seals.ok ? t('sealsOk') : t('sealsBad', { seqs: (seals.bad || []).join(', ') }));
  const unknown = v.unknownPolicies || [];
  item(!unknown.length, unknown.length ? t('policiesBad', { list: unknown.map((u) => `${u.id} v${u.version}`).join(', ') }) : t('policiesOk'));
  for (const a of v.implicitAcceptances || []) {
    const vars = { seq: a.seq, version: a.version, at: iso(a.at), deadline: iso(a.deadline), shown: a.notice ? iso(a.notice.at) : '' };
    if (!a.notice) item(false, t('implicitNoNotice', vars));
    else if (!a.afterDeadline) item(false, t('implicitEarly', vars));
    else item(true, t('implicitOk', vars));
  }
}

/** Opens the printable proof in a new tab: the window is opened during the click (so it is not
 *  a blocked pop-up), then shown the proof fetched with the token as a blob: URL. When the
 *  browser still refuses the window, a link to the same blob is offered instead. */
async function openProof() {
  const id = lastRecord && lastRecord.recordId;
  if (!id) return;
  const win = window.open('', '_blank');
  try {
    const res = await api(`/v1/proof/${encodeURIComponent(id)}?format=html&lang=${lang}`, { raw: true });
    const url = URL.createObjectURL(new Blob([await res.text()], { type: 'text/html;charset=utf-8' }));
    if (win) {
      win.location.href = url;
      say('proof-status', t('proofReady'));
    } else {
      say('proof-status', '');
      $('proof-status').append(el('a', t('openProof'), { href: url, target: '_blank', rel: 'noopener' }));
    }
  } catch (e) {
    win?.close();
    if (e.status !== 401) say('proof-status', t('error', { message: e.message }), 'error');
  }
}

/** Saves JSON text as a download named `name`. */
function saveJson(text, name) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = el('a', null, { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function downloadProof() {
  const id = lastRecord && lastRecord.recordId;
  if (!id) return;
  try {
    const res = await api(`/v1/proof/${encodeURIComponent(id)}`, { raw: true });
    saveJson(await res.text(), `kelisim-proof-${id}.json`);
    say('proof-status', t('proofSaved'));
  } catch (e) {
    if (e.status !== 401) say('proof-status', t('error', { message: e.message }), 'error');
  }
}

// ---------------------------------------------------------------------------
// Consistency proof (GET /v1/consistency, docs/ledger.md §4.3)
// ---------------------------------------------------------------------------

/** Downloads the consistency proof from the checkpoint the form names to the other one (or to
 *  the newest, which the server signs first when the head moved). */
async function downloadConsistency(e) {
  e.preventDefault();
  const seqs = ['consistency-from', 'consistency-to'].map((id) => $(id).value.trim());
  const bad = seqs.findIndex((v, i) => !(i === 1 && v === '') && !/^[1-9][0-9]{0,17}$/.test(v));
  for (const [i, id] of ['consistency-from', 'consistency-to'].entries()) {
    if (i === bad) $(id).setAttribute('aria-invalid', 'true');
    else $(id).removeAttribute('aria-invalid');
  }
  if (bad >= 0) {
    say('consistency-status', t('badSeq'), 'error');
    return $(bad ? 'consistency-to' : 'consistency-from').focus();
  }
  say('consistency-status', t('loading'));
  try {
    const q = `from=${seqs[0]}` + (seqs[1] ? `&to=${seqs[1]}` : '');
    const text = await (await api(`/v1/consistency?${q}`, { raw: true })).text();
    const doc = JSON.parse(text);
    saveJson(text, `kelisim-consistency-${doc.from.seq}-${doc.to.seq}.json`);
    say('consistency-status', t('consistencySaved', { from: doc.from.seq, to: doc.to.seq }), 'ok');
  } catch (err) {
    if (err.status !== 401) say('consistency-status', t('error', { message: err.message }), 'error');
  }
}

// ---------------------------------------------------------------------------
// Verify
// ---------------------------------------------------------------------------

async function verifyLedger() {
  say('verify-status', t('verifying'));
  try {
    lastVerify = await api('/v1/verify');
    renderVerify(lastVerify);
  } catch (e) {
    if (e.status !== 401) say('verify-status', t('error', { message: e.message }), 'error');
  }
}

function renderVerify(r) {
  if (r.valid) say('verify-status', t('valid', { rows: r.rows, checkpoints: r.checkpoints }), 'ok');
  else say('verify-status', t('invalid', { seq: r.firstBadSeq, message: r.message }), 'error');
}

/** A proof document someone shows the operator, checked by the server against this ledger. */
async function checkProof(e) {
  e.preventDefault();
  const file = $('proof-file').files[0];
  if (!file) return say('check-proof-status', t('noFile'), 'error');
  say('check-proof-status', t('checking'));
  try {
    const r = await api('/v1/proof/verify', { method: 'POST', body: await file.text() });
    if (!r.valid) return say('check-proof-status', t('proofInvalid', { message: r.message }), 'error');
    if (r.kind === 'consistency') {
      const missing = [r.from, r.to].filter((c) => !c.stored).map((c) => c.seq);
      const stored = missing.length ? t('notAllStored', { seqs: missing.join(', ') }) : t('bothStored');
      return say('check-proof-status', t('consistencyValid', { from: r.from.seq, to: r.to.seq, stored }), 'ok');
    }
    const stored = r.checkpoint ? t(r.checkpoint.stored ? 'proofStored' : 'proofNotStored', { seq: r.checkpoint.seq }) : '';
    say('check-proof-status', t('proofValid', { record: r.recordId, stored }), 'ok');
  } catch (err) {
    if (err.status !== 401) say('check-proof-status', t('error', { message: err.message }), 'error');
  }
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

function start() {
  const today = new Date();
  $('to').value = dayOf(today.getTime());
  $('from').value = dayOf(today.getTime() - 29 * 86400000);
  for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => applyLanguage(b.dataset.lang));
  $('login-form').addEventListener('submit', signIn);
  $('logout').addEventListener('click', () => signOut());
  $('range-form').addEventListener('submit', (e) => {
    e.preventDefault();
    loadStats().catch((err) => { if (err.status !== 401) say('stats-status', t('error', { message: err.message }), 'error'); });
  });
  $('lookup-form').addEventListener('submit', lookUp);
  $('proof-html').addEventListener('click', openProof);
  $('proof-json').addEventListener('click', downloadProof);
  $('verify-button').addEventListener('click', verifyLedger);
  $('consistency-form').addEventListener('submit', downloadConsistency);
  $('check-proof-form').addEventListener('submit', checkProof);
  applyLanguage(lang);
  if (sessionStorage.getItem(TOKEN_KEY)) {
    loadStats().then(() => showWorkspace(false), () => {});
  }
}

start();
