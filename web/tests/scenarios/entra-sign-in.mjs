// With Console:Entra configured the console signs in through @azure/msal-browser: "Sign in with Microsoft" sends
// the browser to the tenant's authorize endpoint with the console's client id, the API scope and PKCE. The
// network here reaches no Microsoft endpoint, so the tenant's metadata and authorize page are answered by the test.
import assert from 'node:assert/strict';
import { scenario, shot, baseUrl } from '../browser.mjs';

const tenant = process.env.CONSOLE_ENTRA_TENANT;
const clientId = process.env.CONSOLE_ENTRA_CLIENT_ID;
const scope = process.env.CONSOLE_ENTRA_SCOPE;
const authority = `https://login.microsoftonline.com/${tenant}`;

await scenario('entra-sign-in', async ({ browser, track }) => {
  const page = track(await browser.newPage());
  let authorize = null;
  await page.route('https://login.microsoftonline.com/**', async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith('/.well-known/openid-configuration')) {
      return route.fulfill({
        contentType: 'application/json',
        headers: { 'Access-Control-Allow-Origin': '*' },
        body: JSON.stringify({
          issuer: `${authority}/v2.0`,
          authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
          token_endpoint: `${authority}/oauth2/v2.0/token`,
          end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
          jwks_uri: `${authority}/discovery/v2.0/keys`,
          response_modes_supported: ['query', 'fragment', 'form_post'],
        }),
      });
    }
    if (url.pathname.endsWith('/oauth2/v2.0/authorize')) {
      authorize = url;
      return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Microsoft sign-in</title><h1>Microsoft sign-in</h1>' });
    }
    return route.fulfill({ status: 404, body: '' });
  });

  await page.goto(baseUrl);
  const button = page.getByRole('button', { name: 'Sign in with Microsoft' });
  await button.waitFor();
  assert.equal(await page.getByLabel('E-mail').count(), 0, 'no dev-token form when Entra is configured');
  await shot(page, 'entra-sign-in');
  await button.click();
  await page.getByRole('heading', { name: 'Microsoft sign-in' }).waitFor();

  assert.ok(authorize, 'the browser went to the authorize endpoint');
  const query = authorize.searchParams;
  assert.equal(authorize.origin + authorize.pathname, `${authority}/oauth2/v2.0/authorize`);
  assert.equal(query.get('client_id'), clientId);
  assert.equal(query.get('redirect_uri'), `${baseUrl}/`);
  assert.equal(query.get('response_type'), 'code');
  assert.equal(query.get('code_challenge_method'), 'S256');
  assert.ok((query.get('code_challenge') ?? '').length >= 43, 'a PKCE challenge');
  assert.ok(query.get('scope').split(' ').includes(scope), `the API scope in ${query.get('scope')}`);
});
