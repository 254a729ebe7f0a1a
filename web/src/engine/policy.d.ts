// The policy module facade (web/src/engine/policy.js): pure functions over kelisim-policy.wasm.
// Loaded lazily; never on the banner path.

/** Inline run of body format 1 (docs/body-format.md). */
export type Inline = string | { em: Inline[] } | { strong: Inline[] } | { a: Inline[]; href: string };
export type BodyNode =
  | { k: 'clause'; num: string; id?: string; line?: number; title?: Inline[]; children?: BodyNode[] }
  | { k: 'h' | 'p'; c: Inline[]; line?: number }
  | { k: 'ul'; items: Inline[][]; line?: number };
export interface Body { format: 1; title: string; children: BodyNode[] }

/** Body JSON text, its raw UTF-8 bytes, or the parsed object. */
export type BodyInput = string | Uint8Array | Body;

export interface RenderOptions {
  /** Language of the contents label: 'ru' Содержание, 'kk' Мазмұны, anything else Contents. @default 'ru' */
  lang?: string;
  /** Prepended to every id and clause link (A-Z a-z 0-9 _ - only). @default '' */
  idPrefix?: string;
  /** Write the contents <nav>. @default true */
  toc?: boolean;
  /** Write the body title as <h2>. @default true */
  title?: boolean;
}

export interface SearchOptions {
  /** Most results (0 = the default). @default 50 */
  limit?: number;
}

export interface SearchHit {
  /** Anchor id, e.g. "p-4.1.5". */
  id: string;
  num: string;
  /** HTML: escaped text around the first hit, hits in <mark>. */
  snippet: string;
}

export type DiffStatus = 'same' | 'added' | 'removed' | 'changed' | 'moved';
export interface DiffClause {
  /** Number in the new version (the old one for removed clauses); '' = text outside clauses. */
  num: string;
  /** "p-" + num when num is set. */
  id?: string;
  /** Number in the old version when it differs (moved, or renumbered and changed). */
  oldNum?: string;
  status: DiffStatus;
  /** HTML: escaped text; added in <ins>, removed in <del>, changed word by word. */
  html: string;
}
export interface DiffResult {
  summary: { added: string[]; removed: string[]; changed: string[]; moved: string[]; unnumbered: number };
  clauses: DiffClause[];
}

export interface LintFinding {
  severity: 'error' | 'warning' | 'info';
  code: string;
  clause: string;
  line: number;
  col: number;
  message: { en: string; ru: string };
}

export interface LintOptions {
  /** File name printed in text output. @default 'policy.md' */
  file?: string;
  /** 'json' returns findings; 'text' / 'text-ru' return compiler-style lines. @default 'json' */
  format?: 'json' | 'text' | 'text-ru';
}

export interface PolicyModule {
  /** Validates a body. Throws KelisimError('bad-input') naming what and where. */
  parse(body: BodyInput): { format: 1; title: string; clauses: number; hash: string };
  /** Safe HTML for innerHTML (only http/https/mailto/clause links; no inline styles or handlers). */
  render(body: BodyInput, opts?: RenderOptions): string;
  /** Clauses containing every word of `query` (case-insensitive ru/kk/en, ё = е), in document order. */
  search(body: BodyInput, query: string | Uint8Array, opts?: SearchOptions): SearchHit[];
  /** Clause-aligned, word-level diff of two versions. */
  diff(oldBody: BodyInput, newBody: BodyInput): DiffResult;
  lint(text: string | Uint8Array, opts?: LintOptions & { format?: 'json' }): LintFinding[];
  lint(text: string | Uint8Array, opts: LintOptions & { format: 'text' | 'text-ru' }): string;
  /** Policy source text -> { body, header, problems }. */
  importText(text: string | Uint8Array): { body: Body; header: Record<string, string>; problems: { line: number; col: number; code: string; message: string }[] };
  /** Canonical body hash (64 hex) of a policy source text. */
  bodyHash(text: string | Uint8Array): string;
  /** Builds one policy from its version sources: [[path, text], …] -> [[path, content], …]. */
  build(files: [string, string][]): [string, string][];
  /** `kelisim lint` over several sources: each on its own, then the languages of one version
   *  (`<v>.ru.md`, `<v>.kk.md`, …) as translations. Tools build only. */
  lintSources(files: [string, string][], opts?: { format?: 'json' | 'text' | 'text-ru' }): { errors: boolean; out: string };
  /** The version of a built policy in force at `at` (ISO 8601 with an offset), from its index.json. */
  history(index: string | Uint8Array | object, at: string, opts?: { format?: 'json' }): HistoryAnswer;
  history(index: string | Uint8Array | object, at: string, opts: { format: 'text' }): string;
  /** Drops the parsed bodies the module keeps between calls. */
  forget(): void;
}

export interface HistoryAnswer {
  /** The version in force; null when none was (before the first took effect). */
  version: string | null;
  publishedAt: string | null;
  effectiveAt: string | null;
  /** false when the version's date is unknown: it may not have been published yet then. */
  certain: boolean;
  /** The latest version published at `at` but not yet in force. */
  pending: { version: string; publishedAt: string | null; effectiveAt: string | null } | null;
  id: string;
  at: string;
}

/** Loads a policy module (URL, bytes or compiled module; default: dist/kelisim-policy-tools.wasm
 *  next to this package). The viewer's kelisim-policy.wasm has parse, render, search, diff and
 *  history only: lint, lintSources, importText, bodyHash and build throw 'wasm-missing-export'. */
export function loadPolicyModule(source?: string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module): Promise<PolicyModule>;

/** Wraps an already-loaded policy WasmModule (web/src/engine/loader.js). */
export function createPolicyModule(wasm: unknown): PolicyModule;
