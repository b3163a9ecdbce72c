#!/usr/bin/env bash
# Cold start under the Functions host: the published function app and a bare isolated worker with one HTTP function
# (benchmarks/BareWorker), both published as scripts/publish.sh publishes (linux-x64, framework-dependent,
# ReadyToRun), each started by the host tests' fake Functions host as the host starts a worker. Process start to the
# functions loaded and to the first 200 (bare: GET ping; app: GET healthz, and in its own runs an agency user's
# GET api/accounts/{client}/reports), medians of N alternating runs (default 7). Needs the .NET SDK.
# Usage: scripts/bench-worker-coldstart.sh [runs]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/artifacts/bench-worker"
rm -rf "$out" && mkdir -p "$out"
"$root/scripts/publish.sh" "$out" >/dev/null
dotnet publish "$root/benchmarks/BareWorker/BareWorker.csproj" --configuration Release --runtime linux-x64 \
  --self-contained false -p:PublishReadyToRun=true -p:DebugType=none --output "$out/bare" \
  --nologo --verbosity quiet
dotnet build "$root/benchmarks/ConnectedAccounts.Benchmarks" --configuration Release --nologo --verbosity quiet
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr), .NET $(dotnet --version)"
dotnet "$root/benchmarks/ConnectedAccounts.Benchmarks/bin/Release/net10.0/ConnectedAccounts.Benchmarks.dll" \
  worker-coldstart "$out/functionapp" "$out/bare" --runs "${1:-7}"
