// Chat launchers (issue 12; docs/embeds.md, "Chat widgets"). A chat widget (Jivo, Bitrix24) is a
// gated script that draws its own window: there is no frame to hold back, so until its service
// is allowed the visitor would simply have no chat. The site places an empty element where the
// chat's own launcher would be, naming the same service as the script:
//   <div data-kelisim-chat data-kelisim-service="jivo"></div>
//   <script type="text/plain" data-kelisim-service="jivo" src="https://code.jivo.ru/widget/ID"></script>
// Until the service is allowed, kelisim draws into it a "Chat" button (in a corner of the window
// unless the site places the element: kelisim-embeds.css) that opens a small panel saying what
// an embed placeholder says (placeholder.js parts(): the service, its vendor and country, its
// privacy policy), with "Load once" (the service's held scripts run for this page view:
// gating.js runOnce(); nothing stored) and, for a service or category the policy declares,
// "Always allow" (controller.set({ id: true }); the gate then runs the scripts). The launcher
// goes once the service is allowed by any route (banner, preferences, another placeholder).
import { ctx, infoOf, t, cssUrl, safeUrl } from './context.js';
import { h, parts, adopt, allowFailed, themeClass } from './placeholder.js';
import { createGate, heldScripts, runOnce } from '../gating.js';
import { injectCss } from '../ui/lazy-css.js';

export const CHAT_SELECTOR = '[data-kelisim-chat]';

/** the site's element → { el, id, root (kelisim's launcher in it, while shown), ran } */
const chats = new Map();
let own = null;   // a gate of the part's own, for "Load once" while the controller has none
let count = 0;    // launchers drawn (their ids)

/**
 * Shows, keeps or drops the launcher in the site's element `el` (`css`: the stylesheet's text,
 * or null). Nothing with gating off (`gating: false`: kelisim runs no gated script, the site
 * runs its chat itself) or without a service or category id.
 */
export function handleChat(el, texts, css) {
  let c = chats.get(el);
  if (!c) {
    c = { el, id: el.getAttribute('data-kelisim-service') || el.getAttribute('data-kelisim-category') || '', root: null, ran: false };
    chats.set(el, c);
  }
  if (!c.id || c.ran || !el.isConnected || ctx.o.gating === false) return;
  if (ctx.api.allowed(c.id)) return gone(c);   // the gate runs its scripts
  if (c.root && el.contains(c.root)) return;   // still showing
  draw(c, texts, css);
}

/** A consent change: every launcher whose service became allowed goes (the gate runs its scripts). */
export function chatChanged() {
  for (const c of chats.values()) {
    if (!c.el.isConnected) { chats.delete(c.el); continue; }
    if (!c.id || !ctx.api.allowed(c.id)) continue;
    // Run once before, allowed now: counts as having run (a withdrawal offers the reload).
    if (c.ran) ctx.gate && ctx.gate.ran.add(c.id);
    else gone(c);
  }
}

/** The service's scripts run (or are about to): the launcher goes for good. */
function gone(c) {
  c.ran = true;
  c.el.removeAttribute('data-kelisim-chat-open');
  if (c.root) c.root.remove();
  c.root = null;
}

/**
 * "Load once": the held scripts of the service run now, in document order, through the
 * controller's gate, or, while it has none (the core still on its way, or failed: kelisim
 * fails closed), through one of the part's own that allows nothing else. Every launcher of the
 * service goes; nothing is stored or reported.
 */
function loadOnce(c) {
  for (const x of chats.values()) if (x.id === c.id) gone(x);
  runOnce(ctx.gate || (own ||= createGate({ allowed: () => false })), c.id);
}

function draw(c, texts, css) {
  const d = document;
  const id = 'kelisim-chat-' + ++count;
  // The host named in the panel: the first held script's with a URL (none for inline ones).
  const held = heldScripts(d, c.id).find((s) => s.src);
  // No "Open on <host>" link: the script's URL is no page to open.
  const info = { ...infoOf({ id: c.id, url: held ? safeUrl(held.src) : null }, texts), kind: 'chat', url: null };
  const toggle = (open) => {
    panel.hidden = !open;
    // An open panel goes above kelisim's banner (kelisim-embeds.css); the launcher stays below it.
    c.el.toggleAttribute('data-kelisim-chat-open', open);
    btn.setAttribute('aria-expanded', String(open));
    (open ? panel : btn).focus();
  };
  const panel = h(d, 'div', {
    role: 'dialog', id, class: 'kelisim-embed-box kelisim-chat-panel', tabindex: '-1', hidden: '',
    'aria-labelledby': id + '-title', 'aria-describedby': id + '-title-text', 'data-kelisim-embed': '',
  },
  ...parts(d, {
    t, info, from: 'chatFrom',
    onOnce: () => loadOnce(c),
    // Refused when nothing can be recorded (the consent module failed, storage refused the
    // record): say so, keep "Load once" (as an embed placeholder does).
    onAllow: () => ctx.api.set({ [c.id]: true }).catch(() => { if (c.root === root) allowFailed(root, t); }),
  }, 'h2', id + '-title'),
  h(d, 'button', { type: 'button', class: 'kelisim-chat-close', 'aria-label': t('chatClose'), 'data-kelisim-action': 'close', onclick: () => toggle(false) }, '×'));
  const btn = h(d, 'button', {
    type: 'button', class: 'kelisim-chat-btn', 'aria-expanded': 'false', 'aria-controls': id,
    'data-kelisim-action': 'chat', onclick: () => toggle(panel.hidden),
  }, icon(d), h(d, 'span', { text: t('embedChat') }), h(d, 'span', { class: 'kelisim-embed-sr', text: t('chatWaits', { name: info.name }) }));
  const root = h(d, 'div', { class: 'kelisim-chat' + themeClass(ctx.o.theme), lang: ctx.lang, 'data-kelisim-launcher': '' }, panel, btn);
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden) { e.stopPropagation(); toggle(false); }
  });
  // Styled as drawn (the page adopts the stylesheet fetched for the part); should that fail,
  // the page links it and the launcher waits for it (at most 3 s).
  if (!adopt(d, css)) {
    root.hidden = true;
    injectCss(cssUrl(), null, 'data-kelisim-embed-css').then(() => { root.hidden = false; });
  }
  c.root = root;
  c.el.append(root);
}

/** A speech bubble, drawn with the text's colour; hidden from screen readers. */
function icon(d) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = d.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const p = d.createElementNS(NS, 'path');
  p.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
  svg.append(p);
  return svg;
}
