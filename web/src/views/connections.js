import { h, mount, field, select, checkboxes, radios, formatTime, uid } from '../dom.js';
import { form, notice, run, confirm, CONNECTABLE, DURATIONS } from '../ui.js';
import { invitationButtons } from './members.js';

const ENDED = ['declined', 'cancelled', 'expired', 'disconnecting', 'disconnected'];
const WORK = CONNECTABLE.filter((a) => a !== 'members.manage');

export async function connections(body, ctx) {
  const { api, account } = ctx;
  const base = `/api/accounts/${encodeURIComponent(account.id)}`;
  const isAgency = account.connectionDirection === 'canRequestAccess';
  const side = isAgency ? 'agency' : 'client';
  const sends = ctx.actions.has('members.manage') || ctx.actions.has('connections.request');
  // A client cannot list an agency's members: it learns the names of the agency users it lets in from the access review.
  const reviews = !isAgency && ['orgAdmin', 'accountManager'].includes(ctx.entry.role);
  const [list, invitations, members, review] = await Promise.all([
    api.all(`${base}/connections`),
    sends ? api.all(`${base}/invitations`) : Promise.resolve([]),
    isAgency ? api.all(`${base}/members`) : Promise.resolve([]),
    reviews ? api.get(`${base}/access`) : Promise.resolve({ connections: [] }),
  ]);
  const team = isAgency ? members : review.connections.flatMap((c) => c.users);
  const view = { ...ctx, base, isAgency, side, team };

  const incoming = list.filter((c) => c.state === 'pending' && c.initiatedBy !== side);
  const sent = list.filter((c) => c.state === 'pending' && c.initiatedBy === side);
  const connected = list.filter((c) => c.state === 'active');
  const archived = list.filter((c) => ENDED.includes(c.state));
  const byEmail = invitations.filter((i) => i.kind !== 'member');

  const group = (title, items, empty, draw = (c) => connectionCard(view, c)) => {
    const id = uid('group');
    return h('section', { 'aria-labelledby': id },
      h('h3', { id }, `${title} (${items.length})`),
      items.length ? h('ul', { class: 'cards' }, items.map((item) => h('li', {}, draw(item)))) : h('p', { class: 'empty' }, empty));
  };

  mount(body,
    h('h2', { id: 'section-title' }, 'Connections'),
    h('p', {}, isAgency ? 'This account works in its clients’ accounts.' : 'Agencies connected to this account work in it.'),
    group('Incoming requests', incoming, 'No requests wait for you.'),
    group('Sent requests', sent, 'No requests wait for the other side.'),
    sends && group('Sent by e-mail', byEmail, 'No e-mailed requests are open.', (i) => invitationCard(view, i)),
    group('Connected', connected, isAgency ? 'No clients are connected yet.' : 'No agency is connected yet.'),
    group('Archived', archived, 'Nothing has ended yet.'),
    ctx.actions.has('connections.request') && connectForm(view),
    isAgency && ctx.actions.has('connections.request') && createClientForm(view));

  const focus = ctx.query.get('focus');
  const target = focus && document.getElementById(`connection-${focus}`);
  if (target) {
    target.scrollIntoView();
    target.focus();
  }
}

function otherSide(view, c) {
  const [id, name] = view.isAgency ? [c.clientAccountId, c.clientAccountName] : [c.agencyAccountId, c.agencyAccountName];
  return { id, name: name ?? `a removed account (${id})` };
}

function agencyUsersText(view, c) {
  if (c.agencyUsers.all) return 'the whole agency';
  const names = c.agencyUsers.userIds.map((id) => view.team.find((m) => m.userId === id)?.name ?? id);
  return names.length ? names.join(', ') : 'nobody yet';
}

