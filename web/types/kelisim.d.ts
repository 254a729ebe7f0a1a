// Type declarations for `import { createKelisim } from 'kelisim'` and `window.kelisim`
// (the script tag). Hand-written; every option documents its default.

export type CategoryId = string;
export type ChoiceMap = Record<CategoryId, boolean>;
export type Lang = 'ru' | 'kk' | 'en';

/** Keys of the visitor-facing strings; any of them can be overridden per language. */
export type StringKey =
  | 'title' | 'text' | 'policy' | 'acceptAll' | 'rejectAll' | 'settings'
  | 'prefsTitle' | 'prefsText' | 'save' | 'close' | 'alwaysOn' | 'withdraw' | 'withdrawn'
  | 'reloadText' | 'reload' | 'dismiss' | 'errorText'
  // embed placeholders and chat launchers (docs/embeds.md, "Options and strings")
  | 'embedVideo' | 'embedMap' | 'embedWidget' | 'embedChat' | 'embedPost' | 'embedOther'
  | 'embedFrom' | 'embedVendor' | 'embedCountry' | 'embedNothing' | 'embedLoadOnce' | 'embedAllow'
  | 'embedPolicy' | 'embedOpen' | 'embedNewTab' | 'embedNotSaved' | 'chatFrom' | 'chatWaits' | 'chatClose'
  | `category.${string}.title` | `category.${string}.description`;

export type Strings = Partial<Record<StringKey, string>>;

export interface CookieOptions {
  /** Cookie name; also the localStorage key. @default 'kelisim' */
  name?: string;
  /** Domain attribute, e.g. '.example.kz' to share the choice across subdomains. @default undefined (host-only) */
  domain?: string;
  /** @default '/' */
  path?: string;
  /** @default 'Lax' */
  sameSite?: 'Lax' | 'Strict' | 'None';
  /** @default true on https pages, false otherwise (always true with sameSite 'None') */
  secure?: boolean;
  /** Cookie lifetime in days. The consent's own expiry (365 days accepted, 182 rejected by
   *  default) is decided by the policy manifest, not by the cookie. @default 400 */
  maxAgeDays?: number;
}

export interface ConsentModeOptions {
  /** Category id → Google Consent Mode v2 signals it grants.
   *  @default { analytics: ['analytics_storage'], marketing: ['ad_storage', 'ad_user_data', 'ad_personalization'], functional: ['functionality_storage', 'personalization_storage'] } */
  map?: Record<CategoryId, string | string[]>;
  /** `wait_for_update` of the default command, ms. @default 500 */
  waitForUpdate?: number;
}

/** The module a site may provide as the policy viewer (`viewer` option). */
export interface ViewerModule {
  open(ctx: {
    manifest: Record<string, unknown>; manifestUrl: string; policyUrl: string | null; lang: Lang;
    clause: string | null; controller: Kelisim; root: HTMLElement; t: (key: StringKey) => string;
  }): unknown;
}

