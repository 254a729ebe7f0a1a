// A stand-in for an analytics tag. Gated: the page loads it as
// <script type="text/plain" data-kelisim-category="analytics" src="fake-analytics.js">.
document.cookie = '_ka=' + Math.random().toString(36).slice(2) + '; path=/; max-age=31536000; samesite=lax';
document.cookie = '_ka_session=1; path=/; samesite=lax';
window.demoLog('analytics', 'fake-analytics.js loaded, set cookies _ka and _ka_session');