function connectionCard(view, c) {
  const other = otherSide(view, c);
  const headingId = `connection-${c.id}-title`;
  const card = h('article', { id: `connection-${c.id}`, class: 'card', tabindex: '-1', 'aria-labelledby': headingId },
    h('h4', { id: headingId }, other.name, ' ', h('span', { class: `badge ${c.state}` }, c.state)),
    h('dl', { class: 'facts' },
      h('dt', {}, view.isAgency ? 'Client account ID' : 'Agency account ID'), h('dd', {}, h('code', {}, other.id)),
      h('dt', {}, 'Permissions'), h('dd', {}, c.permissions.join(', ') || 'none'),
      h('dt', {}, 'Agency users'), h('dd', {}, agencyUsersText(view, c)),
      h('dt', {}, 'Requested'), h('dd', {}, `${formatTime(c.requestedAt)} by the ${c.initiatedBy}`),
      c.acceptedAt && [h('dt', {}, 'Accepted'), h('dd', {}, formatTime(c.acceptedAt))],
      h('dt', {}, 'Ends'), h('dd', {}, endText(c)),
      c.message && [h('dt', {}, 'Message'), h('dd', {}, c.message)],
      c.disconnectedAt && [h('dt', {}, 'Disconnected'), h('dd', {}, `${formatTime(c.disconnectedAt)} (${c.disconnectReason ?? 'requested'})`)]));

  const actions = h('div', { class: 'actions' });
  card.append(actions);
  if (view.isAgency && ['disconnecting', 'disconnected'].includes(c.state)) {
    actions.append(h('a', { href: `#/accounts/${encodeURIComponent(c.clientAccountId)}/reports?archived=1` }, 'Open its archived reports'));
  }
  if (c.state === 'pending' && c.initiatedBy !== view.side) {
    const accept = h('button', { type: 'button', 'aria-expanded': 'false' }, 'Accept…');
    accept.addEventListener('click', () => {
      accept.hidden = true;
      card.append(acceptForm(view, c));
      card.querySelector('form input, form select')?.focus();
    });
    actions.append(accept, simple(view, 'Decline', `/api/connections/${c.id}/decline`, `The request from ${other.name} is declined.`));
  }
  if (c.state === 'pending' && c.initiatedBy === view.side) {
    actions.append(simple(view, 'Cancel request', `/api/connections/${c.id}/cancel`, `The request to ${other.name} is cancelled.`));
  }
  if (c.state === 'active') {
    const disconnect = h('button', { type: 'button', class: 'danger' }, 'Disconnect…');
    disconnect.addEventListener('click', () => run(disconnect, () => disconnectFlow(view, c, other)));
    actions.append(disconnect);
    card.append(permissionsForm(view, c));
    if (view.isAgency) card.append(agencyUsersForm(view, c));
    card.append(expiryForm(view, c));
  }
  return card;
}

function endText(c) {
  if (c.expiresAt) return `${formatTime(c.expiresAt)}${c.autoExtend ? `, extends itself by ${c.duration}` : ''}`;
  if (c.duration) return `${c.duration} after it is accepted${c.autoExtend ? ', extending itself' : ''}`;
  return 'No end date';
}

function simple(view, label, path, done) {
  const button = h('button', { type: 'button', class: label.startsWith('Cancel') || label === 'Decline' ? 'danger' : '' }, label);
  button.addEventListener('click', () => run(button, async () => {
    await view.api.post(path);
    await view.done(done);
  }));
  return button;
}

/** Who of the agency works on the client: everyone, or chosen members. */
function agencyUsersPicker(view, current = { all: true }) {
  const users = checkboxes('Agency users', view.team.map((m) => ({ value: m.userId, label: `${m.name} (${m.email})` })), current.userIds ?? []);
  users.node.hidden = current.all === true;
  const mode = radios('Who works on it', [['all', 'The whole agency'], ['selected', 'Selected agency users']], current.all ? 'all' : 'selected',
    (value) => { users.node.hidden = value !== 'selected'; });
  return { nodes: [mode.node, users.node], read: () => (mode.read() === 'all' ? { all: true } : { userIds: users.read() }) };
}

function acceptForm(view, c) {
  const permissions = checkboxes('Permissions to grant (untick to narrow)', c.permissions, c.permissions);
  const users = view.isAgency ? agencyUsersPicker(view, c.agencyUsers) : null;
  return form(`Accept the request from ${otherSide(view, c).name}`, [users?.nodes, permissions.node], 'Accept connection', async () => {
    const accepted = await view.api.post(`/api/connections/${c.id}/accept`, { body: { permissions: permissions.read(), ...(users ? { agencyUsers: users.read() } : {}) } });
    await view.done(`Connected. The agency may now: ${accepted.permissions.join(', ') || 'nothing'}.`);
  });
}

