// The controller's update notices [issue 5]: the notice module (web/src/ui/notice.js,
// dist/kelisim-notice.mjs) is imported only when the core decides 'update-notice' or
// 'implicit-accept' (or an implicit acceptance is still unacknowledged): never on a first
// visit. Which notice to show after each decision is its createUpdates().sync()'s business.
import { lazyPart } from './lazy-part.js';

/**
 * `o`/`env`: the controller's options and entry-point environment (noticeModule, notice,
 * viewer, updateNotice); `fail(code, e)` reports 'notice-load'; `context()` returns what
 * createUpdates() takes (see web/src/ui/notice.js), asked once, when the module has loaded.
 * Returns sync(decision), to be called after every decision of the core; it never throws.
 */
export function createUpdateNotices(o, env, fail, context) {
  const source = () => (o.noticeModule !== undefined ? o.noticeModule
    : env.notice !== undefined ? env.notice
      : env.viewer ? new URL('kelisim-notice.mjs', env.viewer).href : null);
  const load = lazyPart(source);
  let updates = null;   // Promise of the notice module's updater, once a notice was due
  return (d) => {
    if (!(d && o.updateNotice !== false && (updates || d.action === 'update-notice'
      || d.action === 'implicit-accept' || d.reason === 'implicit-unacknowledged') && source())) return;
    if (!updates) {
      const u = updates = load().then((m) => m.createUpdates(context()));
      u.catch(() => { if (updates === u) updates = null; });   // asked again on the next decision
    }
    updates.then((x) => x.sync(d)).catch((e) => fail('notice-load', e));
  };
}
