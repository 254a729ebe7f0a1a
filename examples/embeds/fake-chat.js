// A stand-in for a chat widget (Jivo, Bitrix24, …): gated, the page loads it as
// <script type="text/plain" data-kelisim-category="chat" src="fake-chat.js">. It draws a chat
// button and sets one cookie; it talks to nobody.
document.cookie = 'demo_chat=' + Math.random().toString(36).slice(2) + '; path=/; max-age=86400; samesite=lax';
const b = document.createElement('button');
b.type = 'button';
b.className = 'demo-chat';
b.textContent = document.documentElement.lang === 'kk' ? 'Чат' : document.documentElement.lang === 'en' ? 'Chat' : 'Чат с поддержкой';
b.addEventListener('click', () => { b.textContent = '…'; });
document.body.append(b);
