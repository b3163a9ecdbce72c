// The e-mail path: an agency creates a client account for someone by e-mail; the invitee opens the link from the
// .eml in the pickup folder, signs in and accepts, becoming the client's admin. The agency works in the client and
// shares a report, which the client's admin then sees;
// the client's admin disconnects; the agency still reads the report, archived (an agency-created client).
import assert from 'node:assert/strict';
import { scenario, person, shot, notice, createAccount, section, switchTo, eventually, linkInMail, baseUrl, signIn } from '../browser.mjs';

const run = Date.now().toString(36);
const dana = `dana-${run}@client.test`;

await scenario('email-path', async ({ browser, track }) => {
  const alice = track(await person(browser, `alice-${run}@agency.test`, 'Alice'));
  await createAccount(alice, 'Acme Agency', 'agency');
  await section(alice, 'Connections');
  await alice.getByLabel('Client name').fill("Dana's Deli");
  await alice.getByLabel('E-mail of the client’s admin').fill(dana);
  await alice.getByRole('button', { name: 'Create client account' }).click();
  await notice(alice).getByText("Dana's Deli is created and connected").waitFor();
  await shot(alice, 'client-account-created');

  const link = await linkInMail(dana, /https?:\/\/[^\s"<>]+\/invitations\/[A-Za-z0-9_-]+/);
  assert.ok(link.startsWith(baseUrl), `the e-mailed link ${link} opens this service`);
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const invitee = track(await context.newPage());
  await invitee.goto(link);
  await invitee.getByRole('heading', { name: 'You are invited' }).waitFor();
  await invitee.getByText('Acme Agency created an account for you').waitFor();
  await shot(invitee, 'invitation-page-before-sign-in');
  await signIn(invitee, dana, 'Dana');
  await shot(invitee, 'invitation-page-signed-in');
  await invitee.getByRole('button', { name: 'Accept invitation' }).click();
  await invitee.getByRole('heading', { level: 1, name: /^Dana's Deli/ }).waitFor();
  await notice(invitee).getByText('Accepted').waitFor();
  await shot(invitee, 'invitee-is-the-client-admin');

  const viaLabel = "Dana's Deli (client, via Acme Agency)";
  await eventually(alice, async () => (await alice.getByLabel('Account', { exact: true }).locator('option', { hasText: viaLabel }).count()) === 1,
    'the created client in the agency user’s switcher');
  await switchTo(alice, viaLabel);
  await section(alice, 'Reports');
  await alice.getByLabel('Report name').fill('Menu sales');
  await alice.getByRole('button', { name: 'Create report' }).click();
  await alice.getByRole('cell', { name: 'Menu sales' }).waitFor();
  await alice.getByRole('button', { name: 'Share with client' }).click();
  await notice(alice).getByText('“Menu sales” is shared with the client’s users.').waitFor();
  await alice.getByRole('row', { name: /Menu sales/ }).getByRole('cell', { name: 'yes', exact: true }).waitFor();
  await section(invitee, 'Reports');
  await invitee.getByRole('cell', { name: 'Menu sales' }).waitFor();

  await section(invitee, 'Connections');
  await invitee.getByRole('button', { name: 'Disconnect…' }).click();
  const dialog = invitee.getByRole('dialog');
  await dialog.getByText('Reports archived: 1.').waitFor();
  await dialog.getByText('The client’s organisation is removed.').waitFor();
  await shot(invitee, 'disconnect-preview-of-an-agency-created-client');
  await dialog.getByRole('button', { name: 'Disconnect' }).click();
  await notice(invitee).getByText('Access has ended').waitFor();

  await alice.goto(`${baseUrl}/#/`);
  await section(alice, 'Connections');
  await alice.getByRole('region', { name: 'Archived (1)' }).getByRole('link', { name: 'Open its archived reports' }).click();
  await alice.getByRole('heading', { level: 1, name: /^Dana's Deli/ }).waitFor();
  assert.ok(await alice.getByLabel('Show archived').isChecked());
  const row = alice.getByRole('row', { name: /Menu sales/ });
  await row.getByText(/^archived/).waitFor();
  assert.equal(await row.getByRole('button', { name: 'Rename' }).count(), 0, 'an archived report cannot be renamed');
  await shot(alice, 'agency-sees-the-report-archived');

  await invitee.goto(link);
  await invitee.getByRole('heading', { name: 'This invitation link does not work' }).waitFor();
  await shot(invitee, 'used-link');
});
