#!/usr/bin/env bash
# Cold start of the published app against a bare app of the same kind, both published as scripts/publish.sh
# publishes (linux-x64, framework-dependent, ReadyToRun); median of N alternating runs (default 7).
#   standalone: the app on its own (ASPNETCORE_URLS, SQLite) against a bare ASP.NET Core app (benchmarks/ColdStartFloor),
#               process start to the first 200 on /healthz. Needs Node.
#   worker:     both started by the host tests' fake Functions host as the host starts a worker, against a bare
#               isolated worker with one HTTP function (benchmarks/BareWorker); process start to the functions loaded
#               and to the first 200 (bare: GET ping; app: GET healthz, and in runs of its own an agency user's
#               GET api/accounts/{client}/reports).
# Needs the .NET SDK. Usage: scripts/bench-coldstart.sh standalone|worker [runs]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-standalone}
runs=${2:-7}
case "$mode" in
  standalone) floor="$root/benchmarks/ColdStartFloor/ColdStartFloor.csproj" ;;
  worker) floor="$root/benchmarks/BareWorker/BareWorker.csproj" ;;
  *) echo "usage: $0 standalone|worker [runs]" >&2; exit 2 ;;
esac

out="$root/artifacts/bench-$mode"
rm -rf "$out" && mkdir -p "$out"
"$root/scripts/publish.sh" "$out" >/dev/null
dotnet publish "$floor" --configuration Release --runtime linux-x64 \
  --self-contained false -p:PublishReadyToRun=true -p:DebugType=none --output "$out/floor" \
  --nologo --verbosity quiet
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr), .NET $(dotnet --version)"
if [ "$mode" = standalone ]; then
  node "$root/scripts/bench-coldstart.mjs" "$out/functionapp" "$out/floor" "$runs"
else
  dotnet build "$root/benchmarks/ConnectedAccounts.Benchmarks" --configuration Release --nologo --verbosity quiet
  dotnet "$root/benchmarks/ConnectedAccounts.Benchmarks/bin/Release/net10.0/ConnectedAccounts.Benchmarks.dll" \
    worker-coldstart "$out/functionapp" "$out/floor" --runs "$runs"
fi
