#!/usr/bin/env node
// kelisim CLI for Node (`npx kelisim …`): the same commands, output bytes and exit codes as the
// native tools/kelisim_cli.cpp, computed by kelisim-policy.wasm. This file only does I/O;
// every rule lives in wasm/policy/*.cpp behind the kel_* bridge. One command is Node-only:
// `kelisim scan` (web/src/cli/scan/, docs/auditing.md) drives a browser and is loaded only for it.
//
// Exit codes: 0 ok / no error-level findings, 1 error-level findings, 2 bad usage or input.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWasm } from '../engine/loader.js';
import { loadCore } from '../engine/core.js';
import { consentState } from '../testing/index.js';
import { preloadTags, inlineTags, bundleScript, bundleTags, isBundleTemplate } from './head-tags.js';

const HELP = `kelisim - privacy-policy and consent tools: import, lint, build, diff, hash, history,
consent-cookie, decode-cookie, scan

Usage:
  kelisim import <file> [--body] [-o <out>]
      Policy text (plain or Markdown-ish, optional \`key: value\` header) -> JSON
      {"body","header","problems"}; --body prints only the canonical body.json.
  kelisim lint <file|policy-dir>... [--json] [--lang en|ru]
      Findings as \`file:line:col: severity[code]: message\`, or one JSON array per file
      (one per line) with --json. Languages of one version (<v>.ru.md, <v>.kk.md, …)
      are also checked as translations of each other (one more JSON array per version).
      Exit 1 when any finding is an error.
  kelisim build <policies-dir> [-o <out-dir>] [--services <catalogue.json>]
                [--kelisim-url <url> --policies-url <url> [--bundle <dist-dir>]]
      Every <dir>/<id>/<version>.md or <version>.<lang>.md (or a single policy folder)
      -> <out-dir>/<id>/ index.json, manifest.json, feed.xml, <version>/manifest.json,
      <version>/body.json (body.<lang>.json per translation), <version>/diff.json;
      consent documents <id>/consent/<doc>/<version>.<lang>.md -> <id>/consent/<doc>/….
      Default out-dir: the input folder. Refuses sources with error-level findings (exit 1).
      \`category.<id>.services\` ids are looked up in the services catalogue (default:
      services/catalogue.json in the current folder, else the one kelisim ships with).
      With --kelisim-url (where the page serves kelisim's dist/ files) and --policies-url
      (where it serves <out-dir>): also <out-dir>/<id>/preload.html, the tags for the
      page's <head> that request the banner's manifest and stylesheet with the page, and
      <out-dir>/<id>/inline.html, the same with the manifest itself in the page (fastest).
      With --bundle (kelisim's dist/ folder, which holds kelisim-bundled.js): also
      <out-dir>/<id>/kelisim-bundle.js, kelisim.js with the manifest and the banner's
      stylesheet in one file, and <out-dir>/<id>/bundle.html, its one script tag.
  kelisim diff <old> <new> [--json]
      What changed between two versions (sources or body.json files): summary and
      word changes as [-removed-]{+added+}; --json prints the full diff JSON.
  kelisim hash <file>...
      SHA-256 of the canonical body of each source or body.json (what manifests carry).
  kelisim history <built-policy-dir | index.json> --at <ISO instant> [--json]
      The version in force at that instant (publication vs effective dates).
      Exit 1 when no version was in force then.
  kelisim consent-cookie --manifest <manifest.json> (--all | --none | --accept <cat>[,<cat>…]
                         [--reject <cat>…]) [--at <ISO instant>] [--id <record id>]
      The record value the banner stores (cookie \`kelisim\`, localStorage) after that choice:
      --all = Accept all, --none = Reject all, --accept/--reject = Save with these switches
      (other optional categories off). Made by the consent core; for tests and audit tools
      that preset consent (docs/testing.md). Default --at: now; default --id: random.
  kelisim decode-cookie <value>
      The record a stored value holds, as JSON (id, policyId, version, bodyHash16, givenAt,
      method, choices, docs, noticeVersion, noticeAt, historyHead, serviceMarks). Exit 1
      when it is not a valid record (the reason, e.g. record-checksum, on stderr).
  kelisim scan <url> [--pages N] [--out <dir>] [--lang en|ru]
      (Node CLI only: npx kelisim scan.) Audits a site in headless Chromium: cookies,
      storage and third-party requests with no choice, after "reject all" and after "accept
      all"; report.json and report.html; exit 1 on violations. kelisim scan --help: options.

Exit codes: 0 ok, 1 error-level lint findings, 2 bad usage or unreadable/invalid input.
`;

