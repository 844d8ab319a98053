#!/usr/bin/env bash
# The multi-host lab: several PD hosts on one machine, each a network namespace.
#
#   lab.sh up [--hosts N]     build it (N = 3 by default, at most 8)
#   lab.sh status             namespaces, processes and the etcd cluster's health
#   lab.sh exec HOST CMD...   run a command inside a host (h1, h2, ...; also gen, etcd1..3, fabric)
#   lab.sh pull-nic HOST      `ip link del` the host's data interface (a NIC pulled)
#   lab.sh kill-node HOST     SIGKILL the host's pd node
#   lab.sh kill-etcd N        SIGKILL etcd member N
#   lab.sh down               stop everything this lab started (by PID) and remove every namespace it made
#
# Topology (all addresses from 198.18.0.0/15):
#   pdlab-fabric   two bridges: "data" joins the hosts' eth0 and the generator; "mgmt" joins the hosts' and etcd members' mgmt0
#   pdlab-hI       eth0 198.18.10.I/24 (the PD interface), mgmt0 198.19.0.I/24
#   pdlab-gen      eth0 198.18.10.200/24 (the traffic generator)
#   pdlab-etcdJ    mgmt0 198.19.0.10J/24, etcd member J (3 members; client port 2379, peer port 2380)
# State (PIDs, configs, logs, etcd data) lives under $LAB_STATE (default /run/pd-lab).
set -euo pipefail
LAB_STATE=${LAB_STATE:-/run/pd-lab}
PREFIX=pdlab
ETCD_MEMBERS=3
die() { echo "lab.sh: $*" >&2; exit 2; }
log() { echo "[$(date +%T)] $*" >&2; }
ns() { echo "$PREFIX-$1"; }
# nsenter keeps the host's mount namespace, so bpffs at /sys/fs/bpf stays visible (ip netns exec remounts /sys).
in_ns() { local n; n=$(ns "$1"); shift; nsenter --net="/run/netns/$n" "$@"; }

require() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
  local need=() p
  for p in iproute2 etcd-server etcd-client util-linux; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || die "could not install ${need[*]}"
  fi
}

add_ns() { ip netns add "$(ns "$1")"; ip -n "$(ns "$1")" link set lo up; }

# link NAME IFNAME BRIDGE ADDRESS: a veth from namespace NAME (as IFNAME) into the fabric's BRIDGE.
link() {
  local name=$1 ifname=$2 bridge=$3 address=$4 peer="$1-$2"
  ip link add "$ifname" netns "$(ns "$name")" type veth peer name "$peer" netns "$(ns fabric)"
  ip -n "$(ns fabric)" link set "$peer" master "$bridge" up
  ip -n "$(ns "$name")" addr add "$address" dev "$ifname"
  ip -n "$(ns "$name")" link set "$ifname" up
}

etcd_cluster() {
  local j list=""
  for ((j = 1; j <= ETCD_MEMBERS; j++)); do list+="${list:+,}etcd$j=http://198.19.0.10$j:2380"; done
  echo "$list"
}

etcd_endpoints() {
  local j list=""
  for ((j = 1; j <= ETCD_MEMBERS; j++)); do list+="${list:+,}http://198.19.0.10$j:2379"; done
  echo "$list"
}

start_etcd() {
  local j=$1 address=198.19.0.10$1
  mkdir -p "$LAB_STATE/etcd$j"
  ( exec nsenter --net="/run/netns/$(ns "etcd$j")" etcd --name "etcd$j" --data-dir "$LAB_STATE/etcd$j/data" \
      --listen-client-urls "http://$address:2379" --advertise-client-urls "http://$address:2379" \
      --listen-peer-urls "http://$address:2380" --initial-advertise-peer-urls "http://$address:2380" \
      --initial-cluster "$(etcd_cluster)" --initial-cluster-state new --initial-cluster-token pd-lab \
      > "$LAB_STATE/etcd$j/log" 2>&1 ) &
  echo $! > "$LAB_STATE/etcd$j/pid"
}

