// cookieconsent (Osano) 3.1.1: no categories — one opt-in consent for everything, so the
// three categories cannot be expressed; "Принять все" / "Отклонить все" and the policy link
// in Russian (it ships no Russian strings); the site's own callback runs the gated scripts.
(function () {
  function runGated() {
    for (const src of ['/bench/pages/g/analytics.js', '/bench/pages/g/marketing.js']) {
      const s = document.createElement('script');
      s.src = src;
      s.async = false;
      document.head.appendChild(s);
    }
  }
  window.cookieconsent.initialise({
    type: 'opt-in',
    position: 'bottom',
    revokable: false,
    content: {
      message: 'Мы используем файлы cookie и похожие технологии. Необходимые нужны для работы сайта, а аналитические и маркетинговые включаются только с вашего согласия.',
      allow: 'Принять все', deny: 'Отклонить все', link: 'Политика конфиденциальности', href: '/policy.html',
    },
    onInitialise: function () { if (this.hasConsented()) runGated(); },
    onStatusChange: function () { if (this.hasConsented()) runGated(); },
  });
})();
