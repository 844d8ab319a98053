#!/usr/bin/env bash
# The multi-host lab: several PD hosts on one machine, each a network namespace running a pd node.
#
#   lab.sh up [--hosts N] [--team] [--vswitch]   build it (N = 3 by default, at most 8): namespaces, etcd over TLS with auth,
#                                      a node per host; every host declares the virtual IP vip1; --team: the last host has two
#                                      NICs in a team instead; --vswitch: h1 has a second NIC, pd1, for a VM switch
#   lab.sh status                      processes, the nodes (pd node ls) and the etcd members' health
#   lab.sh push-filter [--host H] FILE|ARGS...   pd filter add ... --wait, run inside host H (default h1) against its node
#   lab.sh traffic [--port P] [--count N] [--rate PPS] [--to IP [--mac MAC]]   UDP from the generator (trafgen) to
#                                      every host's eth0, or to IP only (at MAC, else the MAC the generator's ARP cache has)
#   lab.sh pd HOST ARGS...             run pd inside a host, against its node (e.g. lab.sh pd h1 node ls)
#   lab.sh exec HOST CMD...            run a command inside a host (h1, h2, ...; also gen, etcd1..3, fabric, vm-VM)
#   lab.sh pull-nic HOST | plug-nic HOST   `ip link del` the host's eth0 (a NIC pulled) | put it back (arrival)
#   lab.sh kill-node HOST | start-node HOST   SIGKILL the host's node | start it again
#   lab.sh kill-etcd N | start-etcd N  SIGKILL etcd member N | start it again
#   lab.sh down [--keep-logs]          stop everything this lab started (by PID) and remove all it made
#
# Topology (all addresses from 198.18.0.0/15):
#   pdlab-fabric   two bridges: "data" joins the hosts' eth0 and the generator; "mgmt" joins the hosts' and etcd members' mgmt0
#   pdlab-hI       eth0 198.18.10.I/24 (the PD interface, provider afxdp), mgmt0 198.19.0.I/24; node hI, admin on 127.0.0.1:9470
#   pdlab-gen      eth0 198.18.10.200/24 (the traffic generator; arp_accept=1, it learns where vip1 is from announcements)
#   pdlab-etcdJ    mgmt0 198.19.0.10J/24, etcd member J (3 members; client port 2379, peer port 2380, both TLS)
# Items: every host declares vip1 (198.18.10.250 on pd0) and has it on lo, with arp_ignore=1 (only announcements say
#   where it is); its node hands what comes for it to the host (filter host-service, action os). With --team the last
#   host hN has eth1 198.18.10.(100+N)/24 too, pd0 (eth0) and pd1 (eth1) in team t0 announcing 198.18.10.(240+N) (on lo),
#   and declares no item.
# VM switch: with --vswitch h1 has eth1 on the data bridge too, with no address: its node's adapter pd1 (afxdp, in no
#   team), free for `pd vswitch create sw --adapter pd1`. VMs take addresses in 198.18.10.128/26, which every host's
#   node drops (filter vm-addresses) rather than send back. Every node names its VMs' namespaces $LAB_PREFIX-vm-<vm>
#   (config key vmNamespacePrefix), so `lab.sh exec vm-<vm> ...` runs inside a VM, and down removes them.
# State (PIDs, configs, certificates, passwords, logs, etcd data) lives under $LAB_STATE (default /run/pd-lab);
# $LAB_PREFIX (default pdlab) names the namespaces; $PD_DLL runs that pd.dll instead of building src/Node.
set -euo pipefail
LAB_STATE=${LAB_STATE:-/run/pd-lab}
PREFIX=${LAB_PREFIX:-pdlab}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ETCD_MEMBERS=3
ADMIN=127.0.0.1:9470
VIP=198.18.10.250
VM_RANGE=198.18.10.128/26
die() { echo "lab.sh: $*" >&2; exit 2; }
fail() { echo "lab.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }
ns() { echo "$PREFIX-$1"; }
# nsenter keeps the host's mount namespace, so bpffs at /sys/fs/bpf stays visible (ip netns exec remounts /sys).
in_ns() { local n; n=$(ns "$1"); shift; [ -e "/run/netns/$n" ] || die "no namespace $n: is the lab up, and is '${n#"$PREFIX"-}' one of its hosts?"; nsenter --net="/run/netns/$n" "$@"; }
hosts() { cat "$LAB_STATE/hosts" 2>/dev/null || echo 0; }
require_up() { [ -f "$LAB_STATE/hosts" ] || fail "no lab is up (no $LAB_STATE/hosts); run lab.sh up"; }
team_host() { cat "$LAB_STATE/team" 2>/dev/null || true; }
vswitch_host() { cat "$LAB_STATE/vswitch" 2>/dev/null || true; }
# service_address I: the address host I serves through its node's OS path: vip1, or the team's address on the team host.
service_address() { if [ "h$1" = "$(team_host)" ]; then echo "198.18.10.$((240 + $1))"; else echo "$VIP"; fi; }
host_arg() { [[ ${1:-} =~ ^h[1-8]$ ]] && [ "${1#h}" -le "$(hosts)" ] || die "'${1:-}' is not a host of this lab (h1..h$(hosts))"; }

require() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces, XDP)"
  local need=() p
  for p in iproute2 etcd-server etcd-client util-linux openssl curl jq netsniff-ng; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || fail "could not install ${need[*]}"
  fi
}

