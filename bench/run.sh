#!/usr/bin/env bash
# Runs the benchmarks: bench/run.sh [SCENARIO...] [--quick]
#   scenarios: pd-forward raw-ring traditional classifier (default: all); micro runs the BenchmarkDotNet suite.
# Prints one JSON object per line and writes bench/results/results.json and results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dotnet >/dev/null; then echo "bench/run.sh: the .NET SDK (dotnet) is required" >&2; exit 1; fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ "${1:-}" = "micro" ]; then
  shift
  dotnet build bench/Micro -c Release -v q -nologo >&2
  exec dotnet bench/Micro/bin/Release/net10.0/pd-micro.dll --filter '*' --artifacts bench/results/micro "$@"
fi
dotnet build bench/Harness -c Release -v q -nologo >&2
exec dotnet bench/Harness/bin/Release/net10.0/pd-bench.dll "$@"
