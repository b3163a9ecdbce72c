// Who is signed in: a dev token (the service's POST /api/dev/tokens, Development only) or Microsoft Entra ID
// through @azure/msal-browser. The token lives in sessionStorage: closing the tab signs out.

const KEY = 'connected-accounts.session';

export async function loadConfig() {
  const response = await fetch('/config.json', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`The console's settings (/config.json) did not load: ${response.status}.`);
  return response.json();
}

export async function createSession(config) {
  const listeners = new Set();
  const changed = () => listeners.forEach((listener) => listener());
  const entra = config.entra ? await startMsal(config.entra) : null;

  const stored = () => {
    const value = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    return value && value.expiresAt > Date.now() ? value : null;
  };

  return {
    kind: entra ? 'entra' : config.devTokens ? 'devTokens' : 'none',
    onChange: (listener) => listeners.add(listener),

    /** The signed-in person, `{ email, name }`, or null. */
    user() {
      if (entra) {
        const account = entra.account();
        return account ? { email: account.username, name: account.name ?? account.username } : null;
      }
      return stored();
    },

    async token() {
      if (entra) return entra.token();
      return stored()?.token ?? null;
    },

    async signInWithDevToken(email, name) {
      const response = await fetch(`${config.apiBaseUrl}/api/dev/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email, name }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.detail ?? body.title ?? `Signing in failed (${response.status}).`);
      const payload = JSON.parse(atob(body.token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      sessionStorage.setItem(KEY, JSON.stringify({ token: body.token, email, name: payload.name ?? name, expiresAt: payload.exp * 1000 }));
      changed();
    },

    signInWithMicrosoft: () => entra.signIn(),

    signOut() {
      sessionStorage.removeItem(KEY);
      if (entra) return entra.signOut();
      changed();
    },

    /** The service refused the token (401): sign out so the page asks again. */
    expired() {
      sessionStorage.removeItem(KEY);
      changed();
    },
  };
}

/** MSAL's browser bundle is served beside the console (vendor/), from the npm package @azure/msal-browser. */
async function startMsal({ clientId, authority, scopes }) {
  await new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/vendor/msal-browser.min.js';
    script.onload = resolve;
    script.onerror = () => reject(new Error('The Microsoft sign-in library did not load (/vendor/msal-browser.min.js).'));
    document.head.append(script);
  });
  const app = new window.msal.PublicClientApplication({
    auth: { clientId, authority, redirectUri: `${location.origin}/`, navigateToLoginRequestUrl: true },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await app.initialize();
  const result = await app.handleRedirectPromise();
  if (result?.account) app.setActiveAccount(result.account);
  const account = () => app.getActiveAccount() ?? app.getAllAccounts()[0] ?? null;
  return {
    account,
    signIn: () => app.loginRedirect({ scopes, redirectStartPage: location.href }),
    signOut: () => app.logoutRedirect({ account: account() }),
    async token() {
      const current = account();
      if (!current) return null;
      try {
        return (await app.acquireTokenSilent({ scopes, account: current })).accessToken;
      } catch {
        await app.acquireTokenRedirect({ scopes, account: current, redirectStartPage: location.href });
        return null;
      }
    },
  };
}