# pd_dll: the pd.dll the lab runs, built once from src/Node unless $PD_DLL names one; pd_in HOST ARGS runs it in a host.
pd_dll() {
  if [ -z "${PD_DLL:-}" ]; then
    command -v dotnet >/dev/null || fail "the .NET 10 SDK (dotnet) is required to build pd"
    log "building pd (dotnet build src/Node -c Release)"
    dotnet build "$REPO/src/Node" -c Release -nologo -v q >&2 || fail "building src/Node failed"
    PD_DLL=$REPO/src/Node/bin/Release/net10.0/pd.dll
  fi
  [ -f "$PD_DLL" ] || die "PD_DLL: $PD_DLL does not exist"
  echo "$PD_DLL" > "$LAB_STATE/pd-dll"
}
pd_in() { local host=$1; shift; in_ns "$host" dotnet "$(cat "$LAB_STATE/pd-dll")" "$@"; }

add_ns() { ip netns add "$(ns "$1")"; ip -n "$(ns "$1")" link set lo up; }

# link NAME IFNAME BRIDGE ADDRESS [MAC]: a veth from namespace NAME (as IFNAME, with MAC if given) into the fabric's
# BRIDGE, with ADDRESS on it unless that is "".
link() {
  local name=$1 ifname=$2 bridge=$3 address=$4 peer="$1-$2"
  ip link add "$ifname" ${5:+address "$5"} netns "$(ns "$name")" type veth peer name "$peer" netns "$(ns fabric)"
  ip -n "$(ns fabric)" link set "$peer" master "$bridge" up
  [ -z "$address" ] || ip -n "$(ns "$name")" addr add "$address" dev "$ifname"
  ip -n "$(ns "$name")" link set "$ifname" up
}

etcd_address() { echo "198.19.0.10$1"; }
etcd_cluster() {
  local j list=""
  for ((j = 1; j <= ETCD_MEMBERS; j++)); do list+="${list:+,}etcd$j=https://$(etcd_address "$j"):2380"; done
  echo "$list"
}
etcd_endpoints() {
  local j list=""
  for ((j = 1; j <= ETCD_MEMBERS; j++)); do list+="${list:+,}https://$(etcd_address "$j"):2379"; done
  echo "$list"
}

# A CA, a server certificate per etcd member (its management address; serving and peering), and one client
# certificate for the nodes and etcdctl. The client certificate has no Common Name: with auth on, etcd's gateway
# refuses a request whose certificate has one (README, "The etcd store"); the user and password name the client.
make_tls() {
  local tls=$LAB_STATE/tls j
  mkdir -p "$tls"
  ossl() { openssl "$@" 2>>"$tls/openssl.log" >/dev/null || fail "openssl $1 failed; see $tls/openssl.log"; }
  ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tls/ca.key" -out "$tls/ca.crt" -days 7 -subj /CN=pd-lab-ca
  sign() {   # sign NAME SUBJECT EXTENSIONS
    printf '%s\n' "$3" > "$tls/$1.ext"
    ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tls/$1.key" -out "$tls/$1.csr" -subj "$2"
    ossl x509 -req -in "$tls/$1.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial -out "$tls/$1.crt" -days 7 -extfile "$tls/$1.ext"
    rm -f "$tls/$1.csr" "$tls/$1.ext"
  }
  for ((j = 1; j <= ETCD_MEMBERS; j++)); do
    sign "etcd$j" "/CN=etcd$j" "subjectAltName=IP:$(etcd_address "$j")
extendedKeyUsage=serverAuth,clientAuth"
  done
  sign client /O=pd-lab-node "extendedKeyUsage=clientAuth"
}

