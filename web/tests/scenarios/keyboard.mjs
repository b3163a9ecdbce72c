// Keyboard only: sign in, create an account, move between sections, invite a member and open and close the
// disconnect dialog without a pointer. Every page visited is checked with axe-core for unlabelled controls and
// other WCAG 2 A/AA faults.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { scenario, shot, notice, baseUrl } from '../browser.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const run = Date.now().toString(36);

async function audit(page, where) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const faults = result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(faults, [], `accessibility faults on ${where}`);
  console.log(`axe: ${where}: ${result.passes.length} rules pass, none fail`);
}

/** Tabs until the focused element matches, as a keyboard user would (at most 60 presses). */
async function tabTo(page, matches, what) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(matches)) return;
  }
  throw new Error(`Tab never reached ${what}`);
}

await scenario('keyboard', async ({ browser, track }) => {
  // bypassCSP only lets the test inject axe-core; the console itself runs under its policy in every other scenario.
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, bypassCSP: true });
  const page = track(await context.newPage());
  await page.goto(baseUrl);
  await page.getByLabel('E-mail').waitFor();
  await audit(page, 'sign-in');

  await tabTo(page, () => document.activeElement?.name === 'email', 'the e-mail field');
  await page.keyboard.type(`kim-${run}@agency.test`);
  await page.keyboard.press('Tab');
  await page.keyboard.type('Kim');
  await page.keyboard.press('Enter');
  await page.getByText('Signed in as Kim').waitFor();

  await page.getByRole('heading', { name: 'Welcome' }).waitFor();
  await audit(page, 'welcome');
  await tabTo(page, () => document.activeElement?.name === 'name', 'the account name');
  await page.keyboard.type('Keyboard Agency');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: /^Keyboard Agency/ }).waitFor();
  await audit(page, 'overview');

  await tabTo(page, () => document.activeElement?.textContent === 'Members', 'the Members section');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Invite a member' }).waitFor();
  await audit(page, 'members');
  await tabTo(page, () => document.activeElement?.type === 'email', 'the invitee’s e-mail');
  await page.keyboard.type(`lee-${run}@agency.test`);
  await tabTo(page, () => document.activeElement?.textContent === 'Send invitation', 'Send invitation');
  await page.keyboard.press('Enter');
  await notice(page).getByText('An invitation was e-mailed').waitFor();
  await page.getByRole('cell', { name: `lee-${run}@agency.test`, exact: true }).waitFor();
  await shot(page, 'invited-by-keyboard');

  for (const name of ['Connections', 'Reports', 'Activity', 'Who can access']) {
    await page.getByRole('navigation', { name: 'Account sections' }).getByRole('link', { name }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: name === 'Who can access' ? 'Who can access this account' : name }).waitFor();
    await page.locator('.loading').waitFor({ state: 'detached' });
    await audit(page, name);
  }

  await page.getByRole('navigation', { name: 'Account sections' }).getByRole('link', { name: 'Members' }).focus();
  await page.keyboard.press('Enter');
  await tabTo(page, () => document.activeElement?.textContent === 'Remove', 'Remove');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'the dialog takes the focus, on its safe choice');
  await audit(page, 'confirmation dialog');
  await shot(page, 'dialog-by-keyboard');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('cell', { name: 'Kim', exact: true }).waitFor();
});
