// The overlay pages' live feed. User text only ever goes in with
// textContent: chat is written by strangers, and so is the alert template
// once it sits in a URL.
'use strict';

const feed = document.body.dataset.feed;

// The look travels in the page's address, so two OBS sources can show two
// looks. A value out of range or of the wrong form falls back to the
// default: a typo in OBS must not break the page.
const query = new URLSearchParams(location.search);

function intParam(name, min, max, fallback) {
  const text = query.get(name);
  if (text === null || !/^\d{1,9}$/.test(text))
    return fallback;
  const value = Number(text);
  return value >= min && value <= max ? value : fallback;
}

function numberParam(name, min, max, fallback) {
  const text = query.get(name);
  if (text === null || !/^\d{1,9}(\.\d{1,6})?$/.test(text))
    return fallback;
  const value = Number(text);
  return value >= min && value <= max ? value : fallback;
}

function colourParam(name, fallback) {
  const text = query.get(name);
  return text !== null && /^#[0-9a-fA-F]{6}$/.test(text) ? text.toLowerCase() : fallback;
}

function boolParam(name, fallback) {
  const text = query.get(name);
  return text === '1' ? true : text === '0' ? false : fallback;
}

// Comma-separated, lower-cased; at most 100 entries of 64 characters.
function listParam(name) {
  const text = query.get(name);
  if (text === null || text.length > 8192)
    return [];
  return text.split(',').map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0 && s.length <= 64).slice(0, 100);
}

function fontParam(name, fallback) {
  const text = query.get(name);
  // A family name only: it goes into CSS, so nothing that could end it.
  return text !== null && /^[\p{L}\p{N} _-]{1,64}$/u.test(text) ? text : fallback;
}

function textParam(name, fallback) {
  const text = query.get(name);
  return text !== null && text.length > 0 && text.length <= 200 ? text : fallback;
}

const settings = {
  font: fontParam('font', 'DejaVu Sans'),
  size: intParam('size', 10, 72, 22),
  colour: colourParam('color', '#ffffff'),
  background: colourParam('bg', '#000000'),
  opacity: numberParam('opacity', 0, 1, 0),
  max: intParam('max', 1, 30, 10),
  fade: intParam('fade', 0, 3600, 0),
  badges: boolParam('badges', true),
  hideUsers: listParam('hideUsers'),
  hideWords: listParam('hideWords'),
  minValue: numberParam('min', 0, 1000000, 0),
  duration: intParam('duration', 0, 60, 0),
  sound: boolParam('sound', true),
  volume: numberParam('volume', 0, 1, 0.8),
  template: textParam('template', null),
  goal: intParam('goal', 0, 100000000, 1000),
};
// What the page made of its address, for the streamer and the tests.
document.documentElement.dataset.settings = JSON.stringify(settings);

function applyStyle() {
  const root = document.documentElement.style;
  const hex = (i) => parseInt(settings.background.slice(i, i + 2), 16);
  root.setProperty('--font', `"${settings.font}", "DejaVu Sans", sans-serif`);
  root.setProperty('--size', `${settings.size}px`);
  root.setProperty('--colour', settings.colour);
  root.setProperty('--background', `rgba(${hex(1)}, ${hex(3)}, ${hex(5)}, ${settings.opacity})`);
}

// English until the app's strings arrive; the app serves them in its language.
let strings = {
  alertTemplate: '{sender} sent {quantity} × {gift}',
  to: 'to {receiver}',
  viewers: 'Viewers',
  topGifter: 'Top gifter',
  noGifts: 'No gifts yet',
  goal: 'Gift goal',
  roleStreamer: 'Streamer',
  roleAdmin: 'Admin',
  roleModerator: 'Mod',
};

// Fills ELEMENT from TEMPLATE, each {name} a span of class name holding
// VALUES[name] as text; anything else in the template stays plain text.
function fillTemplate(element, template, values) {
  const parts = [];
  const pattern = /\{(\w+)\}/g;
  let last = 0;
  let match;
  while ((match = pattern.exec(template)) !== null) {
    parts.push(document.createTextNode(template.slice(last, match.index)));
    if (Object.prototype.hasOwnProperty.call(values, match[1])) {
      const span = document.createElement('span');
      span.className = match[1];
      span.textContent = String(values[match[1]]);
      parts.push(span);
    } else {
      parts.push(document.createTextNode(match[0]));
    }
    last = pattern.lastIndex;
  }
  parts.push(document.createTextNode(template.slice(last)));
  element.replaceChildren(...parts);
}

// A stable colour per user, so a name keeps its colour across reloads.
function authorColour(id) {
  let hash = 0;
  for (const c of id)
    hash = (hash * 31 + c.codePointAt(0)) >>> 0;
  return `hsl(${hash % 360}, 80%, 70%)`;
}

function hidden(data) {
  const names = [data.author, data.userId].filter(Boolean).map((s) => s.toLowerCase());
  if (names.some((n) => settings.hideUsers.includes(n)))
    return true;
  const text = (data.text || '').toLowerCase();
  return settings.hideWords.some((w) => text.includes(w));
}

