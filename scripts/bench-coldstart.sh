#!/usr/bin/env bash
# Standalone cold start of the published app vs a bare ASP.NET Core app published the same way (linux-x64,
# framework-dependent, ReadyToRun, as scripts/publish.sh does): process start to first 200 on /healthz, median of N
# runs (default 7). Needs the .NET SDK and Node. The cold start under the Functions host is scripts/bench-worker-coldstart.sh.
# Usage: scripts/bench-coldstart.sh [runs]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/artifacts/bench"
rm -rf "$out" && mkdir -p "$out"
"$root/scripts/publish.sh" "$out" >/dev/null
dotnet publish "$root/benchmarks/ColdStartFloor/ColdStartFloor.csproj" --configuration Release --runtime linux-x64 \
  --self-contained false -p:PublishReadyToRun=true -p:DebugType=none --output "$out/floor" \
  --nologo --verbosity quiet
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr), .NET $(dotnet --version)"
node "$root/scripts/bench-coldstart.mjs" "$out/functionapp" "$out/floor" "${1:-7}"
