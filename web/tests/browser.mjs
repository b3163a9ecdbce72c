// What every end-to-end scenario needs: Debian's Chromium driven by playwright-core (its own browser download
// does not work here), people signed in through the console's own form, screenshots of each step, and the
// e-mails the service drops in its pickup folder.
import { chromium } from 'playwright-core';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const baseUrl = process.env.CONSOLE_BASE_URL ?? 'http://localhost:5080';
const shotsDir = process.env.CONSOLE_SHOTS_DIR ?? 'screenshots';
const mailDir = process.env.CONSOLE_MAIL_DIR;

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
}

let step = 0;
/** Saves a screenshot of the page as the scenario's next numbered step. */
export async function shot(page, name) {
  await mkdir(shotsDir, { recursive: true });
  const file = join(shotsDir, `${String(++step).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`step ${step}: ${name} (${file})`);
}

/** A person in a browser context of their own, signed in with the console's dev-token form. */
export async function person(browser, email, name, { path = '/', options = {} } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`[${email}] page error: ${error.message}`));
  await page.goto(`${baseUrl}${path}`);
  await signIn(page, email, name);
  return page;
}

export async function signIn(page, email, name) {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(`Signed in as ${name}`).waitFor();
}

export const notice = (page) => page.locator('#notice');

/** Reloads until `check()` holds: for what the service makes eventually true (the switcher is fed by a queue). */
export async function eventually(page, check, what, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Not seen within ${seconds} s: ${what}`);
    await page.waitForTimeout(500);
    await page.reload();
  }
}

export async function createAccount(page, name, kind) {
  const welcome = page.getByRole('heading', { name: 'Welcome' });
  await welcome.or(page.getByRole('link', { name: 'New account' })).waitFor();
  if (!(await welcome.isVisible())) await page.getByRole('link', { name: 'New account' }).click();
  await page.getByLabel('Account name').fill(name);
  await page.getByLabel(kind === 'agency' ? /^Agency/ : /^Client/).check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${name}`) }).waitFor();
}

export async function section(page, name) {
  await page.getByRole('navigation', { name: 'Account sections' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 2 }).filter({ hasText: name === 'Who can access' ? 'Who can access' : name }).waitFor();
  await page.locator('.loading').waitFor({ state: 'detached' });
}

export async function switchTo(page, label) {
  await page.getByLabel('Account', { exact: true }).selectOption({ label });
  await page.getByRole('button', { name: 'Switch' }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${label.split(' (')[0]}`) }).waitFor();
}

/**
 * The link in the newest e-mail to `address` (plain-text part, base64 as MimeKit writes it) that is not one of
 * `seen`, waiting for it to arrive. Pickup file names are random: newest is by modification time.
 */
export async function linkInMail(address, pattern, { seen = [], seconds = 20 } = {}) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const names = (await readdir(mailDir).catch(() => [])).filter((f) => f.endsWith('.eml'));
    const files = await Promise.all(names.map(async (name) => ({ name, time: (await stat(join(mailDir, name))).mtimeMs })));
    for (const { name } of files.sort((a, b) => b.time - a.time)) {
      const text = await readFile(join(mailDir, name), 'utf8');
      if (!new RegExp(`^To: .*${address.replace(/[.+]/g, '\\$&')}`, 'mi').test(text)) continue;
      const link = decodedParts(text).map((part) => part.match(pattern)?.[0]).find(Boolean);
      if (link && !seen.includes(link)) return link;
    }
    if (Date.now() > deadline) throw new Error(`No new e-mail to ${address} with ${pattern} within ${seconds} s in ${mailDir}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function decodedParts(eml) {
  const blocks = eml.split(/\r?\n\r?\n/);
  return [eml, ...blocks.map((block) => {
    const compact = block.replace(/\s+/g, '');
    return /^[A-Za-z0-9+/=]+$/.test(compact) && compact.length > 40 ? Buffer.from(compact, 'base64').toString('utf8') : '';
  })];
}

/** Runs a scenario: any failure leaves a screenshot of every open page and exits non-zero. */
export async function scenario(name, body) {
  const browser = await launch();
  const pages = [];
  const track = (page) => { pages.push(page); return page; };
  try {
    await body({ browser, track });
    console.log(`scenario ${name}: passed`);
  } catch (error) {
    console.error(`scenario ${name}: FAILED\n${error.stack ?? error}`);
    for (const [i, page] of pages.entries()) {
      await page.screenshot({ path: join(shotsDir, `failure-${i}.png`), fullPage: true }).catch(() => {});
      console.error(`page ${i} at ${page.url()}: ${(await notice(page).textContent().catch(() => '')) || 'no notice'}`);
    }
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
