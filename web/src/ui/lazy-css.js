// The stylesheet of the lazily loaded UI (viewer and update notices), shared by both modules.
let cssPromise = null;

/**
 * Adds `<link rel="stylesheet" href=url>` once per page (a link already in the page is reused).
 * Resolves when it loads, fails, or after 3 s: the UI never hangs on a stylesheet.
 * A link, not a <style> element, so that a strict `style-src 'self'` CSP allows it.
 */
export function loadLazyCss(url) {
  if (cssPromise) return cssPromise;
  url = String(url);
  cssPromise = new Promise((resolve) => {
    let link = [...document.querySelectorAll('link[rel="stylesheet"]')].find((l) => l.href === url);
    if (link && link.sheet) return resolve();
    if (!link) {
      link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = url;
      link.setAttribute('data-kelisim-viewer-css', '');
      document.head.append(link);
    }
    link.addEventListener('load', () => resolve(), { once: true });
    link.addEventListener('error', () => resolve(), { once: true });
    setTimeout(resolve, 3000);
  });
  return cssPromise;
}
