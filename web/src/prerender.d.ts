// kelisim/prerender (web/src/prerender.js): the first layer as HTML for a page's first paint.
export interface PrerenderOptions {
  /** The page's language: ru, kk or en (default: the manifest's `lang`). */
  lang?: string;
  /** The site's string overrides, as given to kelisim (`strings`). */
  strings?: Record<string, unknown>;
  layout?: 'bar' | 'box';
  theme?: 'auto' | 'light' | 'dark';
  /** The policy link (default: the manifest's `policyUrl`, resolved against `manifestUrl`). */
  policyUrl?: string;
  manifestUrl?: string;
  /** kelisim's cookie name and localStorage key (`data-cookie-name`), default `kelisim`. */
  cookieName?: string;
  /** kelisim's storage (`data-storage`), default `both`: the inline check looks in the cookie,
   *  or in localStorage for `localStorage`. */
  storage?: 'both' | 'cookie' | 'localStorage' | 'memory';
  /** The banner's stylesheet (default: dist/kelisim-banner.css). */
  css?: string;
}
export interface Prerendered {
  /** Into <head>, before kelisim's script tag: the banner's stylesheet and the inline check. */
  head: string;
  /** Right after <body>: the banner. */
  body: string;
  /** What a strict Content-Security-Policy must allow: add to script-src and style-src. */
  csp: { scriptSrc: string; styleSrc: string };
}
export function prerenderBanner(manifest: { id: string; version: string | number; [k: string]: unknown }, options?: PrerenderOptions): Prerendered;
