#!/usr/bin/env bash
# Runs the benchmarks: bench/run.sh [SCENARIO...] [--quick] [--rules N,N...]
#   scenarios: pd-forward raw-ring traditional socket classifier actor-pingpong device-events control-latency
#   (default: all);
#   --rules: the rule counts of pd-forward and classifier (default 1,1000,100000).
# bench/run.sh micro [BenchmarkDotNet options]: the micro-benchmarks (default: all, short job).
# bench/run.sh veth [--quick]: the receive paths on a real veth pair beside the C and DPDK anchors (bench/veth.sh).
# bench/run.sh vswitch [--quick]: the VM switch with 0/10/10k VFP rules per port on SoftNic and on veth beside the Linux
# bridge and Open vSwitch, and rule push to traffic allowed (bench/vswitch.sh); writes bench/results/vswitch.* (root).
# bench/run.sh cluster [--quick] [--only filter-push|failover]: filter-push on a 3-member etcd and 3 and 5 pd node processes,
# and failover on the multi-host lab (root); writes bench/results/cluster.* (cluster-quick.* with --quick,
# cluster-partial[-quick].* with --only) and the charts as PNG and SVG (gnuplot).
# Prints one JSON object per line and writes bench/results/results.json, results.md and the chart results.svg (full runs of every scenario),
# results-quick.* (--quick) or results-partial.* (some scenarios).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dotnet >/dev/null; then echo "bench/run.sh: the .NET SDK (dotnet) is required" >&2; exit 1; fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ "${1:-}" = "veth" ]; then
  shift
  exec bash bench/veth.sh "$@"
fi
if [ "${1:-}" = "vswitch" ]; then
  shift
  exec bash bench/vswitch.sh "$@"
fi
if [ "${1:-}" = "cluster" ]; then
  shift
  for tool in etcd gnuplot; do
    if ! command -v $tool >/dev/null; then
      package=$([ $tool = etcd ] && echo etcd-server || echo gnuplot-nox)
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $package >/dev/null; } || { echo "bench/run.sh cluster: needs $tool (apt-get install $package)" >&2; exit 2; }
    fi
  done
  dotnet build src/Node -c Release -v q -nologo >&2
  dotnet build bench/Harness -c Release -v q -nologo >&2
  dotnet bench/Harness/bin/Release/net10.0/pd-bench.dll cluster "$@"
  stem=bench/results/cluster
  case " $* " in *" --only "*) stem+=-partial ;; esac
  case " $* " in *" --quick "*) stem+=-quick ;; esac
  caption="$(date -u '+%Y-%m-%d %H:%M UTC') · $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') · $(nproc) cores"
  if [ -f "$stem-push.tsv" ]; then gnuplot -e "data='$stem-push.tsv'; out='$stem'; caption='$caption'" bench/cluster-chart.gp; fi
  if [ -f "$stem-failover.tsv" ]; then gnuplot -e "data='$stem-failover.tsv'; out='$stem-failover'; caption='$caption'" bench/cluster-failover.gp; fi
  exit 0
fi
if [ "${1:-}" = "micro" ]; then
  shift
  # Without arguments: every micro-benchmark with BenchmarkDotNet's short job; otherwise BenchmarkDotNet's own options.
  if [ $# -eq 0 ]; then set -- --filter '*' --job short; fi
  dotnet build bench/Micro -c Release -v q -nologo >&2
  exec dotnet bench/Micro/bin/Release/net10.0/Micro.dll --artifacts bench/results/micro "$@"
fi
dotnet build bench/Harness -c Release -v q -nologo >&2
exec dotnet bench/Harness/bin/Release/net10.0/pd-bench.dll "$@"