# The root and pd-node passwords, each in a file only root reads; they never reach a command line or a log.
make_secrets() {
  mkdir -p -m 700 "$LAB_STATE/secrets"
  local who
  for who in root pd-node; do (umask 077; openssl rand -hex 16 > "$LAB_STATE/secrets/$who-password"); done
}

start_etcd() {
  local j=$1 address tls=$LAB_STATE/tls
  address=$(etcd_address "$j")
  mkdir -p "$LAB_STATE/etcd$j"
  ( exec setsid nsenter --net="/run/netns/$(ns "etcd$j")" etcd --name "etcd$j" --data-dir "$LAB_STATE/etcd$j/data" \
      --listen-client-urls "https://$address:2379" --advertise-client-urls "https://$address:2379" \
      --listen-peer-urls "https://$address:2380" --initial-advertise-peer-urls "https://$address:2380" \
      --initial-cluster "$(etcd_cluster)" --initial-cluster-state new --initial-cluster-token "$PREFIX" --max-txn-ops 1024 \
      --cert-file "$tls/etcd$j.crt" --key-file "$tls/etcd$j.key" --trusted-ca-file "$tls/ca.crt" --client-cert-auth \
      --peer-cert-file "$tls/etcd$j.crt" --peer-key-file "$tls/etcd$j.key" --peer-trusted-ca-file "$tls/ca.crt" --peer-client-cert-auth \
      < /dev/null >> "$LAB_STATE/etcd$j/log" 2>&1 ) &
  echo $! > "$LAB_STATE/etcd$j/pid"
}

# etcdctl from host h1 over TLS; as root once auth is on (the password reaches it through its environment).
etcdctl_lab() {
  local tls=$LAB_STATE/tls
  ( export ETCDCTL_API=3 ETCDCTL_ENDPOINTS="$(etcd_endpoints)" ETCDCTL_CACERT="$tls/ca.crt" ETCDCTL_CERT="$tls/client.crt" ETCDCTL_KEY="$tls/client.key"
    [ -f "$LAB_STATE/auth-on" ] && ETCDCTL_USER="root:$(cat "$LAB_STATE/secrets/root-password")" && export ETCDCTL_USER
    in_ns h1 etcdctl "$@" )
}

wait_etcd() {
  local i
  for ((i = 0; i < 150; i++)); do
    etcdctl_lab endpoint health >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "the etcd cluster did not become healthy; see $LAB_STATE/etcd*/log"
}

# gateway PATH: a POST to etcd's JSON gateway from h1 whose body (it may hold a password) comes on standard input.
gateway() {
  local tls=$LAB_STATE/tls answer
  answer=$(in_ns h1 curl -sS --fail-with-body --cacert "$tls/ca.crt" --cert "$tls/client.crt" --key "$tls/client.key" \
    -H 'Content-Type: application/json' --data-binary @- "https://$(etcd_address 1):2379$1") || fail "etcd refused $1: $answer"
}

# Users root and pd-node; pd-node's role may read and write the cluster's keys (/pd/lab/) only; then auth on.
enable_auth() {
  local who
  for who in root pd-node; do
    printf '{"name":"%s","password":"%s"}' "$who" "$(cat "$LAB_STATE/secrets/$who-password")" | gateway /v3/auth/user/add
    echo "{\"name\":\"$who\"}" | gateway /v3/auth/role/add
    echo "{\"user\":\"$who\",\"role\":\"$who\"}" | gateway /v3/auth/user/grant
  done
  # base64 of /pd/lab/ and of its range end /pd/lab0 ('/' + 1)
  echo '{"name":"pd-node","perm":{"permType":"READWRITE","key":"L3BkL2xhYi8=","range_end":"L3BkL2xhYjA="}}' | gateway /v3/auth/role/grant
  echo '{}' | gateway /v3/auth/enable
  touch "$LAB_STATE/auth-on"
}