export interface KelisimOptions {
  /** URL of the policy version's manifest.json, the manifest object itself, or `#id`: the
   *  manifest in the page, in `<script type="application/json" id="id" data-url="…/manifest.json">`
   *  (what `kelisim build … --kelisim-url --policies-url` writes to inline.html). Required.
   *  Script tag: `data-policy`. @default undefined */
  policy: string | URL | Record<string, unknown>;
  /** The consent module: a URL, bytes or a compiled module. Either build works: the banner build
   *  kelisim-consent-banner.wasm (only what the page calls) or the full kelisim-consent.wasm.
   *  @default kelisim-consent-banner.wasm next to kelisim.js / kelisim.mjs */
  consentWasm?: string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module;
  /** The module receipts check the history's hash chain with (kelisim-consent-receipt.wasm),
   *  loaded only by receipt(). @default kelisim-consent-receipt.wasm next to kelisim.js / kelisim.mjs */
  receiptWasm?: string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module;
  /** UI language. Script tag: `data-lang`. @default from <html lang>, then navigator.languages, then the manifest's lang, then 'en' */
  lang?: Lang;
  /** Language when none of the above is ru/kk/en. @default the manifest's `lang`, else 'en' */
  fallbackLang?: Lang;
  /** Site overrides of any string: `{ ru: { title: '…' }, en: {…} }`, or flat `{ title: '…' }` for every language. @default {} */
  strings?: Partial<Record<Lang, Strings>> & Strings;
  /** First-layer layout. Script tag: `data-layout`. @default 'bar' */
  layout?: 'bar' | 'box';
  /** Colour scheme. Script tag: `data-theme`. @default 'auto' (follows prefers-color-scheme) */
  theme?: 'auto' | 'light' | 'dark';
  /** Where the choice is kept; when a store fails the others (or memory) take over.
   *  Script tag: `data-storage`. @default 'both' */
  storage?: 'both' | 'cookie' | 'localStorage' | 'memory';
  /** Script tag: `data-cookie-name`, `data-cookie-domain`, `data-cookie-path`,
   *  `data-cookie-same-site`, `data-cookie-max-age-days`. @default {} */
  cookie?: CookieOptions;
  /** Cookies to delete when a category is turned off (names, `*` wildcards, or RegExps), in
   *  addition to the manifest's `categories[].cookies`. @default {} */
  cookies?: Record<CategoryId, Array<string | RegExp>>;
  /** Show the banner by itself when the core says so. Script tag: `data-auto-show`. @default true */
  autoShow?: boolean;
  /** Run `<script type="text/plain" data-kelisim-category>` once allowed. Script tag: `data-gating`. @default true */
  gating?: boolean;
  /** Pass `navigator.globalPrivacyControl` to the core (categories with `gpcOff` default off).
   *  Script tag: `data-respect-gpc`. @default true */
  respectGpc?: boolean;
  /** Google Consent Mode v2 bridge: `denied` defaults at start-up, an update on every choice.
   *  Script tag: `data-consent-mode="true"`. @default false */
  consentMode?: boolean | ConsentModeOptions;
  /** Policy page URL used by the policy link when there is no viewer. @default the manifest's policyUrl */
  policyUrl?: string;
  /** The policy viewer: a module URL, or a function returning the module (`() => import('…')`);
   *  null for none (the policy link then opens `policyUrl`). @default kelisim-viewer.mjs next to the bundle once it is built, else null */
  viewer?: string | URL | (() => Promise<ViewerModule>) | null;
  /** Stylesheet to inject (ESM only; the script tag injects kelisim.css next to itself unless
   *  `data-css="false"`). @default undefined (ESM), the kelisim.css next to kelisim.js (script tag) */
  css?: string | URL;
  /** Element the UI is appended to. @default document.body */
  root?: HTMLElement;
  /** Report to this URL (a consent ledger such as kelisim-server's `/v1/events`; format in
   *  docs/ledger.md §1): one change event per history entry (its id is the entry hash) and one
   *  display event each time the banner, the preferences dialog or an update notice is shown.
   *  Queued in localStorage synchronously, sent in batches (a JSON array of up to 50 events as
   *  `text/plain`, so no CORS preflight; no credentials cross-origin), removed once answered
   *  2xx, retried with backoff while offline or refused with 429/503; the sender is
   *  kelisim-receipt.mjs, loaded when there is an event to send. Script tag: `data-report-url`.
   *  @default undefined (no reporting) */
  reportUrl?: string | URL;
  /** The module that builds receipts and sends reported events (loaded only for `receipt()`
   *  and while reported events wait to be sent): a URL or a function returning it.
   *  @default kelisim-receipt.mjs next to kelisim.js / kelisim.mjs */
  receiptModule?: string | URL | (() => Promise<unknown>);
  /** The banner's second layer: the preferences dialog and its strings (loaded once the
   *  banner is visible and the page idle, on the first settings click, and for a withdrawal or
   *  reload notice): a URL or a function returning it, e.g.
   *  `() => import('kelisim/kelisim-more.mjs')` to let your bundler split it.
   *  @default kelisim-more.mjs next to kelisim.js / kelisim.mjs */
  moreModule?: string | URL | (() => Promise<unknown>);
  /** The report outbox, which builds and queues each consent event for `reportUrl` (loaded at
   *  start when `reportUrl` is set, never without it): a URL or a function returning it, e.g.
   *  `() => import('kelisim/kelisim-report.mjs')`.
   *  @default kelisim-report.mjs next to kelisim.js / kelisim.mjs */
  reportModule?: string | URL | (() => Promise<unknown>);
  /** Embed placeholders and chat launchers (docs/embeds.md): loaded only when the page has an
   *  element with `data-kelisim-src` or `data-kelisim-chat`; a URL or a function returning it,
   *  e.g. `() => import('kelisim/kelisim-embeds.mjs')`.
   *  @default kelisim-embeds.mjs next to kelisim.js / kelisim.mjs */
  embedsModule?: string | URL | (() => Promise<unknown>);
  /** The placeholders' stylesheet, given to each placeholder frame and, with chat launchers, to
   *  the page.
   *  @default kelisim-embeds.css next to the embeds module */
  embedsCss?: string;
  /** Show the policy-update notice when the core says `update-notice`, and the one-time
   *  notice after an implicit acceptance. @default true */
  updateNotice?: boolean;
  /** The update-notice module: a URL or a function returning it; null for none.
   *  @default kelisim-notice.mjs next to the viewer, else null */
  noticeModule?: string | URL | (() => Promise<unknown>) | null;
  /** Stylesheet for the update notices. @default kelisim-viewer.css next to the notice module */
  viewerCss?: string | URL;
  /** Let `?kelisim=accept-all|reject-all|none` in the page URL decide for that page view, for the
   *  site's own end-to-end tests (docs/testing.md): nothing is stored, nothing is reported,
   *  `receipt()` is null and `state().override` names it; `none` shows nothing and allows only
   *  required categories. Only `true` turns it on. Script tag: `data-test-overrides="true"`.
   *  @default false */
  testOverrides?: boolean;
}

