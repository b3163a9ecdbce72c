import { h, mount, table, formatTime } from '../dom.js';

const actorText = (actor) => actor.via === 'system' ? 'the system' : `${actor.name} (${actor.email})${actor.via === 'connection' ? ' through an agency' : ''}`;

/** The account's trail, newest first, one page at a time. */
export async function activity(body, ctx) {
  const base = `/api/accounts/${encodeURIComponent(ctx.account.id)}/activity`;
  const rows = [];
  const list = h('div');
  const more = h('button', { type: 'button' }, 'Show older entries');
  let token = null;
  const load = async () => {
    const page = await ctx.api.get(base, { query: { pageSize: 50, continuationToken: token } });
    token = page.continuationToken;
    rows.push(...page.items.map((e) => [
      formatTime(e.at), actorText(e.actor), e.action, `${e.subject.type} ${e.subject.name ?? e.subject.id}`,
      Object.entries(e.details ?? {}).map(([k, v]) => `${k}: ${v}`).join('; '),
    ]));
    mount(list, table('Activity', ['When', 'Who', 'What', 'Subject', 'Details'], rows, 'nothing recorded yet'));
    more.hidden = !token;
  };
  more.addEventListener('click', load);
  mount(body, h('h2', { id: 'section-title' }, 'Activity'), list, more);
  await load();
}
