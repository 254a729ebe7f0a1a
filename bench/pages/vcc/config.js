// vanilla-cookieconsent 3.1.0: the same three categories and Russian texts as kelisim's demo
// manifest, a bar at the bottom, three first-layer buttons of equal weight.
CookieConsent.run({
  hideFromBots: false,
  guiOptions: { consentModal: { layout: 'bar', position: 'bottom' }, preferencesModal: { layout: 'box' } },
  categories: { necessary: { enabled: true, readOnly: true }, analytics: {}, marketing: {} },
  language: { default: 'ru', translations: { ru: {
    consentModal: {
      title: 'Файлы cookie и ваши данные',
      description: 'Мы используем файлы cookie и похожие технологии. Необходимые нужны для работы сайта, а аналитические и маркетинговые включаются только с вашего согласия. Выбор можно изменить в любой момент. <a href="/policy.html">Политика конфиденциальности</a>',
      acceptAllBtn: 'Принять все', acceptNecessaryBtn: 'Отклонить все', showPreferencesBtn: 'Настроить'
    },
    preferencesModal: {
      title: 'Настройки конфиденциальности', acceptAllBtn: 'Принять все', acceptNecessaryBtn: 'Отклонить все',
      savePreferencesBtn: 'Сохранить выбор', closeIconLabel: 'Закрыть',
      sections: [
        { title: 'Необходимые', description: 'Вход в аккаунт, защита от подделки запросов и хранение вашего выбора.', linkedCategory: 'necessary' },
        { title: 'Аналитика', description: 'Обезличенная статистика посещений, чтобы понимать, какие разделы полезны.', linkedCategory: 'analytics' },
        { title: 'Маркетинг', description: 'Рекламные метки партнёров и оценка рекламных кампаний.', linkedCategory: 'marketing' }
      ]
    }
  } } }
});
