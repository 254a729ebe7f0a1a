// A stand-in for a newsletter widget (gated on "newsletter").
window.demoLog('newsletter', 'fake-newsletter.js loaded: the subscription widget may now remember you');
