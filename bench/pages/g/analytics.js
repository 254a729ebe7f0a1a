window.__ran && window.__ran('analytics');