async function disconnectFlow(view, c, other) {
  const preview = await view.api.get(`/api/connections/${c.id}/disconnect-preview`);
  const names = (users) => users.map((u) => `${u.name} (${u.email})`).join(', ');
  const consequences = h('ul', {},
    h('li', {}, preview.usersLosingAccess.length ? `Lose access at once: ${names(preview.usersLosingAccess)}.` : 'No agency user loses access they use now.'),
    h('li', {}, `Reports archived: ${preview.reportsToArchive.length}.`),
    h('li', {}, preview.integrationsToPause.length ? `Integrations paused: ${preview.integrationsToPause.map((i) => i.name).join(', ')}.` : 'No integration is paused.'),
    preview.organisationRemoved && h('li', {}, 'The client’s organisation is removed.'),
    preview.membershipsRemoved.length > 0 && h('li', {}, `Memberships removed: ${names(preview.membershipsRemoved)}.`),
    h('li', {}, 'The admins of both sides are e-mailed.'));
  const yes = await confirm(`Disconnect ${other.name}?`, h('div', {}, h('p', {}, 'This is what disconnecting does:'), consequences), 'Disconnect');
  if (!yes) return;
  const result = await view.api.post(`/api/connections/${c.id}/disconnect`);
  await view.done(`Disconnected from ${other.name} (${result.state}). Access has ended.`);
}

/**
 * What the connection grants from the next request on. "Preview" asks the API what the narrower scope would no
 * longer reach (the disconnect preview with `permissions`), without changing anything.
 */
function permissionsForm(view, c) {
  const permissions = checkboxes('Permissions the connection grants', CONNECTABLE, c.permissions);
  const outcome = h('div', { 'aria-live': 'polite' });
  const preview = h('button', { type: 'button' }, 'Preview the change');
  preview.addEventListener('click', () => run(preview, async () => {
    const { narrowing } = await view.api.get(`/api/connections/${c.id}/disconnect-preview`, { query: { permissions: permissions.read().join(',') } });
    const losses = narrowing.usersLosingActions.map((u) => h('li', {}, `${u.name} (${u.email}) no longer may: ${u.actions.join(', ')}.`));
    mount(outcome, h('ul', { class: 'preview' },
      losses.length ? losses : h('li', {}, 'No agency user loses anything they may do now.'),
      h('li', {}, `Reports no longer reached: ${narrowing.reportsNoLongerReached.length}; items: ${narrowing.itemsNoLongerReached.length}; integrations: ${narrowing.integrationsNoLongerReached.length}.`)));
  }));
  const { details, editor } = connectionEditor(view, c, 'Change permissions', `Permissions of ${otherSide(view, c).name}`,
    [permissions.node, outcome], 'Save permissions', async (etag) => {
      const changed = await view.api.put(`/api/connections/${c.id}/permissions`, { body: { permissions: permissions.read() }, etag });
      await view.done(`The connection now grants: ${changed.permissions.join(', ') || 'nothing'}.`);
    });
  editor.querySelector('.actions').prepend(preview);
  return details;
}

/** Who of the agency works on the client from the next request on (the agency's side of an active connection). */
function agencyUsersForm(view, c) {
  const users = agencyUsersPicker(view, c.agencyUsers);
  return connectionEditor(view, c, 'Change agency users', `Agency users of ${otherSide(view, c).name}`, users.nodes, 'Save agency users', async (etag) => {
    const changed = await view.api.put(`/api/connections/${c.id}/agency-users`, { body: users.read(), etag });
    await view.done(`Now working on ${otherSide(view, c).name}: ${agencyUsersText(view, changed)}.`);
  }).details;
}

function expiryForm(view, c) {
  const duration = select(DURATIONS.filter(([value]) => value), 'P90D', { name: 'duration' });
  const extend = h('input', { type: 'checkbox', id: uid('extend'), checked: c.autoExtend });
  return connectionEditor(view, c, 'Change the end date', `End date of ${otherSide(view, c).name}`, [
    field('New end: from now', duration),
    h('div', { class: 'check' }, extend, h('label', { for: extend.id }, 'Extend by itself at the end')),
  ], 'Set end date', async (etag) => {
    const changed = await view.api.put(`/api/connections/${c.id}/expiry`, { body: { duration: duration.value, autoExtend: extend.checked }, etag });
    await view.done(`The connection now ends ${formatTime(changed.expiresAt)}.`);
  }).details;
}

