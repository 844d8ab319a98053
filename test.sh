#!/usr/bin/env bash
# Runs every test project and ends with one line: "N passed, N failed, N skipped".
# Installs what it needs: NuGet packages through restore, and the Debian packages of the AF_XDP provider and of the
# etcd store's tests when missing.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! command -v dotnet >/dev/null; then
  echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
# The Linux providers: libxdp/libbpf at run time, clang to compile their BPF programs; iproute2, ping, arping, ethtool
# and bpftool for the veth tests; tshark to read back what pd capture writes; etcd-server for the store contract
# suite's real etcd, and openssl for its TLS certificates; etcd-client, curl, jq and netsniff-ng (trafgen) for the lab.
need=()
for p in libxdp1 libbpf1 libxdp-dev libbpf-dev clang iproute2 iputils-ping arping ethtool bpftool tshark etcd-server openssl etcd-client curl jq netsniff-ng; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || echo "test.sh: could not install ${need[*]}" >&2
fi
if ! dotnet build Cluster.sln -c Release -nologo -v q; then
  echo "0 passed, 1 failed"
  exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A test that hangs is named and ended after 5 minutes instead of holding the run.
dotnet test Cluster.sln -c Release --no-build -nologo --blame-hang-timeout 5m --blame-hang-dump-type none 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# Sum the per-project summaries: "Passed!  - Failed: 0, Passed: 19, Skipped: 0, Total: 19, ..."
read -r passed failed skipped < <(grep -E '^(Passed|Failed)! ' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