/** A failure that ends the command with exit code 2 (or `code`). */
class CliError extends Error {
  constructor(message, usage = false) {
    super(message);
    this.usage = usage;
  }
}
const usage = (msg) => new CliError(msg, true);

const out = (s) => process.stdout.write(s);
const utf8 = new TextDecoder();  // WHATWG repair: the same bytes the core's sanitizer makes

function readBytes(file) {
  let st;
  try { st = statSync(file); } catch { throw new CliError(`${file}: cannot read file`); }
  if (st.isDirectory()) throw new CliError(`${file}: is a directory`);
  try { return new Uint8Array(readFileSync(file)); } catch { throw new CliError(`${file}: cannot read file`); }
}
function writeText(file, text) {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch { throw new CliError(`${file}: cannot write file`); }
}

/** The wasm call, with core errors (bad input) turned into exit-2 failures. */
function call(wasm, where, name, ...args) {
  try {
    return wasm.call(name, ...args);
  } catch (e) {
    throw new CliError(where ? `${where}: ${e.message}` : e.message);
  }
}

// Options that take a value; --accept and --reject may repeat (and take comma lists).
const VALUE_FLAGS = ['-o', '--out', '--lang', '--at', '--manifest', '--id', '--accept', '--reject', '--services', '--kelisim-url', '--policies-url', '--bundle'];

function parseArgs(argv) {
  const a = { pos: [], flags: [], outPath: '', lang: 'en', at: '', manifest: '', id: '', services: '', 'kelisim-url': '', 'policies-url': '', bundle: '', accept: [], reject: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '-h' || s === '--help') a.help = true;
    else if (VALUE_FLAGS.includes(s)) {
      if (i + 1 >= argv.length) throw usage(`${s} needs a value`);
      const v = argv[++i];
      if (s === '--accept' || s === '--reject') a[s.slice(2)].push(...v.split(',').filter(Boolean));
      else if (s === '-o' || s === '--out') a.outPath = v;
      else a[s.slice(2)] = v;
    } else if (s.length > 1 && s[0] === '-') a.flags.push(s);
    else a.pos.push(s);
  }
  return a;
}
function onlyFlags(a, allowed) {
  for (const f of a.flags) if (!allowed.includes(f)) throw usage(`unknown option ${f}`);
}

function cmdImport(wasm, a) {
  onlyFlags(a, ['--body']);
  if (a.pos.length !== 1) throw usage('import needs exactly one <file>');
  const file = a.pos[0];
  let json = call(wasm, file, 'kel_import', readBytes(file));
  // nlohmann's dump and JSON.stringify agree byte for byte on these (sorted keys as parsed,
  // same escapes, integers only).
  if (a.flags.includes('--body')) json = JSON.stringify(JSON.parse(json).body);
  json += '\n';
  if (a.outPath) writeText(a.outPath, json); else out(json);
  return 0;
}

