// A stand-in for an advertising pixel (gated on "marketing").
document.cookie = '_km=' + Date.now() + '; path=/; max-age=7776000; samesite=lax';
window.demoLog('marketing', 'fake-marketing.js loaded, set cookie _km');
