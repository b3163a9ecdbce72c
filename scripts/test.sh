#!/usr/bin/env bash
# The whole test suite, from a fresh clone with only the .NET SDK and Node: installs the pinned Azurite, the web
# console's test packages (playwright-core, axe-core) and Debian's Chromium, starts Azurite on free ports in a
# temporary folder, runs every test project, and stops Azurite again.
# Results (TRX) go to ./TestResults. Extra arguments are passed to `dotnet test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

echo "== installing Azurite (tools/azurite, pinned by package-lock.json)"
(cd tools/azurite && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

echo "== installing the web console's packages (web/, pinned by package-lock.json)"
(cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium for the browser tests"
  if [ "$(id -u)" -eq 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  $apt_get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq chromium >/dev/null
fi

workdir=$(mktemp -d)
blob_port=$(free_port); queue_port=$(free_port); table_port=$(free_port)
echo "== starting Azurite (blob $blob_port, queue $queue_port, table $table_port) in $workdir"
tools/azurite/node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --loose \
  --location "$workdir" --blobHost 127.0.0.1 --blobPort "$blob_port" \
  --queueHost 127.0.0.1 --queuePort "$queue_port" --tableHost 127.0.0.1 --tablePort "$table_port" \
  >"$workdir/azurite.log" 2>&1 &
azurite_pid=$!
cleanup() { kill "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true; rm -rf "$workdir"; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  if (echo >/dev/tcp/127.0.0.1/"$table_port") 2>/dev/null && (echo >/dev/tcp/127.0.0.1/"$queue_port") 2>/dev/null; then break; fi
  sleep 0.2
done

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob_port/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue_port/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"

rm -rf TestResults
echo "== dotnet test"
dotnet test ConnectedAccounts.sln --configuration Release --logger "trx" --results-directory "$root/TestResults" "$@"
