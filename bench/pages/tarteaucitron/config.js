// tarteaucitron.js 1.34.0: its own Russian language file, bottom bar, "accept all" / "deny all"
// on the first layer, the policy link; one service per optional category (analytics, ads);
// "necessary" is its built-in mandatory group. Gated scripts are loaded by the services.
var tarteaucitronForceLanguage = 'ru';
tarteaucitron.init({
  privacyUrl: '/policy.html',
  readmoreLink: '/policy.html',
  hashtag: '#tarteaucitron',
  cookieName: 'tarteaucitron',
  orientation: 'bottom',
  showAlertSmall: false,
  showIcon: false,
  cookieslist: false,
  removeCredit: true,
  handleBrowserDNTRequest: false,
  AcceptAllCta: true,
  DenyAllCta: true,
  highPrivacy: true,
  mandatory: true,
  mandatoryCta: true,
  googleConsentMode: false,
  pianoConsentMode: false,
  bingConsentMode: false,
  useExternalCss: false,
});
tarteaucitron.services.kanalytics = {
  key: 'kanalytics', type: 'analytic', name: 'Аналитика', uri: '/policy.html', needConsent: true, cookies: ['_ka'],
  js: function () { tarteaucitron.addScript('/bench/pages/g/analytics.js'); }, fallback: function () {},
};
tarteaucitron.services.kmarketing = {
  key: 'kmarketing', type: 'ads', name: 'Маркетинг', uri: '/policy.html', needConsent: true, cookies: ['_km'],
  js: function () { tarteaucitron.addScript('/bench/pages/g/marketing.js'); }, fallback: function () {},
};
(tarteaucitron.job = tarteaucitron.job || []).push('kanalytics', 'kmarketing');
