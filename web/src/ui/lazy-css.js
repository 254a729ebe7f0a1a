// kelisim's stylesheets as <link rel=stylesheet> elements (not <style>, so that a strict
// `style-src 'self'` CSP allows them): the banner's and the second layer's (controller.js,
// script.js, index.js) and the lazily loaded UI's (viewer and update notices) use this one
// lookup and this one wait.

/** The page's <link rel=stylesheet> whose (absolute) href is `href`, if any. */
export const linkedCss = (href) => [...document.querySelectorAll('link[rel="stylesheet"]')].find((l) => l.href === href);

/**
 * Adds <link rel=stylesheet> unless one with this href exists; settles when it applies, loaded
 * or failed, or after 3 s (nothing waits on a stylesheet for ever). With `after` (another
 * stylesheet's URL), the link goes right after that one's, so that the two cascade as one file
 * would. `attr`: an attribute to mark a link it adds with.
 */
export function injectCss(url, after, attr) {
  const href = String(url);
  let link = linkedCss(href);
  if (link && link.sheet) return Promise.resolve();
  return new Promise((resolve) => {
    let done = false;
    const finish = () => { done = true; resolve(); };
    if (!link) {
      link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      if (attr) link.setAttribute(attr, '');
      const prev = after && linkedCss(String(after));
      if (prev) prev.after(link);
      else document.head.append(link);
    }
    link.addEventListener('load', finish, { once: true });
    link.addEventListener('error', finish, { once: true });
    // A link that already failed fires nothing more: do not wait for it forever.
    setTimeout(finish, 3000);
    // The sheet applies once parsed, when link.sheet is set (at once for a preloaded one), but
    // Chromium fires the load event after the page's next rendering, 80-160 ms later at 4x CPU
    // throttle (session 7). So each frame looks too, and a timer every 10 ms between frames: a
    // sheet parsed after the frame's look (one that arrives after the script, as with the bare
    // script tag) is used in the next task, not a frame later. What waits on this draws in a
    // task of its own (controller start()), not in this one.
    const look = () => { if (!done && link.sheet) finish(); return done; };
    const frame = () => { if (!look()) requestAnimationFrame(frame); };
    const tick = () => { if (!look()) setTimeout(tick, 10); };
    frame();
    tick();
  });
}

// The stylesheet of the lazily loaded UI (viewer and update notices), shared by both modules.
let lazy = null;

/** injectCss(url) once per page for the viewer's and the notices' stylesheet. */
export const loadLazyCss = (url) => (lazy ||= injectCss(url, null, 'data-kelisim-viewer-css'));
