window.__ran && window.__ran('marketing');
