// The seed story: an agency asks a client for access by account ID; the client's admin sees it incoming and
// accepts with narrowed permissions; an agency user switches to the client and creates a report; the client
// reads the disconnect preview and disconnects; the agency no longer reaches the client and sees the connection
// archived (a client with its own organisation keeps its reports: docs/permissions.md, "After a disconnect").
import assert from 'node:assert/strict';
import { scenario, person, shot, notice, createAccount, section, switchTo, eventually } from '../browser.mjs';

const run = Date.now().toString(36);

await scenario('seed-story', async ({ browser, track }) => {
  const alice = track(await person(browser, `alice-${run}@agency.test`, 'Alice'));
  await createAccount(alice, 'Acme Agency', 'agency');
  await shot(alice, 'agency-created');

  const carol = track(await person(browser, `carol-${run}@client.test`, 'Carol'));
  await createAccount(carol, "Bob's Bikes", 'client');
  const clientId = (await carol.locator('#account-id').textContent()).trim();
  await shot(carol, 'client-overview-with-id');

  await section(alice, 'Connections');
  await alice.getByLabel('Account ID of the other side').fill(clientId);
  await alice.getByRole('button', { name: 'Send request' }).click();
  await notice(alice).getByText('The request is sent').waitFor();
  await alice.getByRole('heading', { name: 'Sent requests (1)' }).waitFor();
  await shot(alice, 'request-sent');

  await section(carol, 'Connections');
  await carol.getByRole('heading', { name: 'Incoming requests (1)' }).waitFor();
  await carol.getByRole('region', { name: 'Incoming requests (1)' }).getByRole('heading', { level: 4, name: /^Acme Agency/ }).waitFor();
  await carol.getByRole('button', { name: 'Accept…' }).click();
  const grant = carol.getByRole('group', { name: 'Permissions to grant (untick to narrow)' });
  await grant.getByLabel('reports.create').check();
  await grant.getByLabel('data.exportExternal').uncheck();
  await grant.getByLabel('items.create').uncheck();
  await shot(carol, 'accepting-with-narrowed-permissions');
  await carol.getByRole('button', { name: 'Accept connection' }).click();
  const accepted = await notice(carol).getByText('Connected.').textContent();
  assert.doesNotMatch(accepted, /data\.exportExternal|items\.create/);
  assert.match(accepted, /reports\.create/);
  await carol.getByRole('heading', { name: 'Connected (1)' }).waitFor();
  await shot(carol, 'connected');

  const viaLabel = "Bob's Bikes (client, via Acme Agency)";
  await eventually(alice, async () => (await alice.getByLabel('Account', { exact: true }).locator('option', { hasText: viaLabel }).count()) === 1,
    'the client in the agency user’s account switcher');
  await switchTo(alice, viaLabel);
  await alice.getByText('You work here through Acme Agency.').waitFor();
  await section(alice, 'Reports');
  await alice.getByLabel('Report name').fill('Q4 traffic');
  await alice.getByRole('button', { name: 'Create report' }).click();
  await alice.getByRole('cell', { name: 'Q4 traffic' }).waitFor();
  await shot(alice, 'agency-user-created-a-report');

  await carol.reload();
  await carol.getByRole('button', { name: 'Disconnect…' }).click();
  const dialog = carol.getByRole('dialog', { name: 'Disconnect Acme Agency?' });
  await dialog.getByText(/Lose access at once: .*Alice/).waitFor();
  await shot(carol, 'disconnect-preview');
  await dialog.getByRole('button', { name: 'Disconnect' }).click();
  await notice(carol).getByText('Access has ended').waitFor();
  await carol.getByRole('heading', { name: 'Archived (1)' }).waitFor();
  await shot(carol, 'disconnected');

  await alice.goto(`${alice.url().split('#')[0]}#/`);
  await eventually(alice, async () => (await alice.getByLabel('Account', { exact: true }).locator('option', { hasText: viaLabel }).count()) === 0,
    'the client gone from the agency user’s switcher');
  await section(alice, 'Connections');
  const archived = alice.getByRole('region', { name: 'Archived (1)' });
  await archived.getByText('disconnected').first().waitFor();
  await shot(alice, 'agency-sees-the-connection-archived');
});
