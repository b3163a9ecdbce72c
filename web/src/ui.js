import { h, mount, field } from './dom.js';

const noticeRegion = () => document.getElementById('notice');

let pending = null;

/** Shows an error (its problem detail) or a confirmation at the top of the page; screen readers hear it. */
export const notice = {
  error(error) {
    mount(noticeRegion(), h('p', { class: 'error' }, h('strong', {}, 'Error: '), error.message ?? String(error)));
  },
  info(text) {
    mount(noticeRegion(), h('p', { class: 'info' }, text));
  },
  clear() {
    mount(noticeRegion());
  },
  /** A confirmation to show once the page it navigates to is drawn. */
  later(text) {
    pending = text;
  },
  flush() {
    if (pending) this.info(pending);
    pending = null;
  },
};

/** Runs `work` for a button or form: disabled while it runs, and any failure is shown, never swallowed. */
export async function run(control, work) {
  control.disabled = true;
  control.setAttribute('aria-busy', 'true');
  notice.clear();
  try {
    return await work();
  } catch (error) {
    notice.error(error);
    return undefined;
  } finally {
    control.disabled = false;
    control.removeAttribute('aria-busy');
  }
}

/** A form whose submit runs `work(form)`; its submit button is disabled meanwhile. */
export function form(label, children, submitLabel, work) {
  const submit = h('button', { type: 'submit' }, submitLabel);
  const element = h('form', { 'aria-label': label }, children, h('div', { class: 'actions' }, submit));
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    run(submit, () => work(element));
  });
  return element;
}

/** A modal dialog (native <dialog>: focus moves in, Escape closes); resolves true when confirmed. */
export function confirm(title, body, confirmLabel) {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'button', class: 'danger', onclick: () => close(true) }, confirmLabel);
    const cancel = h('button', { type: 'button', onclick: () => close(false) }, 'Cancel');
    const heading = h('h2', { id: 'dialog-title' }, title);
    const dialog = h('dialog', { 'aria-labelledby': 'dialog-title' }, heading, body, h('div', { class: 'actions' }, cancel, ok));
    const close = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** The sign-in form: dev tokens (an e-mail and a name) or Microsoft Entra ID, whichever the service offers. */
export function signIn(session, purpose = 'Sign in to manage your accounts and connections.') {
  if (session.kind === 'entra') {
    const button = h('button', { type: 'button', onclick: () => run(button, () => session.signInWithMicrosoft()) }, 'Sign in with Microsoft');
    return h('section', { class: 'card', 'aria-labelledby': 'sign-in-title' }, h('h2', { id: 'sign-in-title' }, 'Sign in'), h('p', {}, purpose), button);
  }
  if (session.kind === 'none') {
    return h('section', { class: 'card' }, h('h2', {}, 'Sign-in is not configured'),
      h('p', {}, 'Run the service in Development with Auth:DevTokens=true, or set Console:Entra for Microsoft sign-in.'));
  }
  const email = h('input', { type: 'email', name: 'email', required: true, autocomplete: 'email' });
  const name = h('input', { type: 'text', name: 'name', required: true, autocomplete: 'name' });
  return h('section', { class: 'card', 'aria-labelledby': 'sign-in-title' },
    h('h2', { id: 'sign-in-title' }, 'Sign in'),
    h('p', {}, purpose, ' ', h('small', {}, 'Development sign-in: any address, no password.')),
    form('Sign in', [field('E-mail', email), field('Name', name)], 'Sign in', () => session.signInWithDevToken(email.value.trim(), name.value.trim())));
}

export const ROLES = [['orgAdmin', 'Org admin'], ['accountManager', 'Account manager'], ['regularUser', 'Regular user'], ['viewOnly', 'View only']];
export const roleName = (role) => ROLES.find(([value]) => value === role)?.[1] ?? role;

/** Actions a connection can carry (docs/permissions.md), with members.manage last: it is asked for by name. */
export const CONNECTABLE = [
  'reports.read', 'reports.export', 'reports.create', 'reports.configure',
  'items.readWrite', 'items.create', 'integrations.createAndMap', 'data.exportExternal', 'members.manage',
];
export const ALL_ACTIONS = [...CONNECTABLE.slice(0, -1), 'connections.request', 'connections.accept', 'connections.disconnect', 'members.manage'];
export const DURATIONS = [['', 'No end date'], ['P30D', '30 days'], ['P90D', '90 days'], ['P6M', '6 months'], ['P1Y', '1 year']];
