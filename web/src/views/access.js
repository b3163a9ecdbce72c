import { h, mount, table, formatTime } from '../dom.js';
import { roleName } from '../ui.js';

/** Who can get into the account now — as the access decision computes it — and who is about to. */
export async function access(body, ctx) {
  const review = await ctx.api.get(`/api/accounts/${encodeURIComponent(ctx.account.id)}/access`);
  const actions = (list) => list.length ? list.join(', ') : 'nothing here';
  mount(body,
    h('h2', { id: 'section-title' }, 'Who can access this account'),
    table('Members', ['Name', 'E-mail', 'Role', 'May'], review.members.map((m) => [m.name, m.email, roleName(m.role), actions(m.actions)])),
    review.connections.map((c) => h('section', { 'aria-label': `Through ${c.agencyName}` },
      table(`Through ${c.agencyName}${c.expiresAt ? `, until ${formatTime(c.expiresAt)}` : ''}`, ['Name', 'E-mail', 'Role at the agency', 'May', 'Last worked here'],
        c.users.map((u) => [u.name, u.email, roleName(u.role), actions(u.actions), formatTime(u.lastAccessAt)])))),
    review.connections.length === 0 && h('p', { class: 'empty' }, 'No agency is connected.'),
    table('Pending invitations', ['E-mail', 'Kind', 'Expires'], review.pending.invitations.map((i) => [i.email, i.kind, formatTime(i.expiresAt)]), 'none'),
    table('Pending connection requests', ['Agency', 'Client', 'Requested'], review.pending.connectionRequests.map((c) => [
      c.agencyAccountName ?? c.agencyAccountId, c.clientAccountName ?? c.clientAccountId, formatTime(c.requestedAt)]), 'none'));
}
