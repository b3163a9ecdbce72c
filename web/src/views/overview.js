import { h, mount, field, select } from '../dom.js';
import { form, notice, run } from '../ui.js';

const DIRECTIONS = [['canRequestAccess', 'Requests access to other accounts (works as an agency)'], ['canGrantAccess', 'Grants access to its account (works as a client)']];

export async function overview(body, ctx) {
  const { account, api } = ctx;
  const path = `/api/accounts/${encodeURIComponent(account.id)}`;
  const { etag } = await api.request('GET', path);
  const idText = h('code', { id: 'account-id' }, account.id);
  const copy = h('button', { type: 'button', 'aria-describedby': 'account-id' }, 'Copy account ID');
  copy.addEventListener('click', () => run(copy, async () => {
    await navigator.clipboard.writeText(account.id);
    notice.info('The account ID is copied. Give it to the other side to connect.');
  }));

  const canEdit = ctx.actions.has('members.manage') && ctx.entry.access === 'member';
  const name = h('input', { type: 'text', name: 'name', value: account.name, required: true, maxlength: 200 });
  const direction = select(DIRECTIONS, account.connectionDirection, { name: 'connectionDirection' });

  mount(body,
    h('h2', { id: 'section-title' }, 'Overview'),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Account ID'), h('dd', {}, idText, ' ', copy, h('small', { class: 'hint' }, 'The other side connects with this ID.')),
      h('dt', {}, 'Kind'), h('dd', {}, account.kind),
      h('dt', {}, 'Status'), h('dd', {}, account.status),
      h('dt', {}, 'Connection direction'), h('dd', {}, DIRECTIONS.find(([v]) => v === account.connectionDirection)?.[1] ?? account.connectionDirection),
      account.createdByAccountId && [h('dt', {}, 'Created by agency'), h('dd', {}, ctx.nameOf(account.createdByAccountId) ?? account.createdByAccountId)],
      h('dt', {}, 'What you may do here'), h('dd', {}, [...ctx.actions].sort().join(', ') || 'nothing')),
    canEdit && h('section', { 'aria-labelledby': 'edit-account' },
      h('h3', { id: 'edit-account' }, 'Change the account'),
      form('Change the account', [field('Account name', name), field('Connection direction', direction)], 'Save', async () => {
        const changes = {};
        if (name.value.trim() !== account.name) changes.name = name.value.trim();
        if (direction.value !== account.connectionDirection) changes.connectionDirection = direction.value;
        await api.patch(path, { body: changes, etag });
        notice.later('The account is saved.');
        window.dispatchEvent(new HashChangeEvent('hashchange'));
      })));
}
