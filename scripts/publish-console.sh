#!/usr/bin/env bash
# The web console as Azure Static Web Apps serves it: web/ without its tests, MSAL's browser bundle in vendor/,
# config.json with where the API is and how to sign in, and staticwebapp.config.json with the navigation fallback
# (so e-mail links such as /invitations/{token} open the console) and a Content-Security-Policy naming those origins.
#   API_BASE_URL=https://func-….azurewebsites.net ENTRA_CLIENT_ID=… ENTRA_AUTHORITY=https://login.microsoftonline.com/<tenant> \
#   ENTRA_SCOPE=api://<api client id>/access_as_user scripts/publish-console.sh [output dir, default artifacts/console]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/artifacts/console}
: "${API_BASE_URL:?the function app's base URL (deployment output apiBaseUrl)}"
: "${ENTRA_CLIENT_ID:?the console's Entra app registration (single-page application)}"
: "${ENTRA_AUTHORITY:?https://login.microsoftonline.com/<tenant>}"
: "${ENTRA_SCOPE:?the API scope, e.g. api://<api client id>/access_as_user}"

msal="$root/web/node_modules/@azure/msal-browser/lib/msal-browser.min.js"
[ -f "$msal" ] || (cd "$root/web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
rm -rf "$out"
mkdir -p "$out/vendor"
cp -r "$root/web/index.html" "$root/web/styles.css" "$root/web/src" "$out/"
cp "$msal" "$out/vendor/"

(cd "$root" && OUT="$out" node --input-type=module <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
const { OUT, API_BASE_URL, ENTRA_CLIENT_ID, ENTRA_AUTHORITY, ENTRA_SCOPE } = process.env;
const apiBaseUrl = API_BASE_URL.replace(/\/+$/, '');
const authority = ENTRA_AUTHORITY.replace(/\/+$/, '');
const origin = (url) => new URL(url).origin;
writeFileSync(`${OUT}/config.json`, JSON.stringify({
  apiBaseUrl, devTokens: false, entra: { clientId: ENTRA_CLIENT_ID, authority, scopes: [ENTRA_SCOPE] },
}));
const site = JSON.parse(readFileSync('web/staticwebapp.config.json', 'utf8'));
site.globalHeaders['Content-Security-Policy'] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  `connect-src 'self' ${origin(apiBaseUrl)} ${origin(authority)}; frame-src ${origin(authority)}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
writeFileSync(`${OUT}/staticwebapp.config.json`, JSON.stringify(site, null, 2));
JS
)
echo "console published to $out"
