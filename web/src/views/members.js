import { h, mount, field, select, checkboxes, table, formatTime } from '../dom.js';
import { form, notice, run, confirm, ROLES, roleName, ALL_ACTIONS } from '../ui.js';

export async function members(body, ctx) {
  const { api, account } = ctx;
  const base = `/api/accounts/${encodeURIComponent(account.id)}`;
  const [people, invitations] = await Promise.all([
    api.all(`${base}/members`),
    ctx.actions.has('members.manage') ? api.all(`${base}/invitations`) : Promise.resolve([]),
  ]);
  const manage = ctx.actions.has('members.manage');

  const rows = people.map((m) => {
    if (!manage) return [m.name, m.email, roleName(m.role), ''];
    const role = select(ROLES, m.role, { 'aria-label': `Role of ${m.name}` });
    const save = h('button', { type: 'button' }, 'Change role');
    save.addEventListener('click', () => run(save, async () => {
      await api.patch(`${base}/members/${encodeURIComponent(m.userId)}`, { body: { role: role.value } });
      await ctx.done(`${m.name} is now ${roleName(role.value)}.`);
    }));
    const remove = h('button', { type: 'button', class: 'danger' }, 'Remove');
    remove.addEventListener('click', async () => {
      if (!(await confirm(`Remove ${m.name}?`, h('p', {}, `${m.email} loses access to ${account.name} at once.`), 'Remove'))) return;
      await run(remove, async () => {
        await api.delete(`${base}/members/${encodeURIComponent(m.userId)}`);
        await ctx.done(`${m.name} was removed.`);
      });
    });
    return [m.name, m.email, role, h('span', { class: 'row-actions' }, save, remove)];
  });

  const pending = invitations.filter((i) => i.kind === 'member').map((i) => [
    i.email, roleName(i.role), (i.actions ?? []).join(', ') || 'all of the role', formatTime(i.expiresAt), invitationButtons(ctx, base, i),
  ]);

  mount(body,
    h('h2', { id: 'section-title' }, 'Members'),
    table('Members', ['Name', 'E-mail', 'Role', 'Actions'], rows),
    manage && inviteForm(ctx, base),
    manage && table('Pending invitations', ['E-mail', 'Role', 'Narrowed to', 'Expires', 'Actions'], pending, 'none open'));
}

/** Resend (a new link with the same terms) and cancel, for any of the account's pending invitations. */
export function invitationButtons(ctx, base, invitation) {
  const resend = h('button', { type: 'button' }, 'Resend');
  resend.addEventListener('click', () => run(resend, async () => {
    await ctx.api.post(`${base}/invitations/${encodeURIComponent(invitation.id)}/resend`);
    await ctx.done(`A new link was sent to ${invitation.email}.`);
  }));
  const cancel = h('button', { type: 'button', class: 'danger' }, 'Cancel invitation');
  cancel.addEventListener('click', () => run(cancel, async () => {
    await ctx.api.post(`${base}/invitations/${encodeURIComponent(invitation.id)}/cancel`);
    await ctx.done(`The invitation to ${invitation.email} is cancelled; its link no longer works.`);
  }));
  return h('span', { class: 'row-actions', 'aria-label': `Invitation to ${invitation.email}` }, resend, cancel);
}

function inviteForm(ctx, base) {
  const email = h('input', { type: 'email', name: 'email', required: true });
  const role = select(ROLES, 'regularUser', { name: 'role' });
  const narrow = h('input', { type: 'checkbox', id: 'narrow-actions' });
  const actions = checkboxes('Only these actions', ALL_ACTIONS);
  actions.node.hidden = true;
  narrow.addEventListener('change', () => { actions.node.hidden = !narrow.checked; });
  return h('section', { 'aria-labelledby': 'invite-title' },
    h('h3', { id: 'invite-title' }, 'Invite a member'),
    form('Invite a member', [
      field('E-mail', email),
      field('Role', role),
      h('div', { class: 'check' }, narrow, h('label', { for: 'narrow-actions' }, 'Narrow the role to some actions')),
      actions.node,
    ], 'Send invitation', async () => {
      const bodyOut = { email: email.value.trim(), role: role.value };
      if (narrow.checked) bodyOut.actions = actions.read();
      await ctx.api.post(`${base}/members`, { body: bodyOut });
      await ctx.done(`An invitation was e-mailed to ${bodyOut.email}.`);
    }));
}