cmd_up() {
  local hosts=3
  while [ $# -gt 0 ]; do
    case $1 in
      --hosts) [[ ${2:-} =~ ^[1-8]$ ]] || die "--hosts: '${2:-}' is not a number of hosts from 1 to 8"; hosts=$2; shift 2 ;;
      *) die "up: unknown option $1" ;;
    esac
  done
  require
  [ -e "$LAB_STATE/hosts" ] && die "a lab is already up (state in $LAB_STATE); run lab.sh down first"
  mkdir -p "$LAB_STATE"
  echo "$hosts" > "$LAB_STATE/hosts"
  mount | grep -q ' /sys/fs/bpf type bpf' || mount -t bpf bpf /sys/fs/bpf
  add_ns fabric
  local bridge
  for bridge in data mgmt; do
    ip -n "$(ns fabric)" link add "$bridge" type bridge
    ip -n "$(ns fabric)" link set "$bridge" up
  done
  local i j
  for ((i = 1; i <= hosts; i++)); do
    add_ns "h$i"
    link "h$i" eth0 data "198.18.10.$i/24"
    link "h$i" mgmt0 mgmt "198.19.0.$i/24"
  done
  add_ns gen
  link gen eth0 data 198.18.10.200/24
  for ((j = 1; j <= ETCD_MEMBERS; j++)); do
    add_ns "etcd$j"
    link "etcd$j" mgmt0 mgmt "198.19.0.10$j/24"
    start_etcd "$j"
  done
  wait_etcd
  log "lab up: $hosts hosts, etcd at $(etcd_endpoints)"
}

wait_etcd() {
  local i
  for ((i = 0; i < 100; i++)); do
    in_ns h1 etcdctl --endpoints "$(etcd_endpoints)" endpoint health >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  die "the etcd cluster did not become healthy; see $LAB_STATE/etcd*/log"
}

stop_pid() {   # stop_pid FILE: the process whose PID the file holds, if it is still the one we started
  local file=$1 pid sig i
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  for sig in TERM KILL; do
    kill -"$sig" "$pid" 2>/dev/null || break
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break 2; sleep 0.1; done
  done
  rm -f "$file"
}

cmd_down() {
  [ "$(id -u)" = 0 ] || die "needs root"
  local file n
  for file in "$LAB_STATE"/*/pid; do [ -e "$file" ] && stop_pid "$file"; done
  for n in $(ip netns list | awk '{print $1}' | grep "^$PREFIX-" || true); do ip netns del "$n"; done
  rm -rf "$LAB_STATE"
  log "lab down"
}

cmd_status() {
  [ -f "$LAB_STATE/hosts" ] || { echo "no lab is up"; return 0; }
  echo "hosts: $(cat "$LAB_STATE/hosts")"
  local file
  for file in "$LAB_STATE"/*/pid; do
    [ -e "$file" ] || continue
    printf '%-8s pid %-7s %s\n' "$(basename "$(dirname "$file")")" "$(cat "$file")" "$(kill -0 "$(cat "$file")" 2>/dev/null && echo running || echo gone)"
  done
  in_ns h1 etcdctl --endpoints "$(etcd_endpoints)" endpoint health 2>&1 || true
}

cmd_pull_nic() { [ -n "${1:-}" ] || die "pull-nic: which host?"; ip -n "$(ns "$1")" link del eth0; log "pulled $1's eth0"; }
cmd_kill_node() { [ -f "$LAB_STATE/$1/pid" ] || die "kill-node: no node runs on ${1:-?}"; kill -KILL "$(cat "$LAB_STATE/$1/pid")"; rm -f "$LAB_STATE/$1/pid"; log "killed $1's node"; }
cmd_kill_etcd() { [ -f "$LAB_STATE/etcd${1:-}/pid" ] || die "kill-etcd: no etcd member ${1:-?}"; kill -KILL "$(cat "$LAB_STATE/etcd$1/pid")"; rm -f "$LAB_STATE/etcd$1/pid"; log "killed etcd member $1"; }

main() {
  local cmd=${1:-}; shift || true
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    exec) local host=${1:-}; shift || true; [ -n "$host" ] || die "exec: which host?"; in_ns "$host" "$@" ;;
    pull-nic) cmd_pull_nic "${1:-}" ;;
    kill-node) cmd_kill_node "${1:-}" ;;
    kill-etcd) cmd_kill_etcd "${1:-}" ;;
    *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
}
main "$@"