const BADGES = { streamer: 'roleStreamer', admin: 'roleAdmin', moderator: 'roleModerator' };

function addMessage(list, data) {
  if (hidden(data))
    return;

  const item = document.createElement('li');
  item.dataset.key = String(data.key);
  item.dataset.role = data.role || 'viewer';

  if (settings.badges && BADGES[data.role]) {
    const badge = document.createElement('span');
    badge.className = `badge badge-${data.role}`;
    badge.textContent = strings[BADGES[data.role]];
    item.append(badge);
  }

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
  while (list.children.length > settings.max)
    list.firstElementChild.remove();

  if (settings.fade > 0) {
    setTimeout(() => {
      item.classList.add('fading');
      // Gone once faded, so the list does not keep invisible rows.
      setTimeout(() => {
        item.remove();
        const root = document.documentElement.dataset;
        root.faded = String(Number(root.faded || 0) + 1);
      }, 600);
    }, settings.fade * 1000);
  }
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

// The app's gift sound tiers (src/ui/ld-gift-sound.c), by value × quantity.
function soundTier(value) {
  if (value < 100)
    return 'small';
  if (value < 1000)
    return 'medium';
  if (value < 10000)
    return 'large';
  return 'huge';
}

function playSound(value) {
  const audio = document.getElementById('sound');
  const root = document.documentElement.dataset;
  if (!settings.sound || settings.volume === 0)
    return;
  audio.src = `sounds/gift-${soundTier(value)}.oga`;
  audio.volume = settings.volume;
  audio.currentTime = 0;
  root.sound = 'starting';
  audio.play().then(() => { root.sound = 'playing'; }, () => { root.sound = 'blocked'; });
}

function startGifts(events) {
  const alert = document.getElementById('alert');
  const headline = alert.querySelector('.headline');
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
    const duration = settings.duration > 0 ? settings.duration * 1000 : data.durationMs;

    if (!same && (data.value || 0) < settings.minValue)
      return;

    fillTemplate(headline, settings.template || strings.alertTemplate,
      { sender: data.sender, quantity: data.count, gift: data.gift, receiver: data.receiver || '' });
    if (data.receiver)
      fillTemplate(alert.querySelector('.receiver'), strings.to, { receiver: data.receiver });
    else
      alert.querySelector('.receiver').replaceChildren();
    alert.querySelector('.message').textContent = data.message || '';
    if (same)
      return; // a combo grew: the alert plays on, its count updated

    shown = data;
    alert.dataset.shown = String(Number(alert.dataset.shown || 0) + 1);
    alert.className = '';
    alert.hidden = false;
    // Restart the animation even when the same type plays twice in a row.
    void alert.offsetWidth;
    alert.className = `anim-${['default', 'fireworks', 'hearts', 'stars', 'rainbow'].includes(data.animation) ? data.animation : 'default'}`;
    alert.style.animationDuration = `${duration}ms`;
    playSound(data.value || 0);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, duration);
  });
  // The app's queue ends the alert, unless the streamer chose the length.
  events.addEventListener('gift-end', () => {
    if (settings.duration === 0)
      hide();
  });
}

function startStats(events) {
  const top = document.querySelector('#top .value');
  const goal = document.getElementById('goal');
  const number = new Intl.NumberFormat(strings.lang || undefined);

  document.querySelector('#viewers .label').textContent = strings.viewers;
  document.querySelector('#top .label').textContent = strings.topGifter;
  goal.querySelector('.label').textContent = strings.goal;
  goal.hidden = settings.goal === 0;
  top.textContent = strings.noGifts;

  events.addEventListener('stats', (e) => {
    const data = JSON.parse(e.data);
    document.querySelector('#viewers .value').textContent = number.format(data.viewers);
    top.textContent = data.topGifter
      ? `${data.topGifter} (${number.format(data.topGifterValue)})` : strings.noGifts;
    if (settings.goal > 0) {
      const part = Math.min(1, data.giftTotal / settings.goal);
      goal.querySelector('.value').textContent =
        `${number.format(data.giftTotal)} / ${number.format(settings.goal)}`;
      goal.querySelector('.fill').style.width = `${(part * 100).toFixed(2)}%`;
    }
  });
}

async function start() {
  applyStyle();
  try {
    const reply = await fetch('strings.json', { cache: 'no-store' });
    if (reply.ok)
      strings = Object.assign(strings, await reply.json());
  } catch (e) {
    // The English texts above stay.
  }
  if (typeof strings.lang === 'string' && /^[A-Za-z-]{2,16}$/.test(strings.lang))
    document.documentElement.lang = strings.lang;

  const events = new EventSource(`events?feed=${feed}`);
  events.addEventListener('open', () => { document.documentElement.dataset.connected = 'true'; });
  events.addEventListener('error', () => { document.documentElement.dataset.connected = 'false'; });
  if (feed === 'chat')
    startChat(events);
  else if (feed === 'gifts')
    startGifts(events);
  else
    startStats(events);
}

start();
