// The notice's date and summary logic in Node (no browser): the deadline computed by the real
// consent core, shown as the calendar day it falls on in the policy's own offset, for offsets
// east and west of UTC, around midnight and across month/year ends; the change summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadlineDate, changeSummary } from '../../web/src/ui/notice.js';
import { viewerT, NOTICE_STRINGS, VIEWER_STRINGS, isoOffset, formatIsoDate } from '../../web/src/ui/viewer-i18n.js';
import { nodeCore } from './banner-fixture.js';

test('the deadline day in the policy offset: the core deadline (start of day D+8) is the date shown', async () => {
  const core = await nodeCore();
  const cases = [
    // publishedAt, days, shown (dd.mm.yyyy)
    ['2025-06-10T12:00:00+05:00', 7, '18.06.2025'],   // DESIGN.md's example
    ['2026-11-20T10:00:00+05:00', 7, '28.11.2026'],   // SmartAqkol demo v2
    ['2026-11-20T23:59:00+05:00', 7, '28.11.2026'],   // late evening still counts as day D
    ['2026-11-20T00:00:00+05:00', 7, '28.11.2026'],
    ['2026-12-28T09:00:00+06:00', 7, '05.01.2027'],   // across a year end
    ['2026-02-22T09:00:00+03:00', 7, '02.03.2026'],   // across February
    ['2026-11-20T22:00:00-08:00', 7, '28.11.2026'],   // west of UTC: already 21.11 in UTC
    ['2026-11-20T10:00:00Z', 1, '22.11.2026'],
    ['2026-11-20T10:00:00+05:45', 14, '05.12.2026'],
  ];
  for (const [iso, days, shown] of cases) {
    const { ms, offsetMinutes } = core.parseInstant(iso);
    assert.equal(isoOffset(iso), offsetMinutes, iso);
    const deadline = core.deadline(ms, offsetMinutes, days);
    assert.equal(deadlineDate(deadline, { publishedAt: iso }, 'ru'), shown, iso);
    // The deadline is the very start of that day in the policy's offset.
    const local = new Date(deadline + offsetMinutes * 60000);
    assert.deepEqual([local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()], [0, 0, 0], iso);
    // One millisecond earlier is still the day before.
    assert.notEqual(deadlineDate(deadline - 1, { publishedAt: iso }, 'ru'), shown, iso);
  }
});

test('date formats per language, and the publication date in its own offset', () => {
  const d = Date.parse('2026-11-27T19:00:00Z');
  const m = { publishedAt: '2026-11-20T10:00:00+05:00' };
  assert.equal(deadlineDate(d, m, 'ru'), '28.11.2026');
  assert.equal(deadlineDate(d, m, 'kk'), '28.11.2026');
  assert.equal(deadlineDate(d, m, 'en'), '28 November 2026');
  assert.equal(formatIsoDate('2026-11-20T23:30:00-05:00', 'ru'), '20.11.2026');
  assert.equal(formatIsoDate('2026-11-20T00:30:00+06:00', 'en'), '20 November 2026');
  assert.equal(formatIsoDate('not a date', 'ru'), null);
  assert.equal(isoOffset('2026-11-20T10:00:00'), null);
});

test('change summary from manifest.changes, in ru/kk/en; nothing for a first version', () => {
  const changes = { added: ['2.6'], changed: ['2.5', '3.3'], moved: [], removed: ['7.1'] };
  assert.equal(changeSummary({ changes }, viewerT('ru', null, NOTICE_STRINGS)), 'Что изменилось: новые пункты: 2.6; изменены: 2.5, 3.3; удалены: 7.1.');
  assert.equal(changeSummary({ changes }, viewerT('kk', null, NOTICE_STRINGS)), 'Не өзгерді: жаңа тармақтар: 2.6; өзгертілгендері: 2.5, 3.3; алып тасталғандары: 7.1.');
  assert.equal(changeSummary({ changes }, viewerT('en', null, NOTICE_STRINGS)), 'What changed: new clauses: 2.6; changed: 2.5, 3.3; removed: 7.1.');
  assert.equal(changeSummary({ changes: null }, viewerT('ru', null, NOTICE_STRINGS)), '');
  assert.equal(changeSummary({ changes: { added: [], changed: [], removed: [], moved: [] } }, viewerT('ru', null, NOTICE_STRINGS)), '');
});

test('change summary names added, corrected and removed translations in the UI language (policies/README.md "Languages")', () => {
  const changes = { added: [], changed: [], removed: [], moved: [], translationOnly: true, translations: { added: ['kk'], changed: ['en'], removed: [] } };
  assert.equal(changeSummary({ changes }, viewerT('ru', null, NOTICE_STRINGS)), 'Что изменилось: добавлен перевод: казахский; исправлен перевод: английский.');
  assert.equal(changeSummary({ changes }, viewerT('kk', null, NOTICE_STRINGS)), 'Не өзгерді: аударма қосылды: қазақ тілі; аударма түзетілді: ағылшын тілі.');
  assert.equal(changeSummary({ changes: { ...changes, added: ['2.6'], translations: { added: [], changed: [], removed: ['en', 'xx'] } } }, viewerT('en', null, NOTICE_STRINGS)),
    'What changed: new clauses: 2.6; translation removed: English.');
});

test('site overrides win over the built-in strings; placeholders are filled', () => {
  const t = (k) => (k === 'notice.accept' ? 'Келісемін' : k);
  const tr = viewerT('kk', t, NOTICE_STRINGS);
  assert.equal(tr('notice.accept'), 'Келісемін');
  assert.equal(tr('notice.deadline', { date: '28.11.2026' }), 'Егер сайтты пайдалануды жалғастырсаңыз, өзгерістер сіз үшін 28.11.2026 бастап күшіне енеді.');
  assert.equal(viewerT('de', null, NOTICE_STRINGS)('notice.ok'), 'Got it', 'unknown language → English');
  // Every key exists in every language.
  for (const T of [NOTICE_STRINGS, VIEWER_STRINGS]) {
    for (const L of ['kk', 'en']) assert.deepEqual(Object.keys(T[L]).sort(), Object.keys(T.ru).sort(), L);
    for (const L of ['ru', 'kk', 'en']) for (const [k, v] of Object.entries(T[L])) assert.ok(v.trim() && v === v.trim(), `${L} ${k}`);
  }
});
