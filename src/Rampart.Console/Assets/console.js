// Rampart console: the only script the pages load (CSP script-src 'self', no inline script, no eval).
// It never builds HTML from strings: everything untrusted goes into the DOM as textContent.
// State changes go to the HTTP API (/api/v1), which checks the permission, the antiforgery token and
// audits the call; the console has no second write path.

const xsrf = document.querySelector('meta[name="rampart-xsrf"]')?.content ?? '';

function signInAgain() {
  location.assign('/signin?expired=1&return=' + encodeURIComponent(location.pathname + location.search));
}

async function callApi(url, method, body) {
  const init = { method, credentials: 'same-origin', headers: { 'X-XSRF-TOKEN': xsrf, 'Accept': 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  let data = null;
  if (response.status !== 204) {
    data = await response.json().catch(() => null);
  }
  return { response, data };
}

function problemText(response, data) {
  if (data && (data.detail || data.title)) {
    return data.detail || data.title;
  }
  return 'the request failed (' + response.status + ')';
}

// A form's fields as the API's JSON body: empty fields are left out, data-type="number" fields are
// numbers, data-type="list" fields are comma-separated lists, data-carry copies fields of another form.
function bodyOf(form) {
  const body = {};
  const carry = form.dataset.carry;
  if (carry) {
    const [formId, names] = carry.split(':');
    const source = document.getElementById(formId);
    for (const name of names.split(',')) {
      const value = source?.elements.namedItem(name)?.value;
      if (value) body[name] = value;
    }
  }
  for (const element of form.elements) {
    if (!element.name || element.disabled || element.type === 'submit') continue;
    const value = element.value.trim();
    if (value === '') continue;
    switch (element.dataset.type) {
      case 'number': body[element.name] = Number(value); break;
      case 'list': body[element.name] = value.split(',').map(v => v.trim()).filter(v => v !== ''); break;
      default: body[element.name] = element.type === 'password' ? element.value : value;
    }
  }
  return body;
}

function reveal(targetId, data) {
  const target = document.getElementById(targetId);
  if (!target) return;
  for (const field of target.querySelectorAll('[data-field]')) {
    field.textContent = data?.[field.dataset.field] ?? '';
  }
  target.hidden = false;
  target.querySelector('input, button, a, [tabindex]')?.focus();
}

async function submitApiForm(event) {
  const form = event.target.closest('form[data-api]');
  if (!form) return;
  event.preventDefault();
  const error = form.querySelector('.form-error');
  if (error) error.textContent = '';
  const buttons = form.querySelectorAll('button');
  buttons.forEach(b => { b.disabled = true; });
  try {
    const method = form.dataset.method || 'POST';
    const { response, data } = await callApi(form.dataset.api, method, form.hasAttribute('data-no-body') ? undefined : bodyOf(form));
    if (response.status === 401 && !form.hasAttribute('data-public')) {
      signInAgain();
      return;
    }
    if (!response.ok) {
      if (error) error.textContent = problemText(response, data);
      return;
    }
    if (form.dataset.doneWhen && data?.[form.dataset.doneWhen]) {
      location.assign(form.dataset.doneNext);
    } else if (form.dataset.reveal) {
      form.hidden = true;
      reveal(form.dataset.reveal, data);
    } else if (form.dataset.next) {
      location.assign(form.dataset.next);
    } else {
      location.reload();
    }
  } catch {
    if (error) error.textContent = 'the node did not answer';
  } finally {
    buttons.forEach(b => { b.disabled = false; });
  }
}

// Confirmations: a button with data-confirm opens the <dialog> it names; its form does the call.
function openDialog(event) {
  const opener = event.target.closest('[data-confirm]');
  if (opener) {
    document.getElementById(opener.dataset.confirm)?.showModal();
    return;
  }
  const closer = event.target.closest('[data-close]');
  if (closer) closer.closest('dialog')?.close();
}

// Times: the markup holds UTC; show the browser's zone in the same fixed-width format (UTC stays on hover).
function pad(n) { return String(n).padStart(2, '0'); }
function localTime(element) {
  const when = new Date(element.dateTime);
  if (Number.isNaN(when.getTime())) return;
  element.textContent = `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())} ${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())}`;
}

function timeCell(iso) {
  const time = document.createElement('time');
  time.dateTime = iso;
  const utc = iso.replace('T', ' ').replace(/\.\d+/, '').replace('Z', '').replace(/\+00:00$/, '');
  time.title = utc + ' UTC';
  time.textContent = utc;
  localTime(time);
  return time;
}

function untrusted(text) {
  const bdi = document.createElement('bdi');
  bdi.className = 'untrusted';
  bdi.textContent = text ?? '';
  return bdi;
}

// Live events (server-sent events), newest on top, without moving anything on the screen: the rows of
// the fixed-height table stay where they are (one fixed height each) and their contents move down one
// row, the first row taking the new event; a row is added at the bottom only while under the limit.
// The browser counts no layout shift for that (checked by the Layout Instability API in the tests).
function followEvents(table) {
  const body = table.tBodies[0];
  const limit = Number(table.dataset.limit || 200);
  const headers = [...table.tHead.rows[0].cells];
  const source = new EventSource(table.dataset.stream);
  const status = document.getElementById('live-status');
  source.addEventListener('open', () => { if (status) status.textContent = 'live'; });
  source.addEventListener('error', () => { if (status) status.textContent = 'reconnecting…'; });
  source.addEventListener('security-event', message => {
    const item = JSON.parse(message.data);
    const contents = [timeCell(item.time), untrusted(item.kind), untrusted(item.severity), untrusted(item.deviceId ?? ''), untrusted(item.source ?? ''),
      untrusted(Object.entries(item.details).map(([k, v]) => k + '=' + v).join(' '))];
    if (body.rows.length < limit) {
      const added = body.insertRow(-1);
      // Each cell takes its column's class (a column hidden on a narrow window stays hidden).
      headers.forEach(header => { added.insertCell(-1).className = header.className; });
    }
    for (let r = body.rows.length - 1; r > 0; r--) {
      const [to, from] = [body.rows[r], body.rows[r - 1]];
      to.dataset.id = from.dataset.id ?? '';
      to.className = from.className;
      [...to.cells].forEach((cell, i) => cell.replaceChildren(...from.cells[i].childNodes));
    }
    const first = body.rows[0];
    first.dataset.id = String(item.id);
    first.className = 'sev-' + item.severity;
    [...first.cells].forEach((cell, i) => cell.replaceChildren(contents[i]));
  });
}

// A filter form sends only the fields given, so its address is short enough to bookmark and share.
function dropEmptyFilters(event) {
  const form = event.target;
  if (!form.matches('form.filters')) return;
  for (const field of form.elements) {
    if (field.name && field.value === '') field.disabled = true;
  }
}

// Back to a page from the history cache: its filter fields must be usable again.
window.addEventListener('pageshow', () => {
  document.querySelectorAll('form.filters [name]').forEach(field => { field.disabled = false; });
});
document.addEventListener('submit', dropEmptyFilters);
document.addEventListener('submit', submitApiForm);
document.addEventListener('click', openDialog);
document.querySelectorAll('time[datetime]').forEach(localTime);
document.querySelectorAll('table[data-stream]').forEach(followEvents);
