// The overlay pages' live feed. User text only ever goes in with
// textContent: chat is written by strangers.
'use strict';

const MAX_MESSAGES = 30;
const feed = document.body.dataset.feed;

// A stable colour per user, so a name keeps its colour across reloads.
function authorColour(id) {
  let hash = 0;
  for (const c of id)
    hash = (hash * 31 + c.codePointAt(0)) >>> 0;
  return `hsl(${hash % 360}, 80%, 70%)`;
}

function addMessage(list, data) {
  const item = document.createElement('li');
  item.dataset.key = String(data.key);
  item.dataset.role = data.role || 'viewer';

  const author = document.createElement('span');
  author.className = 'author';
  author.textContent = data.author;
  author.style.color = authorColour(data.userId || data.author);
  item.append(author);

  if (data.type === 'image' && /^https?:\/\//.test(data.imageUrl || '')) {
    const image = document.createElement('img');
    image.alt = data.text || '';
    image.referrerPolicy = 'no-referrer';
    image.src = data.imageUrl;
    item.append(image);
  } else {
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = data.text || '';
    item.append(text);
  }

  list.append(item);
  while (list.children.length > MAX_MESSAGES)
    list.firstElementChild.remove();
}

function startChat(events) {
  const list = document.getElementById('chat');
  events.addEventListener('chat', (e) => addMessage(list, JSON.parse(e.data)));
  events.addEventListener('delete', (e) => {
    const key = String(JSON.parse(e.data).key);
    for (const item of list.querySelectorAll('li'))
      if (item.dataset.key === key)
        item.remove();
  });
  events.addEventListener('clear', () => list.replaceChildren());
}

function startGifts(events) {
  const alert = document.getElementById('alert');
  let hideTimer = 0;
  let shown = null;

  const hide = () => {
    clearTimeout(hideTimer);
    alert.hidden = true;
    shown = null;
  };

  events.addEventListener('gift', (e) => {
    const data = JSON.parse(e.data);
    const same = shown && shown.sender === data.sender && shown.gift === data.gift;

    alert.querySelector('.sender').textContent = data.sender;
    alert.querySelector('.gift').textContent = data.gift;
    alert.querySelector('.count').textContent = data.count > 1 ? `×${data.count}` : '';
    alert.querySelector('.receiver').textContent = data.receiver ? `to ${data.receiver}` : '';
    alert.querySelector('.message').textContent = data.message || '';
    if (same)
      return; // a combo grew: the alert plays on, its count updated

    shown = data;
    alert.className = '';
    alert.hidden = false;
    // Restart the animation even when the same type plays twice in a row.
    void alert.offsetWidth;
    alert.className = `anim-${['default', 'fireworks', 'hearts', 'stars', 'rainbow'].includes(data.animation) ? data.animation : 'default'}`;
    alert.style.animationDuration = `${data.durationMs}ms`;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, data.durationMs);
  });
  events.addEventListener('gift-end', hide);
}

const events = new EventSource(`events?feed=${feed}`);
events.addEventListener('open', () => { document.documentElement.dataset.connected = 'true'; });
events.addEventListener('error', () => { document.documentElement.dataset.connected = 'false'; });
if (feed === 'chat')
  startChat(events);
else
  startGifts(events);