function cmdLint(wasm, a) {
  onlyFlags(a, ['--json']);
  if (a.lang !== 'en' && a.lang !== 'ru') throw usage('--lang must be en or ru');
  if (!a.pos.length) throw usage('lint needs at least one <file>');
  const format = a.flags.includes('--json') ? 'json' : a.lang === 'ru' ? 'text-ru' : 'text';
  const files = [];
  for (const arg of a.pos) {
    // A policy folder: its sources, sorted by name (as the native CLI lists them).
    const names = isDir(arg) ? sourcesIn(arg).map((f) => path.join(arg, path.basename(f))) : [arg];
    if (isDir(arg) && !names.length) throw new CliError(`${arg}: no policy sources (<version>.md) in this folder`);
    for (const file of names) files.push([file, readBytes(file)]);  // raw bytes: invalid UTF-8 reaches the core
  }
  let at = 0;
  const all = new Uint8Array(files.reduce((n, [, b]) => n + b.length, 0));
  for (const [, b] of files) { all.set(b, at); at += b.length; }
  const names = JSON.stringify(files.map(([name, b]) => [name, b.length]));
  const r = JSON.parse(call(wasm, '', 'kel_lint_sources', names, all, format));
  out(r.out);
  return r.errors ? 1 : 0;
}

function isDir(p) {
  try { return statSync(p).isDirectory(); } catch { return false; }
}
/** Source files of one policy folder, sorted by name (as the native CLI sorts paths). */
function sourcesIn(dir) {
  let names;
  try { names = readdirSync(dir, { withFileTypes: true }); } catch { return []; }
  return names
    .filter((d) => d.isFile() && (d.name.endsWith('.md') || d.name.endsWith('.txt')) && d.name !== 'README.md')
    .map((d) => path.join(dir, d.name))
    .sort(byteOrder);
}
function byteOrder(x, y) {
  return Buffer.compare(Buffer.from(x), Buffer.from(y));
}
/** Absolute, normalised folder path without a trailing separator. */
const absDir = (p) => path.resolve(p);
/** "dir/" -> "dir", "./a//b" -> "a/b" (what std::filesystem's lexically_normal keeps). */
function normal(p) {
  let n = path.normalize(p);
  if (n.length > 1 && n.endsWith(path.sep)) n = n.slice(0, -1);
  return n;
}

/** Consent document sources of one policy folder (<dir>/consent/<doc>/<version>[.<lang>].md) as
 *  [path, name for the build "<slug>/consent/<doc>/<file>"], sorted as the native CLI sorts. */
function consentSourcesIn(dir, slug) {
  const root = path.join(dir, 'consent');
  let docs;
  try { docs = readdirSync(root, { withFileTypes: true }); } catch { return []; }
  return docs.filter((d) => d.isDirectory()).map((d) => d.name).sort(byteOrder)
    .flatMap((doc) => sourcesIn(path.join(root, doc)).map((f) => [f, `${slug}/consent/${doc}/${path.basename(f)}`]));
}

