// needle review queue. No external requests: everything comes from the
// needle server this page was loaded from, with the reviewer's token.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  let token = sessionStorage.getItem('needle.token') || '';
  let items = [];
  let categories = [];
  let selected = 0;

  function api(path, options) {
    options = options || {};
    options.headers = Object.assign({ Authorization: 'Bearer ' + token }, options.headers || {});
    return fetch(path, options).then((r) => {
      if (r.status === 401 || r.status === 403) throw new Error('the token was refused (' + r.status + ')');
      if (!r.ok) return r.json().then((j) => { throw new Error(j.message || r.statusText); });
      return r;
    });
  }

  function text(tag, value, cls) {
    const e = document.createElement(tag);
    e.textContent = value;
    if (cls) e.className = cls;
    return e;
  }

  function revealOnly(img) {
    const was = img.classList.contains('revealed');
    document.querySelectorAll('.thumb.revealed').forEach((x) => x.classList.remove('revealed'));
    if (!was) img.classList.add('revealed');
  }

  function render() {
    const body = $('items');
    body.textContent = '';
    items.forEach((it, i) => {
      const tr = document.createElement('tr');
      tr.dataset.id = it.id;
      tr.dataset.index = i;
      if (i === selected) tr.className = 'selected';
      tr.appendChild(text('td', String(i + 1)));
      const td = document.createElement('td');
      if (it.thumbnail) {
        const img = document.createElement('img');
        img.className = 'thumb';
        img.alt = 'thumbnail (click to reveal)';
        api('/v1/case/items/' + it.id + '/thumbnail').then((r) => r.blob()).then((b) => { img.src = URL.createObjectURL(b); })
          .catch(() => { img.alt = 'no thumbnail'; });
        img.addEventListener('click', () => { selected = i; markSelected(); revealOnly(img); });
        td.appendChild(img);
      }
      tr.appendChild(td);
      const c = document.createElement('td');
      c.appendChild(text('span', it.class, 'cls ' + it.class));
      tr.appendChild(c);
      const why = document.createElement('td');
      const ul = document.createElement('ul');
      (it.reasons || []).forEach((r) => ul.appendChild(text('li', r)));
      why.appendChild(ul);
      tr.appendChild(why);
      tr.appendChild(text('td', it.cluster ? String(it.cluster) : ''));
      const dec = it.decision ? label(it.decision.category) + (it.decision.note ? ' (' + it.decision.note + ')' : '') : '';
      tr.appendChild(text('td', dec, 'decision'));
      tr.addEventListener('click', () => { selected = i; markSelected(); });
      body.appendChild(tr);
    });
  }

  function label(id) {
    const c = categories.find((x) => x.id === id);
    return c ? c.label : id;
  }

  function markSelected() {
    document.querySelectorAll('#items tr').forEach((tr) => {
      tr.className = Number(tr.dataset.index) === selected ? 'selected' : '';
    });
  }

  function load() {
    return api('/v1/case/items').then((r) => r.json()).then((j) => { items = j; render(); });
  }

  function decide(category, scope, note) {
    const it = items[selected];
    if (!it) return;
    api('/v1/case/items/' + it.id + '/decision', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ category: category, scope: scope, note: note || '' }),
    }).then(load).catch((e) => alert(e.message));
  }

  function start() {
    api('/v1/review/config').then((r) => r.json()).then((cfg) => {
      categories = cfg.categories;
      $('who').textContent = cfg.reviewer;
      $('legend').textContent = categories.map((c) => c.key + ' = ' + c.label).join(', ');
      $('login').hidden = true;
      $('queue').hidden = false;
      $('reveal-setting').hidden = false;
      $('export').hidden = false;
      $('reveal-all').checked = cfg.settings.reveal === 'clear';
      document.body.classList.toggle('reveal-all', cfg.settings.reveal === 'clear');
      return load();
    }).catch((e) => {
      sessionStorage.removeItem('needle.token');
      $('login').hidden = false;
      $('login-error').textContent = e.message;
    });
  }

  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    token = $('token').value.trim();
    sessionStorage.setItem('needle.token', token);
    start();
  });
  $('reveal-all').addEventListener('change', (e) => {
    const reveal = e.target.checked ? 'clear' : 'blurred';
    document.body.classList.toggle('reveal-all', e.target.checked);
    api('/v1/review/settings', { method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ reveal: reveal }) });
  });
  $('export').addEventListener('click', () => {
    api('/v1/case/export/vics').then((r) => r.blob()).then((b) => {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(b);
      a.download = 'case.vics.json';
      a.click();
    });
  });
  document.addEventListener('keydown', (e) => {
    if ($('queue').hidden || e.target.tagName === 'INPUT') return;
    if (e.key === 'j' || e.key === 'ArrowDown') { selected = Math.min(items.length - 1, selected + 1); markSelected(); e.preventDefault(); return; }
    if (e.key === 'k' || e.key === 'ArrowUp') { selected = Math.max(0, selected - 1); markSelected(); e.preventDefault(); return; }
    if (e.key === ' ') {
      const img = document.querySelector('#items tr.selected .thumb');
      if (img) revealOnly(img);
      e.preventDefault();
      return;
    }
    if (e.key === 'n') { const note = prompt('Note for this item'); if (note !== null) decide(items[selected].decision ? items[selected].decision.category : '0', 'item', note); return; }
    // Shift+digit arrives as a symbol on most layouts: use the physical key.
    const key = e.code && e.code.startsWith('Digit') ? e.code.slice(5) : e.key;
    const cat = categories.find((c) => c.key === key);
    if (cat) { decide(cat.id, e.shiftKey ? 'cluster' : 'item'); e.preventDefault(); }
  });
  if (token) start();
})();
