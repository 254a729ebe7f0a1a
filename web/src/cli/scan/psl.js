// `kelisim scan`: the Public Suffix List (https://publicsuffix.org/list/), for the first/third-party
// split in classify.js. The algorithm is the list's own, as its format page states it
// (https://github.com/publicsuffix/list/wiki/Format); written from that page, not copied from a
// library. Both sections (ICANN and PRIVATE) are used, as browsers do for cookies and sites.
// Parsing and matching are pure; loadPublicSuffixList() is the one function that reads a file.
// CLI only: the page code never imports this.
import { readFileSync, statSync } from 'node:fs';
import { domainToASCII } from 'node:url';

/** Where Debian's (and Ubuntu's) `publicsuffix` package installs the list. */
export const DEBIAN_PSL = '/usr/share/publicsuffix/public_suffix_list.dat';

const NORMAL = 1;
const EXCEPTION = 2;
const NON_ASCII = /[^\x00-\x7f]/;

/** A label in the form browsers send (punycode, `xn--…`), lower-case; '' when it is not a valid label. */
export function asciiLabel(label) {
  const l = label.toLowerCase();
  return l === '*' || !NON_ASCII.test(l) ? l : domainToASCII(l);
}

/**
 * Parses the list's text into `{ root, rules, sections: { icann, private }, version, commit }`.
 * Per the format page: one rule per line, read up to the first whitespace; `//` lines are
 * comments; `*` stands for one whole label; a leading `!` makes an exception. Rules are kept in
 * a tree keyed by label, right to left, in punycode (the list itself is UTF-8). The header's
 * `// VERSION:` and `// COMMIT:` lines, when present, are kept ('' otherwise).
 */
export function parsePublicSuffixList(text) {
  const root = { children: new Map(), rule: 0 };
  const out = { root, rules: 0, sections: { icann: 0, private: 0 }, version: '', commit: '' };
  let section = '';
  for (const raw of String(text).split('\n')) {
    const line = raw.trim();
    if (line.startsWith('//')) {
      const m = /^\/\/\s*(VERSION|COMMIT):\s*(\S+)/.exec(line);
      if (m && !out[m[1].toLowerCase()]) out[m[1].toLowerCase()] = m[2];
      if (line.includes('===BEGIN ICANN DOMAINS===')) section = 'icann';
      else if (line.includes('===BEGIN PRIVATE DOMAINS===')) section = 'private';
      else if (/===END (ICANN|PRIVATE) DOMAINS===/.test(line)) section = '';
      continue;
    }
    let rule = line.split(/\s/)[0];
    if (!rule) continue;
    const kind = rule.startsWith('!') ? EXCEPTION : NORMAL;
    if (kind === EXCEPTION) rule = rule.slice(1);
    const labels = rule.split('.').map(asciiLabel);
    if (labels.some((l) => !l)) continue;  // not a domain name: skipped
    let node = root;
    for (let i = labels.length - 1; i >= 0; i--) {
      let next = node.children.get(labels[i]);
      if (!next) node.children.set(labels[i], next = { children: new Map(), rule: 0 });
      node = next;
    }
    node.rule = kind;
    out.rules++;
    if (section) out.sections[section]++;
  }
  return out;
}

/**
 * How many labels of `labels` (a host split on dots, punycode, lower-case, none empty) form its
 * public suffix under `psl`, per the format page: every rule that matches is noted (a rule
 * matches when, right-aligned, each of its labels equals the host's or is `*`); an exception
 * rule prevails over the others and counts one label less; else the rule with the most labels;
 * when none matches, the implicit rule `*` (one label).
 */
export function publicSuffixLength(labels, psl) {
  let longest = 1;  // the implicit "*"
  let exception = 0;
  const walk = (node, depth) => {
    if (node.rule === NORMAL) longest = Math.max(longest, depth);
    if (node.rule === EXCEPTION) exception = Math.max(exception, depth);
    if (depth === labels.length) return;
    const label = labels[labels.length - 1 - depth];
    const exact = node.children.get(label);
    if (exact) walk(exact, depth + 1);
    const any = node.children.get('*');
    if (any) walk(any, depth + 1);
  };
  walk(psl.root, 0);
  return exception ? exception - 1 : longest;
}

const cache = new Map();

/**
 * Reads and parses the list at `file` once per process (later calls with the same path get the
 * same object), adding `file` and `date` (the file's modification day, YYYY-MM-DD). Throws when
 * the file cannot be read or holds no rules.
 */
export function loadPublicSuffixList(file = DEBIAN_PSL) {
  if (cache.has(file)) return cache.get(file);
  const psl = parsePublicSuffixList(readFileSync(file, 'utf8'));
  if (!psl.rules) throw new Error(`${file}: no Public Suffix List rules in it`);
  psl.file = file;
  psl.date = statSync(file).mtime.toISOString().slice(0, 10);
  cache.set(file, psl);
  return psl;
}
