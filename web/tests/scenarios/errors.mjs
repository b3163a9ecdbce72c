// Errors are shown as the API's problem detail, in the alert region, and the page stays usable; an unknown
// invitation link gets one honest message and what to do next.
import assert from 'node:assert/strict';
import { scenario, person, shot, notice, createAccount, section, baseUrl } from '../browser.mjs';

const run = Date.now().toString(36);

await scenario('errors', async ({ browser, track }) => {
  const erin = track(await person(browser, `erin-${run}@agency.test`, 'Erin'));
  await createAccount(erin, 'Erin Agency', 'agency');
  await section(erin, 'Connections');

  // An account ID nobody has: the API's 404 problem, its detail shown word for word.
  await erin.getByLabel('Account ID of the other side').fill('accdoesnotexist000000000');
  const answer = erin.waitForResponse((r) => r.url().endsWith('/connections') && r.request().method() === 'POST');
  await erin.getByRole('button', { name: 'Send request' }).click();
  const response = await answer;
  assert.equal(response.status(), 404);
  assert.match(response.headers()['content-type'], /application\/problem\+json/);
  const problem = await response.json();
  const shown = notice(erin).getByRole('paragraph');
  await shown.waitFor();
  assert.equal((await shown.textContent()).trim(), `Error: ${problem.detail}`);
  await shot(erin, 'unknown-account-id');

  // A validation problem lists its fields: an e-mail address of 300 characters.
  await erin.getByLabel('E-mail of an admin of the other side').check();
  await erin.getByLabel('E-mail of an admin of the other side', { exact: true }).last().fill(`${'x'.repeat(300)}@client.test`);
  const invalid = erin.waitForResponse((r) => r.url().endsWith('/connections') && r.request().method() === 'POST');
  await erin.getByRole('button', { name: 'Send request' }).click();
  const rejected = await (await invalid).json();
  assert.equal(rejected.status, 400);
  const [fieldName] = Object.keys(rejected.errors);
  await notice(erin).getByText(`${fieldName}:`, { exact: false }).waitFor();
  await shot(erin, 'validation-problem');

  // The form still works after an error.
  assert.equal(await erin.getByRole('button', { name: 'Send request' }).isEnabled(), true);

  const stranger = track(await browser.newPage());
  await stranger.goto(`${baseUrl}/invitations/not-a-real-token`);
  await stranger.getByRole('heading', { name: 'This invitation link does not work' }).waitFor();
  await stranger.getByText('Ask the person who invited you to send a new one.').waitFor();
  await shot(stranger, 'unknown-invitation-link');
});