function cmdBuild(wasm, a) {
  onlyFlags(a, []);
  if (a.pos.length !== 1) throw usage('build needs exactly one <policies-dir>');
  if (!a['kelisim-url'] !== !a['policies-url']) throw usage('--kelisim-url and --policies-url go together');
  if (a.bundle && !a['kelisim-url']) throw usage('--bundle needs --kelisim-url and --policies-url');
  const dec = (f) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(readBytes(path.join(a.bundle, f)));
  const [template, css] = a.bundle ? [dec('kelisim-bundled.js'), dec('kelisim-banner.css')] : [];
  if (a.bundle && !isBundleTemplate(template)) throw new CliError(`${path.join(a.bundle, 'kelisim-bundled.js')}: not kelisim's bundle template (its first line is a byte order mark and //# allFunctionsCalledOnLoad)`);
  const root = normal(a.pos[0]);
  if (!isDir(root)) throw new CliError(`${root}: not a directory`);
  let outRoot = a.outPath || root;
  let dirs = [];
  if (sourcesIn(root).length) {
    dirs.push(root);
    if (!a.outPath) {
      const base = path.basename(root);
      const cut = root.lastIndexOf('/');
      outRoot = cut > 0 ? root.slice(0, cut) : cut === 0 ? '/' : '';
      if (!outRoot || base === '.' || base === '..') outRoot = path.dirname(absDir(root));
    }
  } else {
    dirs = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && sourcesIn(path.join(root, d.name)).length)
      .map((d) => path.join(root, d.name))
      .sort(byteOrder);
  }
  if (!dirs.length) throw new CliError(`${root}: no policy sources (<id>/<version>.md) found`);
  // The services catalogue (issue 12): --services, else services/catalogue.json here or in
  // the package. Only needed when a policy declares services.
  let catalogue = '';
  if (a.services) catalogue = utf8.decode(readBytes(a.services));
  else {
    for (const p of ['services/catalogue.json', fileURLToPath(new URL('../../../services/catalogue.json', import.meta.url))]) {
      try { catalogue = readFileSync(p, 'utf8'); break; } catch { /* next */ }
    }
  }
  let status = 0;
  for (const dir of dirs) {
    const slug = path.basename(absDir(dir));
    const sources = [];
    let lintErrors = false;
    const files = [...sourcesIn(dir).map((f) => [f, `${slug}/${path.basename(f)}`]), ...consentSourcesIn(dir, slug)];
    for (const [f, name] of files) {
      const bytes = readBytes(f);
      const findings = JSON.parse(call(wasm, f, 'kel_lint', f, bytes, 'json'));
      if (findings.some((x) => x.severity === 'error')) {
        const text = call(wasm, f, 'kel_lint', f, bytes, 'text');
        process.stderr.write(text.split('\n').filter((l) => l.includes(': error[')).map((l) => l + '\n').join(''));
        lintErrors = true;
      }
      sources.push([name, utf8.decode(bytes)]);
    }
    if (lintErrors) {
      process.stderr.write(`kelisim: ${slug}: not built (error-level findings above)\n`);
      status = 1;
      continue;
    }
    const built = JSON.parse(call(wasm, '', 'kel_build', JSON.stringify(catalogue ? { files: sources, services: catalogue } : sources)));
    const target = path.join(outRoot, slug);
    for (const [p, content] of built) writeText(path.join(target, p), content);
    const versions = built.filter(([p]) => !p.startsWith('consent/') && p.endsWith('/manifest.json')).length;
    const docs = built.filter(([p]) => p.startsWith('consent/') && p.endsWith('/index.json')).length;
    out(`built ${slug}: ${versions} version(s)${docs ? `, ${docs} consent document(s)` : ''} -> ${target}\n`);
    if (a['kelisim-url']) {
      const file = path.join(target, 'preload.html');
      writeText(file, preloadTags(a['kelisim-url'], a['policies-url'], slug));
      out(`preload tags for ${slug}'s pages -> ${file}\n`);
      const inline = path.join(target, 'inline.html');
      const manifest = built.find(([p]) => p === 'manifest.json')[1];
      writeText(inline, inlineTags(a['kelisim-url'], a['policies-url'], slug, manifest));
      out(`tags with the manifest in the page -> ${inline}\n`);
      if (a.bundle) {
        const js = path.join(target, 'kelisim-bundle.js');
        writeText(js, bundleScript(template, css, manifest, a['kelisim-url'], a['policies-url'], slug));
        const tag = path.join(target, 'bundle.html');
        writeText(tag, bundleTags(css, a['policies-url'], slug));
        out(`one file with the manifest and the stylesheet -> ${js}, its tag -> ${tag}\n`);
      }
    }
  }
  return status;
}

/** Body JSON text (bytes for body.json files as they are) of a source or body.json file. */
function bodyOf(wasm, file) {
  const bytes = readBytes(file);
  if (file.endsWith('.json')) return bytes;
  return JSON.stringify(JSON.parse(call(wasm, file, 'kel_import', bytes)).body);
}

const ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const TAGS = { '<ins>': '{+', '</ins>': '+}', '<del>': '[-', '</del>': '-]' };
/** <ins>/<del> HTML -> git-style word diff text; entities unescaped, other tags dropped. */
function htmlToText(h) {
  let o = '';
  for (let i = 0; i < h.length;) {
    if (h[i] === '<') {
      const e = h.indexOf('>', i);
      if (e < 0) break;
      o += TAGS[h.slice(i, e + 1)] || '';
      i = e + 1;
    } else if (h[i] === '&') {
      const ent = Object.keys(ENTITIES).find((k) => h.startsWith(k, i));
      if (ent) { o += ENTITIES[ent]; i += ent.length; } else o += h[i++];
    } else {
      o += h[i++];
    }
  }
  return o;
}
const joinNums = (v) => (v.length ? v.join(', ') : '-');

function cmdDiff(wasm, a) {
  onlyFlags(a, ['--json']);
  if (a.pos.length !== 2) throw usage('diff needs <old> and <new>');
  const oldBody = bodyOf(wasm, a.pos[0]);
  const newBody = bodyOf(wasm, a.pos[1]);
  let json;
  try {
    json = wasm.call('kel_diff', oldBody, newBody);
  } catch (e) {
    // "old body: …" / "new body: …" name the side; add the file like the native CLI does.
    const side = /^old/.test(e.message) ? a.pos[0] : a.pos[1];
    throw new CliError(`${side}: ${e.message.replace(/^(old|new) /, '')}`);
  }
  if (a.flags.includes('--json')) {
    out(json + '\n');
    return 0;
  }
  const d = JSON.parse(json);
  const s = d.summary;
  let text = `added: ${joinNums(s.added)}\nremoved: ${joinNums(s.removed)}\nchanged: ${joinNums(s.changed)}\nmoved: ${joinNums(s.moved)}\n`;
  for (const c of d.clauses) {
    if (c.status === 'same') continue;
    let label = c.num ? c.num : '(text outside clauses)';
    if (c.oldNum) label += ` (was ${c.oldNum})`;
    text += `\n${c.status} ${label}: ${htmlToText(c.html)}\n`;
  }
  out(text);
  return 0;
}

function cmdHash(wasm, a) {
  onlyFlags(a, []);
  if (!a.pos.length) throw usage('hash needs at least one <file>');
  for (const file of a.pos) {
    const bytes = readBytes(file);
    const hex = file.endsWith('.json')
      ? JSON.parse(call(wasm, file, 'kel_parse_body', bytes)).hash
      : call(wasm, file, 'kel_body_hash', bytes);
    out(`${hex}  ${file}\n`);
  }
  return 0;
}

function cmdHistory(wasm, a) {
  onlyFlags(a, ['--json']);
  if (a.pos.length !== 1) throw usage('history needs exactly one <built-policy-dir> (or its index.json)');
  if (!a.at) throw usage('history needs --at <ISO instant>');
  const index = isDir(a.pos[0]) ? path.join(a.pos[0], 'index.json') : a.pos[0];
  const bytes = readBytes(index);
  const json = a.flags.includes('--json');
  let result;
  try {
    result = wasm.call('kel_history', bytes, a.at, json ? 'json' : 'text');
  } catch (e) {
    if (e.code === 'bad-argument') throw usage(e.message);
    throw new CliError(`${index}: ${e.message}`);
  }
  out(json ? result + '\n' : result);
  const found = JSON.parse(json ? result : wasm.call('kel_history', bytes, a.at, 'json')).version !== null;
  return found ? 0 : 1;
}

/** --all / --none / --accept … --reject … as consentState's choices; usage errors otherwise. */
function choicesOf(a) {
  const all = a.flags.includes('--all');
  const none = a.flags.includes('--none');
  const some = a.accept.length + a.reject.length > 0;
  if (all + none + some !== 1) throw usage('consent-cookie needs exactly one of --all, --none, or --accept/--reject');
  if (all) return 'all';
  if (none) return 'none';
  const c = {};
  for (const id of a.accept) c[id] = true;
  for (const id of a.reject) {
    if (c[id]) throw usage(`category ${id} is both accepted and rejected`);
    c[id] = false;
  }
  return c;
}