# node_config I PROVIDER: host I's node.json and its own filter file (one queue; ICMP to the host and everything for its
# service address go to its OS). A host declares vip1; the team host teams pd0 with pd1 (eth1) instead. The vswitch host
# has pd1 (eth1) as well, in no team, with buffers for a switch's external port and its VM ports.
node_config() {
  local i=$1 provider=$2 dir=$LAB_STATE/h$1 endpoints service adapters items vm_filter=""
  mkdir -p "$dir"
  # A node's queue sends back what it does not hand to its OS, source and destination MACs swapped. The bridge floods a
  # frame for a VM it has not heard from yet to every host: sent back, it would teach the bridge that the VM is behind
  # that host's eth0. So with a VM switch every host drops what comes for the VMs' addresses instead.
  if [ -n "$(vswitch_host)" ]; then
    vm_filter=",
  { \"id\": \"vm-addresses\", \"priority\": 0, \"action\": \"drop\", \"match\": { \"destinationIp\": \"$VM_RANGE\" } }"
  fi
  endpoints=$(etcd_endpoints | sed 's/[^,]*/"&"/g; s/,/, /g')
  service=$(service_address "$i")
  cat > "$dir/filters.json" <<EOF
[
  { "id": "host-icmp", "priority": 0, "action": "os", "match": { "protocol": "icmp", "destinationIp": "198.18.10.$i" } },
  { "id": "host-service", "priority": 0, "action": "os", "match": { "destinationIp": "$service" } }$vm_filter
]
EOF
  if [ "h$i" = "$(team_host)" ]; then
    adapters="{ \"name\": \"pd0\", \"provider\": \"$provider\", \"interface\": \"eth0\", \"labels\": [\"edge\"], \"team\": \"t0\", \"addresses\": [\"$service\"], \"queues\": 1, \"queueSize\": 256, \"buffers\": 1024 },
    { \"name\": \"pd1\", \"provider\": \"$provider\", \"interface\": \"eth1\", \"labels\": [\"edge\"], \"team\": \"t0\", \"queues\": 1, \"queueSize\": 256, \"buffers\": 1024 }"
    items="[]"
  else
    adapters="{ \"name\": \"pd0\", \"provider\": \"$provider\", \"interface\": \"eth0\", \"labels\": [\"edge\"], \"queues\": 1, \"queueSize\": 256, \"buffers\": 1024 }"
    items="[ { \"id\": \"vip1\", \"kind\": \"vip\", \"address\": \"$VIP\", \"adapter\": \"pd0\" } ]"
  fi
  if [ "h$i" = "$(vswitch_host)" ]; then
    adapters+=",
    { \"name\": \"pd1\", \"provider\": \"$provider\", \"interface\": \"eth1\", \"queues\": 1, \"queueSize\": 256, \"buffers\": 2048 }"
  fi
  cat > "$dir/node.json" <<EOF
{
  "node": "h$i",
  "cluster": "lab",
  "store": "etcd",
  "etcd": {
    "endpoints": [$endpoints],
    "caFile": "$LAB_STATE/tls/ca.crt", "certFile": "$LAB_STATE/tls/client.crt", "keyFile": "$LAB_STATE/tls/client.key",
    "user": "pd-node", "passwordFile": "$LAB_STATE/secrets/pd-node-password"
  },
  "admin": { "listen": "$ADMIN" },
  "vmNamespacePrefix": "$PREFIX-vm-",
  "filters": "filters.json",
  "items": $items,
  "adapters": [
    $adapters
  ]
}
EOF
}

# start_node I: the node of host I, inside its namespace; its table goes to stats.jsonl, its messages to log.
start_node() {
  local dir=$LAB_STATE/h$1
  ( exec setsid nsenter --net="/run/netns/$(ns "h$1")" dotnet "$(cat "$LAB_STATE/pd-dll")" node run --config "$dir/node.json" -o json \
      < /dev/null > "$dir/stats.jsonl" 2>> "$dir/log" ) &
  echo $! > "$dir/pid"
  echo $! >> "$LAB_STATE/node-pids"
}

# adapter_state I: from host I's admin endpoint, the state, provider, error and name of its first adapter that does
# not run, or of pd0 when all run ("" while the node does not answer).
adapter_state() {
  in_ns "h$1" curl -s --max-time 2 "http://$ADMIN/status" 2>/dev/null \
    | jq -r '[.adapters[] | select(.state != "Running")] + .adapters | .[0] | "\(.state)\t\(.provider)\t\(.error // "")\t\(.adapter)"' 2>/dev/null || true
}

# wait_node I: waits until host I's adapters run; on afxdp, an adapter that cannot attach makes it restart on auto.
wait_node() {
  local i=$1 k state provider error name
  for ((k = 0; k < 300; k++)); do
    kill -0 "$(cat "$LAB_STATE/h$i/pid")" 2>/dev/null || fail "h$i's node exited; see $LAB_STATE/h$i/log"
    IFS=$'\t' read -r state provider error name <<< "$(adapter_state "$i")"
    case $state in
      Running) log "h$i: node up, $(grep -o '"name": "pd[0-9]"' "$LAB_STATE/h$i/node.json" | cut -d'"' -f4 | paste -sd, | sed 's/,/ and /') on provider $provider"; return 0 ;;
      Failed | Refused)
        grep -q '"provider": "afxdp"' "$LAB_STATE/h$i/node.json" || fail "h$i: $name is $state on $provider: $error"
        log "h$i: AF_XDP could not attach to $name's interface ($error); restarting the node on provider auto"
        stop_pids TERM "$LAB_STATE/h$i/pid"
        node_config "$i" auto
        start_node "$i" ;;
    esac
    sleep 0.2
  done
  fail "h$i's adapter did not come up within 60 s; see $LAB_STATE/h$i/log"
}

# wait_members: until every node is a live member of the cluster, as host h1's node sees it.
wait_members() {
  local k live
  for ((k = 0; k < 150; k++)); do
    live=$(pd_in h1 node ls -o json 2>/dev/null | jq '[.[] | select(.live)] | length' 2>/dev/null || echo 0)
    [ "$live" = "$(hosts)" ] && return 0
    sleep 0.2
  done
  fail "only $live of $(hosts) nodes registered in etcd; see $LAB_STATE/h*/log"
}

cmd_up() {
  local hosts=3 team=false vswitch=false
  while [ $# -gt 0 ]; do
    case $1 in
      --hosts) [[ ${2:-} =~ ^[1-8]$ ]] || die "--hosts: '${2:-}' is not a number of hosts from 1 to 8"; hosts=$2; shift 2 ;;
      --team) team=true; shift ;;
      --vswitch) vswitch=true; shift ;;
      *) die "up: unknown option $1" ;;
    esac
  done
  if $team && $vswitch && [ "$hosts" = 1 ]; then die "--team and --vswitch: both want h1's eth1 with --hosts 1; take 2 hosts or more"; fi
  require
  [ -e "$LAB_STATE/hosts" ] && die "a lab is already up (state in $LAB_STATE); run lab.sh down first"
  trap '[ $? = 0 ] || echo "lab.sh: up stopped half way; lab.sh down removes what it made" >&2' EXIT
  mkdir -p "$LAB_STATE"
  echo "$hosts" > "$LAB_STATE/hosts"
  if $team; then echo "h$hosts" > "$LAB_STATE/team"; fi
  if $vswitch; then echo h1 > "$LAB_STATE/vswitch"; fi
  pd_dll
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
    if [ "h$i" = "$(team_host)" ]; then link "h$i" eth1 data "198.18.10.$((100 + i))/24"; fi
    if [ "h$i" = "$(vswitch_host)" ]; then link "h$i" eth1 data ""; fi
    # The service address is the host's (on lo), but only announcements say which host has it: the kernel answers ARP
    # only for an address of the interface asked on.
    ip -n "$(ns "h$i")" addr add "$(service_address "$i")/32" dev lo
    in_ns "h$i" sysctl -qw net.ipv4.conf.all.arp_ignore=1
  done
  add_ns gen
  link gen eth0 data 198.18.10.200/24
  in_ns gen sysctl -qw net.ipv4.conf.eth0.arp_accept=1
  make_tls
  make_secrets
  for ((j = 1; j <= ETCD_MEMBERS; j++)); do
    add_ns "etcd$j"
    link "etcd$j" mgmt0 mgmt "$(etcd_address "$j")/24"
    start_etcd "$j"
  done
  wait_etcd
  enable_auth
  log "etcd up at $(etcd_endpoints): TLS with client certificates, auth on (users root and pd-node)"
  for ((i = 1; i <= hosts; i++)); do node_config "$i" afxdp; start_node "$i"; done
  for ((i = 1; i <= hosts; i++)); do wait_node "$i"; done
  wait_members
  trap - EXIT
  log "lab up: nodes h1..h$hosts, etcd at $(etcd_endpoints)"
}

