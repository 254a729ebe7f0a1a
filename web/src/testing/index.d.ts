// `import { consentState, presetConsent } from 'kelisim/testing'` (Node ≥ 20): preset a known
// consent in a site's own end-to-end tests. Every value is made by the consent core (wasm).
import type { ChoiceMap, HistoryEntry, Manifest, Record_ } from '../engine/core.js';

/** 'all' = what "Accept all" stores, 'none' = what "Reject all" stores, a map = what "Save"
 *  in the preferences stores with these switches (categories not named are off; required ones
 *  are always on and cannot be set to false). */
export type Choices = 'all' | 'none' | ChoiceMap;

export interface ConsentStateOptions {
  /** The policy manifest the page uses: the object, or a URL / file path of its manifest.json.
   *  A relative URL is resolved against `url` (as the page resolves `data-policy`); without
   *  `url`, a string that is not an absolute URL is a file path. http(s) URLs are fetched. */
  manifest: Manifest | string | URL;
  choices: Choices;
  /** When the choice was made: a Date, an ISO 8601 string or epoch ms. @default now */
  at?: Date | string | number;
  /** The page URL: base for a relative `manifest`; an https URL makes the cookie Secure (as the
   *  page does). @default undefined */
  url?: string;
  /** The page's `data-storage` / `storage` option ('memory' cannot be preset). @default 'both' */
  storage?: 'both' | 'cookie' | 'localStorage';
  /** The page's cookie options (`data-cookie-name`, `data-cookie-domain`, …). @default {} */
  cookie?: { name?: string; domain?: string; path?: string; sameSite?: 'Lax' | 'Strict' | 'None'; secure?: boolean; maxAgeDays?: number };
  /** The record id, [A-Za-z0-9_-]{8,32}. @default 12 random characters, as the page draws them */
  id?: string;
}

export interface PresetCookie {
  /** @default 'kelisim' */
  name: string;
  /** The record string (cookie-safe; `k1~…`). */
  value: string;
  path: string;
  /** null: host-only, as the page writes it by default. */
  domain: string | null;
  sameSite: 'Lax' | 'Strict' | 'None';
  secure: boolean;
  /** Seconds (the page's `data-cookie-max-age-days`, 400 days by default). */
  maxAge: number;
  /** What the page assigns to `document.cookie`, usable as a Set-Cookie header value. */
  string: string;
}

export interface ConsentState {
  /** The record string the page stores. */
  record: string;
  /** The record decoded by the core (choices of every category, method, givenAt, …). */
  decoded: Record_;
  /** Its first history entry (what the page appends to `<name>:history`). */
  entry: HistoryEntry;
  /** null when `storage` is 'localStorage'. */
  cookie: PresetCookie | null;
  /** Keys and values the page keeps in localStorage ({} when `storage` is 'cookie'):
   *  `<name>` → the record, `<name>:history` → the JSON history. */
  localStorage: Record<string, string>;
}

/** The exact values the page would store after this choice, made by the consent core.
 *  Rejects with a KelisimError (`code`: bad-argument, manifest-load, manifest-invalid,
 *  unknown-category, required-category). */
export function consentState(options: ConsentStateOptions): Promise<ConsentState>;

/** A Playwright BrowserContext (only these two methods are used). */
export interface BrowserContextLike {
  addCookies(cookies: Array<Record<string, unknown>>): Promise<void>;
  addInitScript(script: (arg: any) => void, arg?: unknown): Promise<void>;
}

/** Presets the consent in a Playwright BrowserContext before any page of `url`'s origin loads:
 *  the cookie (context.addCookies) and the localStorage items (an init script that writes them
 *  on that origin when they are absent). Resolves with the values it set. */
export function presetConsent(context: BrowserContextLike, options: ConsentStateOptions & { url: string }): Promise<ConsentState>;

/** The manifest object of `manifest` (see ConsentStateOptions.manifest). */
export function loadManifest(manifest: Manifest | string | URL, base?: string): Promise<Manifest>;
