// The page an invitation e-mail links to: /invitations/{token}. The preview needs no sign-in; accepting and
// declining are for the invited address, signed in.
import { h, mount, field, checkboxes, radios, select, formatTime } from './dom.js';
import { form, notice, run, signIn } from './ui.js';

const WHAT = {
  member: (p) => `${p.fromAccountName} invites you to join its team.`,
  connection: (p) => `${p.fromAccountName} asks to connect with one of your accounts.`,
  clientAccount: (p) => `${p.fromAccountName} created an account for you and invites you to take it over as its admin.`,
};

export async function invitationPage(main, app, token, stillCurrent) {
  const path = `/api/invitations/${encodeURIComponent(token)}`;
  let preview;
  try {
    preview = await app.api.get(path);
  } catch (error) {
    if (!stillCurrent()) return;
    if (error.status !== 404) throw error;
    return mount(main,
      h('h1', {}, 'This invitation link does not work'),
      h('p', {}, 'It may be mistyped, or it expired, was already used, or was cancelled. A link works once, for 7 days.'),
      h('p', {}, 'Ask the person who invited you to send a new one. If you already accepted it, ', h('a', { href: '/' }, 'open the console'), ' and sign in.'));
  }
  if (!stillCurrent()) return;

  const summary = h('section', { class: 'card', 'aria-labelledby': 'invitation-title' },
    h('h1', { id: 'invitation-title' }, 'You are invited'),
    h('p', {}, WHAT[preview.kind]?.(preview) ?? `${preview.fromAccountName} invites you.`),
    preview.asksPermissions.includes('members.manage') && h('p', {}, `${preview.fromAccountName} also asks to manage the new account’s team (members.manage); you choose below.`),
    h('p', {}, `The link works until ${formatTime(preview.expiresAt)}.`));

  if (!app.session.user()) {
    return mount(main, summary, signIn(app.session, 'Sign in with the address the invitation was sent to, to accept or decline it.'));
  }

  const accounts = preview.kind === 'connection'
    ? (await app.api.all('/api/accounts')).filter((a) => a.access === 'member' && a.role === 'orgAdmin')
    : [];
  if (!stillCurrent()) return;
  mount(main, summary, answerForm(app, path, preview, accounts));
}

function answerForm(app, path, preview, accounts) {
  const parts = [];
  let read = () => ({});
  if (preview.kind === 'connection') {
    const existing = select(accounts.map((a) => [a.id, `${a.name} (${a.kind})`]), accounts[0]?.id, { name: 'accountId' });
    const existingField = field('Your account', existing);
    const name = h('input', { type: 'text', name: 'newAccountName', maxlength: 200 });
    const nameField = field('Name of the new account', name);
    const which = radios('Which of your accounts connects', [
      ...(accounts.length ? [['existing', 'One I administer']] : []), ['new', 'A new account'],
    ], accounts.length ? 'existing' : 'new', (value) => {
      existingField.hidden = value !== 'existing';
      nameField.hidden = value !== 'new';
    });
    existingField.hidden = !accounts.length;
    nameField.hidden = accounts.length > 0;
    parts.push(which.node, existingField, nameField);
    read = () => (which.read() === 'existing' ? { accountId: existing.value } : { newAccount: { name: name.value.trim() } });
  }
  if (preview.asksPermissions.length) {
    const grant = checkboxes(`Let ${preview.fromAccountName} also`, preview.asksPermissions, preview.asksPermissions);
    parts.push(grant.node);
    const before = read;
    read = () => ({ ...before(), permissions: grant.read() });
  }

  const decline = h('button', { type: 'button', class: 'danger' }, 'Decline');
  decline.addEventListener('click', () => run(decline, async () => {
    await app.api.post(`${path}/decline`);
    mount(document.getElementById('main'), h('h1', {}, 'Invitation declined'), h('p', {}, `${preview.fromAccountName} is told. `, h('a', { href: '/' }, 'Open the console')));
  }));

  const answer = form('Answer the invitation', parts, 'Accept invitation', async () => {
    const accepted = await app.api.post(`${path}/accept`, { body: read() });
    notice.later(preview.kind === 'member' ? `You joined ${preview.fromAccountName}.` : `Accepted: you are connected with ${preview.fromAccountName}.`);
    history.replaceState(null, '', `/#/accounts/${encodeURIComponent(accepted.accountId)}/${preview.kind === 'connection' ? 'connections' : 'overview'}`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });
  answer.querySelector('.actions').append(decline);
  return answer;
}
