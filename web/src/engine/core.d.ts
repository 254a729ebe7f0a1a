// Headless core: pure functions over the wasm modules. `import { loadCore } from 'kelisim/core'`.

export type Action = 'none' | 'banner' | 'update-notice' | 'implicit-accept' | 'reprompt';
export type Reason =
  | 'no-record' | 'invalid-record' | 'other-policy' | 'current' | 'implicit-unacknowledged'
  | 'expired' | 'update-pending' | 'update-due' | 'update-explicit-rule' | 'update-material'
  | 'document-changed';
export type Method = 'explicit' | 'implicit';
export type Op = 'accept-all' | 'reject-all' | 'set' | 'withdraw' | 'accept-update' | 'notice-shown';

export interface CategorySpec {
  id: string;
  /** Always on; cannot be refused. @default false */
  required?: boolean;
  /** Off by default when the visitor sends Global Privacy Control. @default false */
  gpcOff?: boolean;
  /** The category's consent document in force (policies/README.md "Consent documents"): a
   *  choice turning the category on records the first 8 hex of `hash`; a stored choice made
   *  under another document is asked again (reason 'document-changed'). @default undefined */
  consent?: { id: string; version: string; hash: string; manifest?: string };
  [extra: string]: unknown;
}

export interface ServiceSpec { id: string; category: string; cookies?: string[]; [extra: string]: unknown }

/** The manifest fields the engine reads (manifest.json may carry more: title, texts…). */
export interface Manifest {
  id: string;
  version: string;
  /** SHA-256 of the canonical body, 64 lowercase hex. */
  bodyHash: string;
  /** ISO 8601 with an explicit offset, e.g. "2025-06-10T12:00:00+05:00". */
  publishedAt: string;
  /** @default { type: 'implicit', days: 7 } */
  updateRule?: { type: 'implicit'; days?: number } | { type: 'explicit' };
  /** The update adds consent purposes: ask again. @default false */
  material?: boolean;
  categories: CategorySpec[];
  /** Per-service consent (docs/services.md): at most 32, ids [a-z][a-z0-9-]{0,31}, each in one
   *  of the categories. Only the full module (kelisim-consent.wasm) takes a manifest with services. */
  services?: ServiceSpec[];
  /** @default { accepted: 365, rejected: 182 } */
  maxAgeDays?: { accepted?: number; rejected?: number };
  [extra: string]: unknown;
}

export type ChoiceMap = Record<string, boolean>;
/** Category id → first 8 hex of the consent document an "on" choice was given under. */
export type DocMap = Record<string, string>;

export interface Signals { /** @default false */ gpc?: boolean }

export interface Record_ {
  id: string; policyId: string; version: string; bodyHash16: string;
  /** Epoch ms, a whole number in [0, 253402300800000): before 10000-01-01T00:00Z, like every
   *  instant the core takes (`now`, `publishedAt`). encodeRecord refuses others; a stored value
   *  with another time does not decode. */
  givenAt: number; method: Method; choices: ChoiceMap;
  /** Consent documents the "on" choices were given under (encodeRecord: @default {}). */
  docs?: DocMap;
  noticeVersion: string;
  /** Epoch ms as for givenAt; 0 when no update notice was shown. */
  noticeAt: number;
  historyHead: string;
  /** The record's service marks (6 characters per service the visitor was asked about: a
   *  25-bit hash of its id in base 32, then 1|0); '' for a k1 record. */
  serviceMarks?: string;
}

export interface HistoryEntry {
  op: Op; at: number; version: string; method: Method; choices: ChoiceMap; docs: DocMap;
  prevHash: string; hash: string;
  /** Every service of the manifest, on/off after the change ({} without services). */
  services: ChoiceMap;
}

export interface Decision {
  action: Action;
  reason: Reason;
  /** Why the stored value was unusable ('ok' when it was fine or absent). */
  recordError: string;
  /** Epoch ms of the implicit-acceptance deadline, or null. */
  deadline: number | null;
  effective: ChoiceMap;
  prefill: ChoiceMap;
  /** Categories turned on under a consent document that has since been replaced: off in
   *  effective and prefill until asked again (with reason 'document-changed', the only ones
   *  asked). */
  pending: string[];
  /** Per-service states now, and the ones to preselect ({} without services). */
  services: ChoiceMap;
  servicesPrefill: ChoiceMap;
  /** implicit-accept only: the encoded record to store and its history entry. */
  record?: string;
  entry?: HistoryEntry;
}

