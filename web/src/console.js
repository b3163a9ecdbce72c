// The console: the account switcher, the sections of one account, and creating an account.
import { h, mount, field, select, radios } from './dom.js';
import { form, notice } from './ui.js';
import { overview } from './views/overview.js';
import { members } from './views/members.js';
import { connections } from './views/connections.js';
import { reports } from './views/reports.js';
import { activity } from './views/activity.js';
import { access } from './views/access.js';

const SECTIONS = [
  ['overview', 'Overview', overview],
  ['members', 'Members', members],
  ['connections', 'Connections', connections],
  ['reports', 'Reports', reports],
  ['activity', 'Activity', activity],
  ['access', 'Who can access', access],
];

/** Reads `#/accounts/{id}/{section}?{query}` or `#/new`. */
function parseHash() {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { accountId: parts[0] === 'accounts' ? parts[1] : null, section: parts[2] ?? 'overview', creating: parts[0] === 'new', query: new URLSearchParams(query) };
}

export const accountHref = (accountId, section = 'overview') => `#/accounts/${encodeURIComponent(accountId)}/${section}`;

export async function consolePage(main, app, stillCurrent) {
  const where = parseHash();
  const accounts = await app.api.all('/api/accounts');
  if (!stillCurrent()) return;
  if (where.creating || accounts.length === 0) return mount(main, h('h1', {}, accounts.length ? 'New account' : 'Welcome'), createAccount(app, accounts.length === 0));

  let entry = accounts.find((a) => a.id === where.accountId);
  if (!entry && where.accountId) {
    // Not in the switcher but maybe still readable: an archived client the agency created keeps its reports.
    const account = await app.api.get(`/api/accounts/${encodeURIComponent(where.accountId)}`).catch((error) => notice.error(error));
    if (!stillCurrent()) return;
    if (account) {
      entry = { id: account.id, name: account.name, kind: account.kind, status: account.status, role: null, access: 'connected', viaAccountId: null };
      accounts.push(entry);
    }
  }
  entry ??= accounts[0];
  const available = SECTIONS.filter(([key]) => entry.access === 'member' || ['overview', 'reports'].includes(key));
  const section = available.find(([key]) => key === where.section) ?? available[0];
  if (entry.id !== where.accountId || section[0] !== where.section) {
    history.replaceState(null, '', accountHref(entry.id, section[0]));
  }
  const [account, permissions] = await Promise.all([
    app.api.get(`/api/accounts/${encodeURIComponent(entry.id)}`),
    app.api.get(`/api/accounts/${encodeURIComponent(entry.id)}/permissions`),
  ]);
  if (!stillCurrent()) return;

  const body = h('section', { class: 'section', 'aria-labelledby': 'section-title' });
  const via = entry.viaAccountId ? accounts.find((a) => a.id === entry.viaAccountId)?.name ?? entry.viaAccountId : null;
  mount(main,
    switcher(accounts, entry),
    h('h1', {}, account.name, ' ', h('span', { class: 'badge' }, account.kind), account.status === 'archived' && h('span', { class: 'badge archived' }, 'archived')),
    via && h('p', { class: 'via' }, `You work here through ${via}.`),
    h('nav', { 'aria-label': 'Account sections', class: 'tabs' },
      h('ul', {}, available.map(([key, label]) => h('li', {}, h('a', { href: accountHref(entry.id, key), 'aria-current': key === section[0] ? 'page' : null }, label))))),
    body);

  const ctx = {
    ...app,
    account,
    entry,
    accounts,
    actions: new Set(permissions.actions),
    query: where.query,
    nameOf: (id) => accounts.find((a) => a.id === id)?.name ?? null,
    reload: () => renderSection(),
    /** Draws the section again, then confirms what was done. */
    done: async (text) => {
      await renderSection();
      notice.info(text);
    },
  };
  const renderSection = async () => {
    mount(body, h('h2', { id: 'section-title' }, section[1]), h('p', { class: 'loading' }, 'Loading…'));
    try {
      await section[2](body, ctx);
    } catch (error) {
      mount(body, h('h2', { id: 'section-title' }, section[1]), h('p', {}, 'This section could not be shown.'));
      notice.error(error);
    }
  };
  await renderSection();
}

function switcher(accounts, current) {
  const label = (a) => {
    if (a.access === 'member') return `${a.name} (${a.kind}, ${a.role})`;
    if (!a.viaAccountId) return `${a.name} (${a.kind}, ${a.status})`;
    return `${a.name} (${a.kind}, via ${accounts.find((x) => x.id === a.viaAccountId)?.name ?? a.viaAccountId})`;
  };
  const choice = select(accounts.map((a) => [a.id, label(a)]), current.id, { name: 'account' });
  const element = h('form', { class: 'switcher', 'aria-label': 'Switch account' },
    field('Account', choice),
    h('button', { type: 'submit' }, 'Switch'),
    h('a', { href: '#/new', class: 'button-link' }, 'New account'));
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    const target = accounts.find((a) => a.id === choice.value);
    location.hash = accountHref(target.id, target.access === 'connected' ? 'reports' : 'overview');
  });
  return element;
}

function createAccount(app, first) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200 });
  const kind = radios('Kind', [['agency', 'Agency — works in its clients’ accounts'], ['client', 'Client — lets agencies work in it']], 'agency');
  return h('div', { class: 'card' },
    first && h('p', {}, 'You are not a member of any account yet. Create one, or accept an invitation from the link in your e-mail.'),
    form('Create account', [field('Account name', name), kind.node], 'Create account', async () => {
      const account = await app.api.post('/api/accounts', { body: { name: name.value.trim(), kind: kind.read() } });
      notice.later(`${account.name} was created; you are its org admin.`);
      location.hash = accountHref(account.id);
    }));
}