/**
 * A collapsible editor of one connection. Its ETag is read when the editor opens, so a save answers 412 (shown)
 * when someone else changed the connection while it was open, instead of overwriting what the person never saw.
 */
function connectionEditor(view, c, summary, label, nodes, submitLabel, save) {
  let etag = null;
  const editor = form(label, nodes, submitLabel, () => save(etag));
  const details = h('details', {}, h('summary', {}, summary), editor);
  details.addEventListener('toggle', () => {
    if (details.open) view.api.request('GET', `/api/connections/${c.id}`).then((read) => { etag = read.etag; }, notice.error);
  });
  return { details, editor };
}

function invitationCard(view, i) {
  const what = i.kind === 'clientAccount' ? 'to become the admin of the new client account' : 'to connect';
  return h('article', { class: 'card' },
    h('h4', {}, i.email, ' ', h('span', { class: 'badge pending' }, i.state)),
    h('p', {}, `Invited ${what} on ${formatTime(i.createdAt)} by ${i.invitedByName}; the link works until ${formatTime(i.expiresAt)}.`),
    invitationButtons(view, view.base, i));
}

function connectForm(view) {
  const target = h('input', { type: 'text', name: 'target', required: true });
  const targetField = field('Account ID of the other side', target);
  const by = radios('Connect by', [['id', 'Account ID'], ['email', 'E-mail of an admin of the other side']], 'id', (value) => {
    targetField.querySelector('label').textContent = value === 'id' ? 'Account ID of the other side' : 'E-mail of an admin of the other side';
    target.type = value === 'id' ? 'text' : 'email';
  });
  const users = view.isAgency ? agencyUsersPicker(view) : null;
  const permissions = checkboxes('Permissions', CONNECTABLE, WORK);
  const duration = select(DURATIONS, '', { name: 'duration' });
  const extend = h('input', { type: 'checkbox', id: uid('extend') });
  const message = h('textarea', { name: 'message', rows: 2, maxlength: 1000 });
  return h('section', { 'aria-labelledby': 'connect-title' },
    h('h3', { id: 'connect-title' }, view.isAgency ? 'Request access to a client' : 'Give an agency access'),
    form('Connect', [
      by.node, targetField, users?.nodes, permissions.node,
      field('Ends', duration), h('div', { class: 'check' }, extend, h('label', { for: extend.id }, 'Extend by itself at the end')),
      field('Message (optional)', message),
    ], 'Send request', async () => {
      const request = { permissions: permissions.read() };
      if (by.read() === 'id') request.targetAccountId = target.value.trim();
      else request.targetEmail = target.value.trim();
      if (users) request.agencyUsers = users.read();
      if (duration.value) request.duration = duration.value;
      if (extend.checked) request.autoExtend = true;
      if (message.value.trim()) request.message = message.value.trim();
      const answer = await view.api.post(`${view.base}/connections`, { body: request });
      await view.done(answer.email ? `An e-mail asks ${answer.email} to connect.` : 'The request is sent; it waits for the other side.');
    }));
}

function createClientForm(view) {
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200 });
  const email = h('input', { type: 'email', name: 'email', required: true });
  const permissions = checkboxes('Permissions', CONNECTABLE, WORK);
  const duration = select(DURATIONS, '', { name: 'duration' });
  return h('section', { 'aria-labelledby': 'create-client-title' },
    h('h3', { id: 'create-client-title' }, 'Create a client account'),
    h('p', {}, 'The client is connected at once; its admin gets an e-mail to take it over.'),
    form('Create a client account', [field('Client name', name), field('E-mail of the client’s admin', email), permissions.node, field('Ends', duration)],
      'Create client account', async () => {
        const request = { name: name.value.trim(), email: email.value.trim(), permissions: permissions.read() };
        if (duration.value) request.duration = duration.value;
        const created = await view.api.post(`${view.base}/clients`, { body: request });
        await view.done(`${created.account.name} is created and connected; ${request.email} was invited to take it over. Switch to it from the account list once it appears.`);
      }));
}
