#!/usr/bin/env bash
# Builds the deployable function app in the standard dotnet-isolated layout: artifacts/functionapp/ (host.json,
# functions.metadata, worker.config.json, extensions.json, .azurefunctions/, the worker with libe_sqlite3.so for
# linux-x64) and artifacts/functionapp.zip for Flex Consumption's dotnet-isolated 10.0 runtime. Needs only the .NET SDK.
# Usage: scripts/publish.sh [output-root]   (default: artifacts)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/artifacts}")
app="$out/functionapp"

rm -rf "$app" "$out/functionapp.zip"
# Framework-dependent, as the platform brings .NET 10; ReadyToRun precompiles the worker so less is JIT-compiled
# before the first answer (docs/performance.md has the figures).
echo "== dotnet publish (linux-x64, framework-dependent, ReadyToRun) -> $app"
dotnet publish "$root/functions/ConnectedAccounts.Functions/ConnectedAccounts.Functions.csproj" \
  --configuration Release --runtime linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -p:DebugType=none -p:GenerateDocumentationFile=false \
  --output "$app" --nologo --verbosity quiet

echo "== zip"
dotnet run "$root/scripts/zip-functionapp.cs" -- "$app" "$out/functionapp.zip"