async function cmdConsentCookie(a) {
  onlyFlags(a, ['--all', '--none']);
  if (a.pos.length) throw usage(`consent-cookie takes no file arguments (use --manifest <file>)`);
  if (!a.manifest) throw usage('consent-cookie needs --manifest <manifest.json>');
  const choices = choicesOf(a);
  const core = await loadCore();
  let at;
  if (a.at) {
    try { at = core.parseInstant(a.at).ms; } catch { throw usage(`--at ${a.at} is not an ISO 8601 instant with an offset (e.g. 2026-01-01T00:00:00Z)`); }
  }
  let manifest;
  try { manifest = JSON.parse(utf8.decode(readBytes(a.manifest))); } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${a.manifest}: not JSON (${e.message})`);
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) throw new CliError(`${a.manifest}: not a policy manifest (a JSON object)`);
  try {
    const s = await consentState({ manifest, choices, at, id: a.id || undefined, storage: 'cookie' });
    out(s.record + '\n');
  } catch (e) {
    if (e && e.code) throw new CliError(`${a.manifest}: ${e.message.replace(/^kelisim(\/testing)?: /, '')}`);
    throw e;
  }
  return 0;
}

async function cmdDecodeCookie(a) {
  onlyFlags(a, []);
  if (a.pos.length !== 1) throw usage('decode-cookie needs exactly one <value>');
  const d = (await loadCore()).decodeRecord(a.pos[0]);
  if (!d.ok) {
    process.stderr.write(`kelisim: not a valid record: ${d.error}\n`);
    return 1;
  }
  out(JSON.stringify(d.record) + '\n');
  return 0;
}

const COMMANDS = { import: cmdImport, lint: cmdLint, build: cmdBuild, diff: cmdDiff, hash: cmdHash, history: cmdHistory };
// Commands over the consent module (kelisim-consent.wasm) instead of the policy module.
const CONSENT_COMMANDS = { 'consent-cookie': cmdConsentCookie, 'decode-cookie': cmdDecodeCookie };

/** Runs the CLI on argv (without node and the script); returns the exit code. */
export async function main(argv, { wasmSource } = {}) {
  try {
    if (!argv.length) throw usage('missing command');
    const cmd = argv[0];
    if (cmd === '-h' || cmd === '--help' || cmd === 'help') {
      out(HELP);
      return 0;
    }
    // The audit drives a browser, not the wasm; its modules load only for this command.
    if (cmd === 'scan') return (await import('./scan/index.js')).runScan(argv.slice(1));
    const a = parseArgs(argv.slice(1));
    if (a.help) {
      out(HELP);
      return 0;
    }
    if (CONSENT_COMMANDS[cmd]) return await CONSENT_COMMANDS[cmd](a);
    const run = COMMANDS[cmd];
    if (!run) throw usage(`unknown command \`${cmd}\``);
    const wasm = await loadWasm(wasmSource || new URL('../../../dist/kelisim-policy-tools.wasm', import.meta.url));
    return run(wasm, a);
  } catch (e) {
    if (!(e instanceof CliError) && e?.code !== 'wasm-load') throw e;
    process.stderr.write(`kelisim: ${e.message}\n${e.usage ? 'Run `kelisim --help` for usage.\n' : ''}`);
    return 2;
  }
}

// Run when executed directly (also through the npm bin symlink).
const self = fileURLToPath(import.meta.url);
let invoked = process.argv[1] || '';
try { invoked = realpathSync(invoked); } catch { /* not a file */ }
if (invoked === self) process.exitCode = await main(process.argv.slice(2));
