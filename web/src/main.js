// The console's entry: loads its settings, restores the session, and routes by path — the e-mail links
// (/invitations/{token}, /connections/{id}/…, /accounts/{id}/invitations/{id}/resend) — and by hash inside the console.
import { h, mount } from './dom.js';
import { createApi } from './api.js';
import { loadConfig, createSession } from './session.js';
import { notice, signIn } from './ui.js';
import { consolePage } from './console.js';
import { invitationPage } from './invitation.js';
import { linkPage, linkRoute } from './links.js';

const main = document.getElementById('main');
const top = document.getElementById('top');

async function start() {
  let app;
  try {
    const config = await loadConfig();
    const session = await createSession(config);
    app = { config, session, api: createApi(config.apiBaseUrl, session) };
  } catch (error) {
    mount(main, h('h1', {}, 'Connected Accounts'), h('p', {}, 'The console could not start.'));
    notice.error(error);
    return;
  }
  app.session.onChange(() => render(app));
  window.addEventListener('hashchange', () => {
    notice.clear();
    route(app);
  });
  render(app);
}

function render(app) {
  const user = app.session.user();
  mount(top,
    h('a', { href: '/', class: 'brand' }, 'Connected Accounts'),
    user && h('div', { class: 'who' },
      h('span', {}, `Signed in as ${user.name} (${user.email})`),
      h('button', { type: 'button', onclick: () => app.session.signOut() }, 'Sign out')));
  route(app);
}

let generation = 0;

/** Renders the page for the current address; a newer navigation wins over a slower older one. */
async function route(app) {
  const current = ++generation;
  const stillCurrent = () => current === generation;
  const invitation = location.pathname.match(/^\/invitations\/([^/]+)\/?$/);
  try {
    if (invitation) return await invitationPage(main, app, decodeURIComponent(invitation[1]), stillCurrent);
    if (!app.session.user()) return mount(main, h('h1', {}, 'Connected Accounts'), signIn(app.session));
    const link = linkRoute(location.pathname);
    if (link) return await linkPage(main, app, link, () => route(app));
    await consolePage(main, app, stillCurrent);
    if (stillCurrent()) notice.flush();
  } catch (error) {
    if (stillCurrent()) notice.error(error);
  }
}

start();
