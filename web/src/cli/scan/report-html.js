// `kelisim scan`: report.html, a static page (no script) in Russian or English built from the
// report.json data. Everything that came from the scanned site is escaped.

export const STATE_LABEL = {
  en: { none: 'No choice', reject: 'After “Reject all”', accept: 'After “Accept all”' },
  ru: { none: 'Без выбора', reject: 'После «Отклонить все»', accept: 'После «Принять все»' },
};

const T = {
  en: {
    title: 'kelisim scan', scanned: 'Scanned', duration: 'Duration', pages: 'Pages visited', catalogue: 'Services catalogue',
    result: 'Result', violations: (n) => `${n} violation${n === 1 ? '' : 's'}`, none: 'No violations found.',
    vCaption: 'Violations: what happened before consent or after “Reject all”',
    state: 'State', what: 'What', service: 'Service', why: 'Why', kind: { cookie: 'cookie', request: 'request' },
    when: { 'before-consent': 'before consent', 'after-reject': 'after reject' },
    reason: { 'non-necessary-service': 'catalogued service outside “necessary”', 'unknown-third-party-cookie': 'third-party cookie not in the catalogue' },
    how: { kelisim: 'clicked kelisim’s button', heuristic: 'clicked a button found by its text', none: 'no button clicked' },
    skipped: { 'click-failed': 'Skipped: the button could not be clicked (see the notes).', 'no-kelisim-banner': 'Skipped: the kelisim banner did not appear.', 'no-button-found': 'Skipped: no button with a reject/accept text was found (a site without kelisim can only be checked with no choice).' },
    shot: (s) => `Screenshot of the start page: ${s}`,
    cookies: 'Cookies', storage: 'Storage: localStorage, sessionStorage, IndexedDB, Cache Storage, service workers', requests: 'Requests by host',
    areas: { local: 'localStorage', session: 'sessionStorage', indexeddb: 'IndexedDB database', cache: 'Cache Storage cache', 'service-worker': 'service worker (script)' },
    name: 'Name', domain: 'Domain', party: 'Party', lifetime: 'Lifetime', setBy: 'Set by', verdict: 'Verdict',
    area: 'Area', origin: 'Origin', key: 'Key or name', host: 'Host', types: 'Types', count: 'Count',
    first: 'first', third: 'third', session: 'session', days: (d) => `${d} days`,
    ok: 'ok', violation: 'violation', unknown: 'unknown', notJudged: 'not judged (purpose unknown)', empty: 'None.',
    cat: {},
    method: 'How this was measured', notes: 'Notes', clicked: 'Clicked', also: 'or', choices: 'kelisim.state().choices after the click', on: 'on', off: 'off',
    via: { 'set-cookie': 'Set-Cookie from', script: 'script', page: 'page (script not known)' },
  },
  ru: {
    title: 'Проверка kelisim scan', scanned: 'Проверено', duration: 'Длительность', pages: 'Посещённые страницы', catalogue: 'Каталог сервисов',
    result: 'Итог', violations: (n) => `Нарушений: ${n}`, none: 'Нарушений не найдено.',
    vCaption: 'Нарушения: что происходило до согласия или после «Отклонить все»',
    state: 'Состояние', what: 'Что', service: 'Сервис', why: 'Почему', kind: { cookie: 'cookie', request: 'запрос' },
    when: { 'before-consent': 'до согласия', 'after-reject': 'после отказа' },
    reason: { 'non-necessary-service': 'сервис из каталога вне категории «необходимые»', 'unknown-third-party-cookie': 'сторонний cookie, которого нет в каталоге' },
    how: { kelisim: 'нажата кнопка kelisim', heuristic: 'нажата кнопка, найденная по тексту', none: 'кнопки не нажимались' },
    skipped: { 'click-failed': 'Пропущено: кнопку не удалось нажать (см. примечания).', 'no-kelisim-banner': 'Пропущено: баннер kelisim не появился.', 'no-button-found': 'Пропущено: кнопка с текстом отказа/согласия не найдена (сайт без kelisim проверяется только без выбора).' },
    shot: (s) => `Снимок стартовой страницы: ${s}`,
    cookies: 'Cookie', storage: 'Хранилища: localStorage, sessionStorage, IndexedDB, Cache Storage, сервис-воркеры', requests: 'Запросы по хостам',
    areas: { local: 'localStorage', session: 'sessionStorage', indexeddb: 'база IndexedDB', cache: 'кэш Cache Storage', 'service-worker': 'сервис-воркер (скрипт)' },
    name: 'Имя', domain: 'Домен', party: 'Сторона', lifetime: 'Срок', setBy: 'Кто установил', verdict: 'Вердикт',
    area: 'Хранилище', origin: 'Источник', key: 'Ключ или имя', host: 'Хост', types: 'Типы', count: 'Число',
    first: 'первая', third: 'третья', session: 'сессия', days: (d) => `${d} дн.`,
    ok: 'норма', violation: 'нарушение', unknown: 'неизвестно', notJudged: 'не оценивалось (цель неизвестна)', empty: 'Нет.',
    cat: { necessary: 'необходимые', functional: 'функциональные', analytics: 'аналитика', marketing: 'маркетинг', media: 'медиа', chat: 'чат' },
    method: 'Как измерялось', notes: 'Примечания', clicked: 'Нажато', also: 'или', choices: 'kelisim.state().choices после нажатия', on: 'вкл.', off: 'выкл.',
    via: { 'set-cookie': 'Set-Cookie от', script: 'скрипт', page: 'страница (скрипт неизвестен)' },
  },
};