export interface ApplyResult { record: string; decoded: Record_; entry: HistoryEntry }

export interface Core {
  decide(input: { manifest: Manifest; record?: string | null; now: number; signals?: Signals }): Decision;
  apply(input: {
    manifest: Manifest; record?: string | null; now: number; signals?: Signals;
    /** Category and service ids (Op 'set': a category sets all its services; a service on
     *  turns its category on). */
    op: Op; choices?: ChoiceMap; newId?: string; prevHash?: string;
  }): ApplyResult;
  /** Start of local day D+days+1 in the offset (DESIGN.md). offsetMinutes −840..840 and days
   *  0..366 (fractions truncated); anything else, or a non-number, throws 'bad-argument'. */
  deadline(publishedAtMs: number, offsetMinutes: number, days: number): number;
  encodeRecord(record: Record_): string;
  /** Never throws for bad input: { ok: false, error } instead. */
  decodeRecord(text: string | null | undefined): { ok: true; record: Record_ } | { ok: false; error: string };
  /** Parses "2025-06-10T12:00:00+05:00" → { ms, offsetMinutes }; throws KelisimError('manifest-invalid'). */
  parseInstant(iso: string): { ms: number; offsetMinutes: number };
}

/** The policy module's functions (see web/src/engine/policy.d.ts for their results). */
export interface PolicyFunctions {
  /** Safe HTML of a body (contents, clause anchors, only http/https/mailto links). */
  render(body: object | string, opts?: { lang?: string; idPrefix?: string; toc?: boolean; title?: boolean }): Promise<string>;
  /** Clauses containing every word of the query (ru/kk/en case-insensitive, ё = е). */
  search(body: object | string, query: string, opts?: { limit?: number }): Promise<Array<{ id: string; num: string; snippet: string }>>;
  /** Clause-aligned diff of two versions, word-level <ins>/<del> inside changed clauses. */
  diff(oldBody: object | string, newBody: object | string): Promise<{ summary: object; clauses: object[] }>;
  /** Lint findings of a policy source text (format 'json' → array; 'text' / 'text-ru' → lines). */
  lint(text: string | Uint8Array, opts?: { file?: string; format?: 'json' | 'text' | 'text-ru' }): Promise<unknown>;
  /** Policy source text → { body, header, problems }. */
  importText(text: string | Uint8Array): Promise<{ body: object; header: Record<string, string>; problems: unknown[] }>;
  /** The version of a built policy in force at an instant (its index.json; see policy.d.ts HistoryAnswer). */
  history(index: string | Uint8Array | object, at: string, opts?: { format?: 'json' | 'text' }): Promise<unknown>;
}

export interface LoadOptions {
  /** URL, bytes or compiled module of kelisim-consent.wasm (kelisim-consent-banner.wasm lacks
   *  deadline, parseInstant and encodeRecord: calling them throws 'wasm-missing-export').
   *  @default the copy in this package's dist/ */
  consentWasm?: string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module;
  /** URL, bytes or compiled module of the policy module. @default dist/kelisim-policy-tools.wasm of this
   *  package (the viewer's smaller kelisim-policy.wasm lacks lint and importText) */
  policyWasm?: string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module;
}

/** Consent functions are synchronous; the policy functions load kelisim-policy.wasm on first
 *  use (never on the banner path) and resolve with its results. */
export function loadCore(options?: LoadOptions): Promise<Core & PolicyFunctions & {
  /** The loaded policy module itself, for synchronous use after the first await. */
  policy(): Promise<unknown>;
}>;

/** The banner's subset (decide, apply, decodeRecord): what the page bundles use. */
export type ConsentCore = Pick<Core, 'decide' | 'apply' | 'decodeRecord'>;
/** `consentWasm` is required here (the page entries pass kelisim-consent-banner.wasm, which
 *  exports only these three, or a site's choice); loadCore's default is the full module. */
export function loadConsentCore(options: LoadOptions & Required<Pick<LoadOptions, 'consentWasm'>>): Promise<ConsentCore>;
