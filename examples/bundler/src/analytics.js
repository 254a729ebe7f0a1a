// Loaded only after consent (a separate chunk; see app.js).
export function start(log) {
  document.cookie = '_ka=bundled; path=/; samesite=lax';
  log('analytics', 'analytics chunk loaded after consent');
}