export interface KelisimState {
  /** 'loading' until the decision is made; 'error' when start-up failed (fail closed). */
  status: 'loading' | 'ready' | 'error';
  lang: Lang;
  policyId: string | null;
  version: string | null;
  /** What the core decided at the last (re)decision. */
  action: 'none' | 'banner' | 'update-notice' | 'implicit-accept' | 'reprompt' | null;
  reason: string | null;
  /** Epoch ms from which continued use counts as accepting the update, or null. */
  deadline: number | null;
  /** A valid stored choice exists for this policy. */
  decided: boolean;
  recordId: string | null;
  method: 'explicit' | 'implicit' | null;
  givenAt: number | null;
  /** Every category's effective on/off (required ones on; all off until ready). */
  choices: ChoiceMap;
  /** Every declared service's effective on/off (docs/services.md); {} when the policy has none. */
  services: ChoiceMap;
  /** Stores currently working, e.g. ['cookie', 'localStorage'] or ['memory']. */
  storage: Array<'cookie' | 'localStorage' | 'memory'>;
  error: { code: string; message: string } | null;
  /** The test override deciding this page view (`testOverrides` and `?kelisim=…`), else null. */
  override: 'accept-all' | 'reject-all' | 'none' | null;
}

export interface ConsentDetail { op: string | null; source: 'start' | 'local' | 'sync'; state: KelisimState }
export interface ChangeDetail { changed: ChoiceMap; op: string | null; source: 'local' | 'sync'; state: KelisimState }
export interface UpdateDetail { action: string; reason: string; deadline: number | null; state: KelisimState }
export interface ErrorDetail { code: string; message: string }

export interface KelisimEvents {
  /** A valid choice is in force: on start-up when one was stored, and after every choice. */
  consent: ConsentDetail;
  /** Categories or services changed state (visitor action, API call, or another tab). */
  change: ChangeDetail;
  /** A policy update: notice pending, implicitly accepted, or asked again. */
  update: UpdateDetail;
  /** Start-up failed (wasm, manifest), a store refused a value, or a lazily loaded part or
   *  the policy's texts file (`texts-load`) could not be loaded. */
  error: ErrorDetail;
}

