// klaro 0.7.22 (klaro.js: JS with its CSS and translations built in): three services, one per
// category (necessary is required), Russian texts, the policy link, a non-modal notice.
window.klaroConfig = {
  version: 1,
  elementID: 'klaro',
  storageMethod: 'cookie',
  cookieName: 'klaro',
  cookieExpiresAfterDays: 365,
  default: false,
  mustConsent: false,
  acceptAll: true,
  hideDeclineAll: false,
  hideLearnMore: false,
  noticeAsModal: false,
  lang: 'ru',
  privacyPolicy: '/policy.html',
  translations: {
    ru: {
      consentNotice: { description: 'Мы используем файлы cookie и похожие технологии. Необходимые нужны для работы сайта, а аналитические и маркетинговые включаются только с вашего согласия: {purposes}.' },
      ok: 'Принять все',
      decline: 'Отклонить все',
      purposes: { necessary: 'Необходимые', analytics: 'Аналитика', marketing: 'Маркетинг' },
      necessary: { title: 'Необходимые', description: 'Вход в аккаунт, защита от подделки запросов и хранение вашего выбора.' },
      analytics: { title: 'Аналитика', description: 'Обезличенная статистика посещений, чтобы понимать, какие разделы полезны.' },
      marketing: { title: 'Маркетинг', description: 'Рекламные метки партнёров и оценка рекламных кампаний.' },
    },
  },
  services: [
    { name: 'necessary', purposes: ['necessary'], required: true },
    { name: 'analytics', purposes: ['analytics'], cookies: ['_ka'] },
    { name: 'marketing', purposes: ['marketing'], cookies: ['_km'] },
  ],
};
