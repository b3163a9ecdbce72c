// The rest of what people do every day, each through the console: a member invited, re-sent, accepted from the
// link, made view-only and removed; a connection asked by e-mail and accepted on the invitation page with an account
// chosen; an end date changed; reports renamed, exported and deleted; the activity trail and the access review
// read; a request declined and another cancelled.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { scenario, person, shot, notice, createAccount, section, switchTo, eventually, linkInMail, signIn } from '../browser.mjs';

const run = Date.now().toString(36);
const bob = `bob-${run}@agency.test`;
const carol = `carol-${run}@client.test`;
const invitationLink = /https?:\/\/[^\s"<>]+\/invitations\/[A-Za-z0-9_-]+/;

await scenario('everyday', async ({ browser, track }) => {
  const alice = track(await person(browser, `alice-${run}@agency.test`, 'Alice'));
  await createAccount(alice, 'Acme Agency', 'agency');

  // A member: invited, the link re-sent, accepted from the newest e-mail.
  await section(alice, 'Members');
  await alice.getByLabel('E-mail', { exact: true }).fill(bob);
  await alice.getByRole('button', { name: 'Send invitation' }).click();
  await notice(alice).getByText(`An invitation was e-mailed to ${bob}.`).waitFor();
  const first = await linkInMail(bob, invitationLink);
  await alice.getByRole('button', { name: 'Resend' }).click();
  await notice(alice).getByText(`A new link was sent to ${bob}.`).waitFor();
  await shot(alice, 'member-invitation-pending');
  const second = await linkInMail(bob, invitationLink, { seen: [first] });

  const bobPage = track(await (await browser.newContext()).newPage());
  await bobPage.goto(first);
  await bobPage.getByRole('heading', { name: 'This invitation link does not work' }).waitFor();
  await bobPage.goto(second);
  await bobPage.getByText('Acme Agency invites you to join its team.').waitFor();
  await signIn(bobPage, bob, 'Bob');
  await bobPage.getByRole('button', { name: 'Accept invitation' }).click();
  await notice(bobPage).getByText('You joined Acme Agency.').waitFor();
  await bobPage.getByRole('heading', { level: 1, name: /^Acme Agency/ }).waitFor();

  await alice.reload();
  await alice.getByRole('cell', { name: bob, exact: true }).waitFor();

  // A connection asked by e-mail for Bob alone, 90 days; the client's admin picks her account on the invitation page.
  const carolPage = track(await person(browser, carol, 'Carol'));
  await createAccount(carolPage, "Carol's Cafe", 'client');
  await section(alice, 'Connections');
  await alice.getByLabel('E-mail of an admin of the other side').check();
  await alice.getByLabel('E-mail of an admin of the other side', { exact: true }).last().fill(carol);
  await alice.getByLabel('Selected agency users').check();
  await alice.getByRole('group', { name: 'Agency users' }).getByLabel(/^Bob/).check();
  await alice.getByLabel('Ends').first().selectOption('P90D');
  await alice.getByRole('button', { name: 'Send request' }).click();
  await notice(alice).getByText(`An e-mail asks ${carol} to connect.`).waitFor();
  await alice.getByRole('heading', { name: 'Sent by e-mail (1)' }).waitFor();

  await carolPage.goto(await linkInMail(carol, invitationLink));
  await carolPage.getByText('Acme Agency asks to connect with one of your accounts.').waitFor();
  await carolPage.getByLabel('One I administer').check();
  await carolPage.getByLabel('Your account').selectOption({ label: "Carol's Cafe (client)" });
  await shot(carolPage, 'connection-invitation-choosing-an-account');
  await carolPage.getByRole('button', { name: 'Accept invitation' }).click();
  await carolPage.getByRole('heading', { name: 'Connected (1)' }).waitFor();
  const card = carolPage.getByRole('region', { name: 'Connected (1)' }).getByRole('article');
  await card.getByText('Acme Agency', { exact: false }).first().waitFor();
  await card.locator('dt:text("Agency users") + dd').getByText('Bob', { exact: true }).waitFor();
  const ninety = await card.locator('dt:text("Ends") + dd').textContent();

  // An editor holds the connection's ETag from when it opened: a change made meanwhile elsewhere is not overwritten.
  const opened = carolPage.waitForResponse((r) => /\/api\/connections\/[^/]+$/.test(new URL(r.url()).pathname) && r.request().method() === 'GET');
  await card.getByText('Change the end date').click();
  await opened;
  const elsewhere = await carolPage.evaluate(async (url) => {
    const { token } = JSON.parse(sessionStorage.getItem('connected-accounts.session'));
    const answer = await fetch(url, { method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"autoExtend":false}' });
    return answer.status;
  }, `/api/connections/${await card.getAttribute('id').then((id) => id.replace('connection-', ''))}/expiry`);
  assert.equal(elsewhere, 200);
  const stale = carolPage.waitForResponse((r) => r.url().endsWith('/expiry') && r.request().method() === 'PUT');
  await card.getByRole('button', { name: 'Set end date' }).click();
  const refused = await stale;
  assert.equal(refused.status(), 412);
  await notice(carolPage).getByText(`Error: ${(await refused.json()).detail}`).waitFor();
  await carolPage.reload();

  await card.getByText('Change the end date').click();
  await card.getByLabel('New end: from now').selectOption('P30D');
  await card.getByRole('button', { name: 'Set end date' }).click();
  await notice(carolPage).getByText('The connection now ends').waitFor();
  const thirty = await carolPage.getByRole('region', { name: 'Connected (1)' }).locator('dt:text("Ends") + dd').textContent();
  assert.notEqual(thirty, ninety);
  assert.ok(new Date(thirty.replace(' UTC', 'Z')) < new Date(ninety.replace(' UTC', 'Z')), `${thirty} is before ${ninety}`);
  await shot(carolPage, 'end-date-changed');

  // Bob, chosen for the connection, works on the client's reports: create, rename, export, delete.
  await bobPage.reload();
  const viaLabel = "Carol's Cafe (client, via Acme Agency)";
  await eventually(bobPage, async () => (await bobPage.getByLabel('Account', { exact: true }).locator('option', { hasText: viaLabel }).count()) === 1,
    'the client in Bob’s switcher');
  await switchTo(bobPage, viaLabel);
  await section(bobPage, 'Reports');
  await bobPage.getByLabel('Report name').fill('Weekly');
  await bobPage.getByRole('button', { name: 'Create report' }).click();
  await bobPage.getByRole('cell', { name: 'Weekly', exact: true }).waitFor();
  await bobPage.getByRole('button', { name: 'Rename' }).click();
  await bobPage.getByLabel('New name of Weekly').fill('Weekly traffic');
  await bobPage.getByRole('button', { name: 'Save name' }).click();
  await bobPage.getByRole('cell', { name: 'Weekly traffic', exact: true }).waitFor();
  const download = bobPage.waitForEvent('download');
  await bobPage.getByRole('button', { name: 'Export CSV' }).click();
  const csv = await readFile(await (await download).path(), 'utf8');
  assert.match(csv, /Weekly traffic/);
  await shot(bobPage, 'report-renamed-and-exported');

  // The client's admin narrows what the connection grants, after the preview says what Bob loses.
  const permissionsCard = carolPage.getByRole('region', { name: 'Connected (1)' }).getByRole('article');
  await permissionsCard.getByText('Change permissions').click();
  await permissionsCard.getByRole('group', { name: 'Permissions the connection grants' }).getByLabel('reports.export').uncheck();
  await permissionsCard.getByRole('button', { name: 'Preview the change' }).click();
  await permissionsCard.getByText(/^Bob \(.*\) no longer may: reports\.export\.$/).waitFor();
  await shot(carolPage, 'permissions-narrowing-preview');
  await permissionsCard.getByRole('button', { name: 'Save permissions' }).click();
  await notice(carolPage).getByText('The connection now grants:').waitFor();
  assert.doesNotMatch(await notice(carolPage).textContent(), /reports\.export/);
  await bobPage.reload();
  await bobPage.getByRole('cell', { name: 'Weekly traffic', exact: true }).waitFor();
  assert.equal(await bobPage.getByRole('button', { name: 'Export CSV' }).count(), 0, 'export is gone with the permission');

  await bobPage.getByRole('button', { name: 'Delete' }).click();
  await bobPage.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await notice(bobPage).getByText('“Weekly traffic” is deleted.').waitFor();
  await bobPage.getByText('Reports: none yet').waitFor();

  // The client's admin reads the trail and who can get in.
  await section(carolPage, 'Activity');
  for (const action of ['report.created', 'report.configured', 'report.exported', 'report.deleted', 'connection.expiryChanged', 'connection.permissionsChanged']) {
    await carolPage.getByRole('cell', { name: action, exact: true }).first().waitFor();
  }
  await shot(carolPage, 'activity');
  await section(carolPage, 'Who can access');
  const through = carolPage.getByRole('table', { name: /^Through Acme Agency/ });
  await through.getByRole('cell', { name: bob, exact: true }).waitFor();
  assert.equal(await through.getByRole('cell', { name: `alice-${run}@agency.test`, exact: true }).count(), 0, 'only the chosen agency user');
  await shot(carolPage, 'who-can-access');

  // Another client account of Carol's: Alice's request by ID is declined; the next one Alice cancels.
  await createAccount(carolPage, 'Side Shop', 'client');
  const sideShop = (await carolPage.locator('#account-id').textContent()).trim();
  for (let i = 0; i < 2; i++) {
    await alice.getByRole('navigation', { name: 'Account sections' }).getByRole('link', { name: 'Connections' }).click();
    await alice.getByRole('radio', { name: 'Account ID' }).check();
    await alice.getByLabel('Account ID of the other side').fill(sideShop);
    await alice.getByRole('button', { name: 'Send request' }).click();
    await notice(alice).getByText('The request is sent').waitFor();
    if (i === 0) {
      await section(carolPage, 'Connections');
      await carolPage.getByRole('button', { name: 'Decline' }).click();
      await notice(carolPage).getByText('is declined').waitFor();
    } else {
      await alice.getByRole('button', { name: 'Cancel request' }).click();
      await notice(alice).getByText('is cancelled').waitFor();
    }
  }
  await carolPage.reload();
  await carolPage.getByRole('heading', { name: 'Archived (2)' }).waitFor();
  const archived = carolPage.getByRole('region', { name: 'Archived (2)' });
  await archived.getByText('declined', { exact: true }).waitFor();
  await archived.getByText('cancelled', { exact: true }).waitFor();
  await shot(carolPage, 'declined-and-cancelled');

  // The agency gives the client to the whole agency, then to Bob alone again.
  await alice.getByRole('navigation', { name: 'Account sections' }).getByRole('link', { name: 'Connections' }).click();
  await alice.reload();
  const clientCard = alice.getByRole('region', { name: 'Connected (1)' }).getByRole('article');
  await clientCard.getByText('Change agency users').click();
  await clientCard.getByLabel('The whole agency').check();
  await clientCard.getByRole('button', { name: 'Save agency users' }).click();
  await notice(alice).getByText("Now working on Carol's Cafe: the whole agency.").waitFor();
  const again = alice.getByRole('region', { name: 'Connected (1)' }).getByRole('article');
  await again.getByText('Change agency users').click();
  await again.getByLabel('Selected agency users').check();
  await again.getByRole('group', { name: 'Agency users' }).getByLabel(/^Bob/).check();
  await again.getByRole('button', { name: 'Save agency users' }).click();
  await notice(alice).getByText("Now working on Carol's Cafe: Bob.").waitFor();

  // Bob is made view-only, then leaves the agency.
  await section(alice, 'Members');
  await alice.getByLabel('Role of Bob').selectOption('viewOnly');
  await alice.getByRole('row', { name: /Bob/ }).getByRole('button', { name: 'Change role' }).click();
  await notice(alice).getByText('Bob is now View only.').waitFor();
  assert.equal(await alice.getByLabel('Role of Bob').inputValue(), 'viewOnly');
  await alice.getByRole('row', { name: /Bob/ }).getByRole('button', { name: 'Remove' }).click();
  await alice.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
  await notice(alice).getByText('Bob was removed.').waitFor();
  assert.equal(await alice.getByRole('cell', { name: bob, exact: true }).count(), 0);
});
