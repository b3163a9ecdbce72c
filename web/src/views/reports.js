import { h, mount, field, table, formatTime } from '../dom.js';
import { form, run, confirm } from '../ui.js';

export async function reports(body, ctx) {
  const { api, account } = ctx;
  const base = `/api/accounts/${encodeURIComponent(account.id)}/reports`;
  const showArchived = ctx.query.get('archived') === '1';
  const list = await api.all(base, { includeArchived: showArchived ? 'true' : undefined });
  const can = (action) => ctx.actions.has(action);
  const sharing = account.createdByAccountId && ctx.entry.access === 'connected' && can('reports.configure');

  const archivedBox = h('input', { type: 'checkbox', id: 'show-archived', checked: showArchived });
  archivedBox.addEventListener('change', () => {
    location.hash = `#/accounts/${encodeURIComponent(account.id)}/reports${archivedBox.checked ? '?archived=1' : ''}`;
  });

  const rows = list.map((r) => {
    const buttons = [];
    if (!r.archived && can('reports.configure')) buttons.push(renameButton(ctx, base, r));
    if (can('reports.export')) buttons.push(exportButton(ctx, base, r));
    if (!r.archived && sharing) buttons.push(shareButton(ctx, base, r));
    if (!r.archived && can('reports.configure')) buttons.push(deleteButton(ctx, base, r));
    return [r.name, r.archived ? h('span', { class: 'badge archived' }, `archived ${formatTime(r.archivedAt)}`) : 'active',
      r.sharedWithClient ? 'yes' : 'no', formatTime(r.updatedAt), h('span', { class: 'row-actions' }, buttons)];
  });

  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200 });
  mount(body,
    h('h2', { id: 'section-title' }, 'Reports'),
    h('div', { class: 'check' }, archivedBox, h('label', { for: 'show-archived' }, 'Show archived')),
    table('Reports', ['Name', 'State', 'Shared with client', 'Updated', 'Actions'], rows, 'none yet'),
    can('reports.create') && account.status === 'active' && h('section', { 'aria-labelledby': 'new-report' },
      h('h3', { id: 'new-report' }, 'New report'),
      form('New report', [field('Report name', name)], 'Create report', async () => {
        const created = await api.post(base, { body: { name: name.value.trim() } });
        await ctx.done(`Report “${created.name}” is created.`);
      })));
}

function renameButton(ctx, base, r) {
  const button = h('button', { type: 'button' }, 'Rename');
  button.addEventListener('click', () => run(button, async () => {
    // The ETag of the report as renaming starts: a change by someone else meanwhile answers 412 rather than being overwritten.
    const { etag } = await ctx.api.request('GET', `${base}/${r.id}`);
    const name = h('input', { type: 'text', value: r.name, required: true, maxlength: 200 });
    const renaming = form(`Rename ${r.name}`, [field(`New name of ${r.name}`, name)], 'Save name', async () => {
      await ctx.api.patch(`${base}/${r.id}`, { body: { name: name.value.trim() }, etag });
      await ctx.done(`The report is renamed “${name.value.trim()}”.`);
    });
    button.replaceWith(renaming);
    name.focus();
  }));
  return button;
}

function exportButton(ctx, base, r) {
  const button = h('button', { type: 'button' }, 'Export CSV');
  button.addEventListener('click', () => run(button, async () => {
    const { data } = await ctx.api.request('GET', `${base}/${r.id}/export`);
    const link = h('a', { href: URL.createObjectURL(new Blob([data], { type: 'text/csv' })), download: `${r.name}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  }));
  return button;
}

function shareButton(ctx, base, r) {
  const button = h('button', { type: 'button', 'aria-pressed': String(r.sharedWithClient) }, r.sharedWithClient ? 'Stop sharing' : 'Share with client');
  button.addEventListener('click', () => run(button, async () => {
    await ctx.api.put(`${base}/${r.id}/sharing`, { body: { sharedWithClient: !r.sharedWithClient } });
    await ctx.done(r.sharedWithClient ? `“${r.name}” is no longer shared.` : `“${r.name}” is shared with the client’s users.`);
  }));
  return button;
}

function deleteButton(ctx, base, r) {
  const button = h('button', { type: 'button', class: 'danger' }, 'Delete');
  button.addEventListener('click', async () => {
    if (!(await confirm(`Delete “${r.name}”?`, h('p', {}, 'The report is gone for everyone.'), 'Delete'))) return;
    await run(button, async () => {
      await ctx.api.delete(`${base}/${r.id}`);
      await ctx.done(`“${r.name}” is deleted.`);
    });
  });
  return button;
}