# stop_pids SIGNAL FILE...: SIGNAL to each process a file names (each one this lab started), SIGKILL to those left after 10 s.
stop_pids() {
  local signal=$1 file pids=() pid i
  shift
  for file in "$@"; do [ -f "$file" ] && pids+=("$(cat "$file")"); done
  [ ${#pids[@]} -gt 0 ] && kill "-$signal" "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || continue 2; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$@"
}

cmd_down() {
  [ "$(id -u)" = 0 ] || die "needs root"
  local keep=false n inode
  case ${1:-} in --keep-logs) keep=true ;; "") ;; *) die "down: unknown option $1" ;; esac
  # Nodes first (a stopping node leaves the cluster and detaches its XDP program), then etcd, whose data goes with the
  # state directory (SIGTERM would have each member hand its leadership on first, seconds each).
  stop_pids TERM "$LAB_STATE"/h*/pid
  stop_pids KILL "$LAB_STATE"/etcd*/pid
  remove_vms
  # Only the names this lab makes (fabric, gen, hN, etcdN): another lab's prefix may start with this one's and '-'.
  for n in $(ip netns list | awk '{print $1}' | grep -E "^$PREFIX-(fabric|gen|h[0-9]+|etcd[0-9]+)\$" || true); do
    # A node killed with SIGKILL leaves its XDP owner record (/run/pd/xdp/NETNS-IFINDEX); it names this namespace.
    inode=$(stat -L -c %i "/run/netns/$n")
    rm -f /run/pd/xdp/"$inode"-*
    ip netns del "$n"
  done
  if $keep && [ -d "$LAB_STATE" ]; then
    find "$LAB_STATE" -mindepth 1 \( -name log -o -name stats.jsonl \) -prune -o -type f -print0 | xargs -0 rm -f
    find "$LAB_STATE" -mindepth 1 -depth -type d -empty -delete
    log "lab down; logs kept in $LAB_STATE"
  else
    rm -rf "$LAB_STATE"
    log "lab down"
  fi
}