/** Text with &, <, >, " and ' escaped for HTML content and attribute values. */
export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const CSS = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff;margin:0}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
h1{font-size:1.6rem;margin:1rem 0 .25rem}h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:1px solid #ccc}
h3{font-size:1.05rem;margin:1.25rem 0 .25rem}
.bad{color:#a3001b;font-weight:600}.good{color:#1b5e20;font-weight:600}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
td code{overflow-wrap:anywhere}
th{background:#f1f1f1}
tr.v td{background:#fdecee}
code{font-size:.9em}
figure{margin:.5rem 0}img{max-width:100%;height:auto;border:1px solid #bbb}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}
`;

/** The report as one HTML document in `lang` ('en' | 'ru'). */
export function renderHtml(report, lang = 'en') {
  const t = T[lang] || T.en;
  const L = STATE_LABEL[lang] || STATE_LABEL.en;
  const svc = (s) => (s ? `${esc(s.name)} <code>${esc(s.id)}</code> (${esc(t.cat[s.category] || s.category)})` : esc(t.unknown));
  const setBy = (list) => (list && list.length
    ? list.map((s) => `${esc(t.via[s.via] || s.via)} <code>${esc(s.url)}</code>`).join('<br>') : '—');
  // Unknown purpose (no service) is listed, not judged — unless it is a violation (third-party cookie).
  const verdict = (v, known) => (v ? `<span class="bad">${esc(t.violation)}</span>` : esc(known ? t.ok : t.notJudged));
  const table = (id, caption, head, rows) => (rows.length
    ? `<div class="scroll" role="region" tabindex="0" aria-labelledby="${id}"><table><caption id="${id}">${esc(caption)}</caption>` +
      `<thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`
    : `<h3 id="${id}">${esc(caption)}</h3><p>${esc(t.empty)}</p>`);
  const row = (cells, bad) => `<tr${bad ? ' class="v"' : ''}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;

  const v = report.violations;
  let body = `<section aria-labelledby="result"><h2 id="result">${esc(t.result)}</h2>`;
  body += v.length ? `<p class="bad">${esc(t.violations(v.length))}</p>` : `<p class="good">${esc(t.none)}</p>`;
  if (v.length) {
    body += table('violations', t.vCaption, [t.state, t.what, t.service, t.why], v.map((x) => row([
      esc(t.when[x.when] || x.when),
      `${esc(x.kind === 'storage' ? t.areas[x.area] || x.area : t.kind[x.kind])} <code>${esc(x.name)}</code>${x.kind === 'request' ? ` (${esc(x.types.join(', '))})` : ''}` +
        (x.setBy && x.setBy.length ? `<br>${setBy(x.setBy)}` : ''),
      svc(x.service),
      esc(t.reason[x.reason] || x.reason),
    ], true)));
  }
  body += '</section>';

  for (const st of report.states) {
    const sid = `state-${st.id}`;
    body += `<section aria-labelledby="${sid}"><h2 id="${sid}">${esc(L[st.id])}</h2>`;
    if (st.skipped) {
      body += `<p>${esc(t.skipped[st.skipped] || st.skipped)}</p>`;
      if (st.notes && st.notes.length) body += `<ul>${st.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
      body += '</section>';
      continue;
    }
    body += `<p>${esc(t.how[st.how] || st.how)}${st.clicked ? `: <code>${esc(st.clicked)}</code>` : ''}</p>`;
    if (st.kelisimChoices) {
      body += `<p>${esc(t.choices)}: ${Object.entries(st.kelisimChoices).map(([k, on]) => `<code>${esc(k)}</code> ${esc(on ? t.on : t.off)}`).join(', ')}</p>`;
    }
    if (st.screenshot) {
      body += `<figure><img src="${esc(st.screenshot)}" width="640" height="400" alt="${esc(t.shot(L[st.id]))}">` +
        `<figcaption>${esc(t.shot(L[st.id]))}</figcaption></figure>`;
    }
    const r = st.result;
    body += table(`${sid}-cookies`, `${t.cookies}, ${L[st.id]} (${r.cookies.length})`, [t.name, t.domain, t.party, t.lifetime, t.setBy, t.service, t.verdict],
      r.cookies.map((c) => row([`<code>${esc(c.name)}</code>`, esc(c.domain), esc(t[c.party]),
        esc(c.session ? t.session : t.days(c.lifetimeDays)), setBy(c.setBy), svc(c.service), verdict(c.violation, c.service)], c.violation)));
    body += table(`${sid}-storage`, `${t.storage}, ${L[st.id]} (${r.storage.length})`, [t.area, t.origin, t.key, t.setBy, t.service, t.verdict],
      r.storage.map((s) => row([esc(t.areas[s.area] || s.area), esc(s.origin), `<code>${esc(s.key)}</code>`, setBy(s.setBy), svc(s.service), verdict(s.violation, s.service)], s.violation)));
    body += table(`${sid}-requests`, `${t.requests}, ${L[st.id]} (${r.requests.length})`, [t.host, t.party, t.types, t.count, t.service, t.verdict],
      r.requests.map((q) => row([`<code>${esc(q.host)}</code>`, esc(t[q.party]), esc(q.types.join(', ')), esc(q.count),
        q.party === 'first' ? '—' : svc(q.service) + (q.alsoMatches ? `<br>${esc(t.also)}: ${q.alsoMatches.map(svc).join(', ')}` : ''),
        verdict(q.violation, q.service || q.party === 'first')], q.violation)));
    if (st.notes && st.notes.length) body += `<h3>${esc(t.notes)}</h3><ul>${st.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
    body += '</section>';
  }

  body += `<section aria-labelledby="method"><h2 id="method">${esc(t.method)}</h2><dl>` +
    Object.entries(report.method).map(([k, x]) => `<dt>${esc(k)}</dt><dd>${esc(x)}</dd>`).join('') +
    `<dt>${esc(t.pages)}</dt><dd>${report.pages.map((p) => `<code>${esc(p)}</code>`).join('<br>')}</dd>` +
    `<dt>${esc(t.catalogue)}</dt><dd><code>${esc(report.catalogue.file)}</code> (${esc(report.catalogue.services)})</dd></dl></section>`;

  return `<!doctype html>
<html lang="${lang === 'ru' ? 'ru' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t.title)}: ${esc(report.url)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(t.title)}: <code>${esc(report.url)}</code></h1>
<p>${esc(t.scanned)}: ${esc(report.scannedAt)} · ${esc(t.duration)}: ${esc((report.durationMs / 1000).toFixed(1))} s · ${esc(t.pages)}: ${esc(report.pages.length)}</p></header>
<main>
${body}
</main>
<footer><p>kelisim scan · report.json</p></footer>
</body>
</html>
`;
}
