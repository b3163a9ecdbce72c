// Pages behind the links e-mails carry, other than the invitation: a connection (accepted, extend, ask to extend)
// and an expired invitation's one-click resend. Each leads into the console at the right account.
import { h, mount, formatTime } from './dom.js';
import { notice, run } from './ui.js';

export function linkRoute(path) {
  const connection = path.match(/^\/connections\/([^/]+)(?:\/(extend|ask-to-extend))?\/?$/);
  if (connection) return { kind: 'connection', connectionId: decodeURIComponent(connection[1]), intent: connection[2] ?? null };
  const resend = path.match(/^\/accounts\/([^/]+)\/invitations\/([^/]+)\/resend\/?$/);
  if (resend) return { kind: 'resend', accountId: decodeURIComponent(resend[1]), invitationId: decodeURIComponent(resend[2]) };
  return null;
}

const intoConsole = (accountId, tab, reroute) => {
  history.replaceState(null, '', `/#/accounts/${encodeURIComponent(accountId)}/${tab}`);
  reroute();
};

export async function linkPage(main, app, link, reroute) {
  if (link.kind === 'resend') {
    const button = h('button', { type: 'button' }, 'Resend the invitation');
    button.addEventListener('click', () => run(button, async () => {
      const sent = await app.api.post(`/api/accounts/${encodeURIComponent(link.accountId)}/invitations/${encodeURIComponent(link.invitationId)}/resend`);
      notice.later(`A new invitation was sent to ${sent.email}; it is valid until ${formatTime(sent.expiresAt)}.`);
      intoConsole(link.accountId, sent.kind === 'member' ? 'members' : 'connections', reroute);
    }));
    const later = h('a', { href: `/#/accounts/${encodeURIComponent(link.accountId)}/overview` }, 'Go to the account instead');
    return mount(main, h('h1', {}, 'The invitation expired'), h('p', {}, 'Send a new link with the same terms? The old one stays dead.'), button, ' ', later);
  }

  const connection = await app.api.get(`/api/connections/${encodeURIComponent(link.connectionId)}`);
  const mine = new Set((await app.api.all('/api/accounts')).filter((a) => a.access === 'member').map((a) => a.id));
  const side = link.intent === 'ask-to-extend' || !mine.has(connection.clientAccountId) ? connection.agencyAccountId : connection.clientAccountId;
  if (link.intent === 'extend') notice.later('Choose a new end date under “Connected” below.');
  if (link.intent === 'ask-to-extend') notice.later('Only the client can extend the connection: ask one of its admins, or end it sooner below.');
  intoConsole(side, 'connections', reroute);
}