# remove_vms: the VMs' namespaces ($PREFIX-vm-<vm>) that a node of this lab made and left (a node stopped by SIGKILL
# does not stop its VMs), by pd's mark on each (/run/pd/netns/NAME: the creating process's id and start time), which
# must name one of the nodes this lab started: a namespace of another lab whose prefix starts with "$PREFIX-vm" stays.
remove_vms() {
  local n mark pid
  for n in $(ip netns list | awk '{print $1}' | grep -E "^$PREFIX-vm-." || true); do
    mark=/run/pd/netns/$n
    [ -f "$mark" ] || continue
    pid=$(cut -d' ' -f1 "$mark")
    grep -qx "$pid" "$LAB_STATE/node-pids" 2>/dev/null || continue
    ip netns del "$n"
    rm -f "$mark"
  done
}

cmd_status() {
  [ -f "$LAB_STATE/hosts" ] || { echo "no lab is up"; return 0; }
  echo "hosts: $(hosts)"
  local name i first=""
  # Every process the lab runs, the stopped ones too: kill-etcd and kill-node remove the PID they killed.
  for name in $(seq -f 'etcd%g' 1 "$ETCD_MEMBERS") $(seq -f 'h%g' 1 "$(hosts)"); do
    if [ -f "$LAB_STATE/$name/pid" ]; then
      printf '%-8s pid %-7s %s\n' "$name" "$(cat "$LAB_STATE/$name/pid")" "$(kill -0 "$(cat "$LAB_STATE/$name/pid")" 2>/dev/null && echo running || echo gone)"
    else
      printf '%-8s %-11s %s\n' "$name" "" "stopped (lab.sh start-$([ "${name#etcd}" != "$name" ] && echo "etcd ${name#etcd}" || echo "node $name"))"
    fi
  done
  for ((i = 1; i <= $(hosts); i++)); do
    [ -f "$LAB_STATE/h$i/pid" ] && kill -0 "$(cat "$LAB_STATE/h$i/pid")" 2>/dev/null && { first=h$i; break; }
  done
  echo
  if [ -n "$first" ]; then echo "nodes (pd node ls, from $first):"; pd_in "$first" node ls || true; else echo "no node is running"; fi
  echo
  echo "etcd:"
  # etcdctl's own retry warnings (JSON lines) would bury the answer when a member is down.
  etcdctl_lab endpoint health 2>&1 | grep -v '^{"level"' || true
  etcdctl_lab endpoint status -w table 2>&1 | grep -v '^{"level"' || true
}

cmd_push_filter() {
  require_up
  local host=h1 arg wait=--wait
  if [ "${1:-}" = --host ]; then host_arg "${2:-}"; host=$2; shift 2; fi
  [ $# -gt 0 ] || die "push-filter: give a filter file or pd filter add's options (--id ID --action A ...)"
  for arg in "$@"; do [ "$arg" = --wait ] && wait=""; done
  pd_in "$host" filter add "$@" $wait
}

# traffic: trafgen in the generator sends UDP from 198.18.10.200 to every host whose eth0 is there, round robin, or to
# one address (--to) at its MAC (--mac, else the generator's neighbour entry for it).
cmd_traffic() {
  require_up
  local port=9 count=1000 rate=1000 i mac="" to="" cfg=$LAB_STATE/traffic.cfg gen_mac sent="" octet='(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])'
  while [ $# -gt 0 ]; do
    case $1 in
      --port) [[ ${2:-} =~ ^[0-9]+$ ]] && [ "$2" -le 65535 ] || die "--port: '${2:-}' is not a UDP port (0 to 65535)"; port=$2; shift 2 ;;
      --count) [[ ${2:-} =~ ^[1-9][0-9]{0,8}$ ]] || die "--count: '${2:-}' is not a number of packets (1 or more)"; count=$2; shift 2 ;;
      --rate) [[ ${2:-} =~ ^[1-9][0-9]{0,6}$ ]] || die "--rate: '${2:-}' is not a rate in packets/s (1 to 9999999)"; rate=$2; shift 2 ;;
      --to) [[ ${2:-} =~ ^$octet(\.$octet){3}$ ]] || die "--to: '${2:-}' is not an IPv4 address"; to=$2; shift 2 ;;
      --mac) [[ ${2:-} =~ ^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$ ]] || die "--mac: '${2:-}' is not a MAC address (six octets of two hex digits joined by ':')"; mac=$2; shift 2 ;;
      *) die "traffic: unknown option $1" ;;
    esac
  done
  [ -z "$mac" ] || [ -n "$to" ] || die "--mac: goes with --to (the address it is the MAC of)"
  gen_mac=$(ip -n "$(ns gen)" -j link show eth0 | jq -r '.[0].address')
  udp() { printf '{ eth(da=%s, sa=%s), ipv4(saddr=198.18.10.200, daddr=%s, ttl=64), udp(sport=40000, dport=%d), fill(0x00, 18) }\n' "$1" "$gen_mac" "$2" "$port"; }
  if [ -n "$to" ]; then
    if [ -z "$mac" ]; then
      mac=$(ip -n "$(ns gen)" -j neigh show "$to" dev eth0 | jq -r '[.[] | select(.lladdr != null)][0].lladdr // empty')
      [ -n "$mac" ] || fail "traffic: the generator has no MAC for $to (ping it first: lab.sh exec gen ping -c 1 $to; or give --mac)"
    fi
    udp "$mac" "$to" > "$cfg"
    sent="to $to ($mac)"
  else
    : > "$cfg"
    for ((i = 1; i <= $(hosts); i++)); do
      mac=$(ip -n "$(ns "h$i")" -j link show eth0 2>/dev/null | jq -r '.[0].address') || continue
      udp "$mac" "198.18.10.$i" >> "$cfg"
      sent+=" h$i"
    done
    [ -n "$sent" ] || fail "traffic: no host has its eth0"
    sent="round robin to$sent"
  fi
  log "sending $count UDP packets to port $port at $rate packets/s, $sent"
  in_ns gen trafgen --dev eth0 --conf "$cfg" --num "$count" --rate "${rate}pps" --cpus 1 --no-cpu-stats --notouch-irq >/dev/null 2>"$LAB_STATE/traffic.log" \
    || fail "trafgen failed: $(cat "$LAB_STATE/traffic.log")"
}