/** Proof of consent, fields after the roles of ISO/IEC TS 27560 (built by web/src/receipt.js). */
export interface Receipt {
  schema: 'kelisim-receipt/1';
  recordId: string;
  /** The version the visitor decided on (may be older than the current one); bodyHash is the
   *  full SHA-256 for the current version, the record's 16-hex prefix for an older one.
   *  `language`: the language the policy text is offered in (the visitor's when the version has
   *  it, else the version's primary; `languages` lists the version's, primary first); both
   *  null for an older version. The receipt's own `language` is the UI's. */
  policy: { id: string; version: string; bodyHash: string; publishedAt: string | null; url: string | null;
    language: Lang | null; languages: Lang[] | null };
  controller: string | null;
  contact: string | null;
  jurisdiction: string | null;
  language: Lang | null;
  method: 'explicit' | 'implicit';
  /** ISO 8601 times. */
  givenAt: string;
  noticeShownAt: string | null;
  generatedAt: string;
  /** The recorded choice per category of the current manifest; `title` in the receipt's
   *  language, from the manifest or the policy's texts file (null when neither has one). */
  categories: Array<{ id: string; title: string | null; required: boolean; state: 'on' | 'off' }>;
  /** Every declared service in force now (docs/services.md); `name` in the receipt's language. */
  services: Array<{ id: string; category: string; name: string; state: 'on' | 'off' }>;
  /** False when the core asks again (material update, explicit rule, expiry): the record is history, not consent in force. */
  inForce: boolean;
  history: Array<{ op: string; at: number; version: string; method: string; choices: ChoiceMap; prevHash: string; hash: string; services?: ChoiceMap }>;
  /** The history's hash chain re-verified by the core (kelisim-consent-receipt.wasm next to
   *  kelisim.js, or options.receiptWasm); `matchesRecord`: its head is the record's historyHead. When the module cannot be loaded, `valid` is false and
   *  `unchecked` names why (e.g. 'wasm-load'). */
  chain: { valid: boolean; length: number; head: string | null; brokenAt: number; matchesRecord: boolean; unchecked?: string };
}

export interface Kelisim {
  /** Resolves with the controller once the decision is made (also after a failed start: see state().status). */
  readonly ready: Promise<Kelisim>;
  state(): KelisimState;
  /** Whether scripts of `category` (or of a declared service, on its own switch) may run now.
   *  False until ready and whenever start-up failed. */
  allowed(category: CategoryId | string): boolean;
  acceptAll(): Promise<KelisimState>;
  rejectAll(): Promise<KelisimState>;
  /** Changes the given categories and services only (a category sets all its services; a service
   *  on turns its category on). Rejects with KelisimError 'unknown-category', 'unknown-service' or 'required-category'. */
  set(choices: ChoiceMap): Promise<KelisimState>;
  /** Turns every optional category off, clears their cookies, offers a reload when their scripts ran. */
  withdraw(): Promise<KelisimState>;
  showBanner(): Promise<void>;
  showPreferences(): Promise<void>;
  /** Opens the policy viewer at `clause` (e.g. '4.1.5'); without a viewer, opens the policy page. */
  showPolicy(options?: { clause?: string }): Promise<unknown>;
  /** Subscribes; returns an unsubscribe function. DOM events `kelisim:<event>` carry the same detail. */
  on<E extends keyof KelisimEvents>(event: E | `kelisim:${E}`, fn: (detail: KelisimEvents[E]) => void): () => void;
  /** Proof of the current consent (as in force at the call), or null when there is none.
   *  A promise: its code (kelisim-receipt.mjs) is loaded on first use. Rejects when that
   *  module cannot be loaded. */
  receipt(): Promise<Receipt | null>;
  /** Removes the UI and every listener; gated scripts that already ran keep running. */
  destroy(): void;
}

export class KelisimError extends Error {
  /** Stable machine-readable code, e.g. 'wasm-load', 'manifest-invalid', 'unknown-category'. */
  code: string;
  where?: unknown;
}

export function createKelisim(options: KelisimOptions): Kelisim;

declare global {
  interface Window {
    /** Set by the script tag (dist/kelisim.js). */
    kelisim?: Kelisim;
    /** Read by the script tag before start-up, for options that do not fit data-* attributes. */
    kelisimConfig?: Partial<KelisimOptions>;
  }
  interface DocumentEventMap {
    'kelisim:consent': CustomEvent<ConsentDetail>;
    'kelisim:change': CustomEvent<ChangeDetail>;
    'kelisim:update': CustomEvent<UpdateDetail>;
    'kelisim:error': CustomEvent<ErrorDetail>;
  }
}