# A NIC pulled and plugged in again is the same NIC: its MAC is kept for plug-nic.
cmd_pull_nic() {
  require_up; host_arg "${1:-}"
  local mac
  # The MAC is kept only from a NIC that is there: a second pull must not lose the first one's.
  mac=$(ip -n "$(ns "$1")" -j link show eth0 2>/dev/null | jq -r '.[0].address') || fail "pull-nic: $1's eth0 is already pulled"
  echo "$mac" > "$LAB_STATE/$1/eth0-mac"
  ip -n "$(ns "$1")" link del eth0; log "pulled $1's eth0"
}
cmd_plug_nic() {
  require_up; host_arg "${1:-}"
  link "$1" eth0 data "198.18.10.${1#h}/24" "$(cat "$LAB_STATE/$1/eth0-mac" 2>/dev/null)"; log "plugged $1's eth0 back in"
}
cmd_kill_node() { require_up; host_arg "${1:-}"; [ -f "$LAB_STATE/$1/pid" ] || fail "kill-node: no node runs on $1"; kill -KILL "$(cat "$LAB_STATE/$1/pid")"; rm -f "$LAB_STATE/$1/pid"; log "killed $1's node"; }
cmd_start_node() {
  require_up; host_arg "${1:-}"
  [ -f "$LAB_STATE/$1/pid" ] && kill -0 "$(cat "$LAB_STATE/$1/pid")" 2>/dev/null && fail "start-node: $1's node is running"
  start_node "${1#h}"; wait_node "${1#h}"
}
etcd_arg() { [[ ${1:-} =~ ^[1-3]$ ]] || die "'${1:-}' is not an etcd member (1..$ETCD_MEMBERS)"; }
cmd_kill_etcd() { require_up; etcd_arg "${1:-}"; [ -f "$LAB_STATE/etcd$1/pid" ] || fail "kill-etcd: etcd member $1 is not running"; kill -KILL "$(cat "$LAB_STATE/etcd$1/pid")"; rm -f "$LAB_STATE/etcd$1/pid"; log "killed etcd member $1"; }
cmd_start_etcd() {
  require_up; etcd_arg "${1:-}"
  [ -f "$LAB_STATE/etcd$1/pid" ] && fail "start-etcd: etcd member $1 is running"
  start_etcd "$1"; log "started etcd member $1 (it rejoins from its data directory)"
}

main() {
  local cmd=${1:-}; shift || true
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status ;;
    push-filter) cmd_push_filter "$@" ;;
    traffic) cmd_traffic "$@" ;;
    pd) local host=${1:-}; shift || true; require_up; host_arg "$host"; pd_in "$host" "$@" ;;
    exec) local host=${1:-}; shift || true; [ -n "$host" ] || die "exec: which host?"; in_ns "$host" "$@" ;;
    pull-nic) cmd_pull_nic "${1:-}" ;;
    plug-nic) cmd_plug_nic "${1:-}" ;;
    kill-node) cmd_kill_node "${1:-}" ;;
    start-node) cmd_start_node "${1:-}" ;;
    kill-etcd) cmd_kill_etcd "${1:-}" ;;
    start-etcd) cmd_start_etcd "${1:-}" ;;
    *) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
}
main "$@"
