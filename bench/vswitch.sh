#!/usr/bin/env bash
# bench/run.sh vswitch [--quick]: the VM switch (src/VSwitch) with VFP rules, on SoftNic and on real veth.
#
# On veth, in namespaces of this run's own (vsb<PID>-*, pdvm-vsb<PID>*; 198.18.0.0/15 only): trafgen in a source
# namespace (ext-to-vm) or in VM vm2's namespace (vm-to-vm) offers 64-byte UDP frames at a fixed rate to VM vm1, through
#   pd-vswitch-afxdp  `pd-bench vswitch-veth`: the switch's external port on AF_XDP, each VM a namespace whose veth peer
#                     is its port (AF_XDP; afpacket where AF_XDP does not open, which the results' note then says), at 0
#                     (VFP off), 10 and 10,000 VFP rules per port
#   linux-bridge      a kernel bridge joining the same kind of namespaces, the VMs' MACs as static entries (no learning)
#   ovs-netdev        Open vSwitch's userspace datapath (this kernel has no openvswitch module), the same ports, a flow
#                     per VM MAC; left out, with the reason, where ovs-vswitchd does not run
#   floor             the generator into the veth with nothing behind it (the peer drops every frame)
# in interleaved rounds (3, or 1 with --quick). CPU per packet: the run's processes (trafgen, the switch, ovs-vswitchd)
# and every kernel thread, plus /proc/stat's irq and softirq time, over the frames vm1's eth0 received. Then
# `pd-bench vswitch` runs the SoftNic cases and the rule push timing and writes bench/results/vswitch.{json,md,tsv}
# (vswitch-quick.* with --quick), and gnuplot draws vswitch.png and vswitch.svg. Everything is torn down on exit,
# failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0; [ "${1:-}" = "--quick" ] && QUICK=1
die() { echo "bench/run.sh vswitch: $*" >&2; exit 2; }
log() { echo "[$(date +%T)] $*" >&2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, AF_XDP)"
need=()
for p in netsniff-ng gnuplot-nox openvswitch-switch iproute2 python3; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; } || die "could not install ${need[*]}"
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/Harness -c Release -v q -nologo >&2
PDB=("$(command -v dotnet)" "$PWD/bench/Harness/bin/Release/net10.0/pd-bench.dll")

P=vsb$$
SRC=$P-src SW=$P-sw B1=$P-b1 B2=$P-b2
VM1=${P}a VM2=${P}b
MAC_SRC=02:00:00:00:00:01 MAC1=00:15:5d:00:00:01 MAC2=00:15:5d:00:00:02
WORK=$(mktemp -d /tmp/pd-vswitch-bench.XXXXXX)
RESULTS_DIR=$PWD/bench/results
RATE=${RATE:-200000}
if [ $QUICK = 1 ]; then ROUNDS=1; DUR=3; WARM=1; else ROUNDS=${ROUNDS:-3}; DUR=${DUR:-6}; WARM=${WARM:-2}; fi
SWITCH_PID= GEN_PID= VM_PORTS=
OVS_REASON=

cleanup() {
  set +e
  [ -n "$GEN_PID" ] && stop_gen && wait "$GEN_PID" 2>/dev/null
  [ -n "$SWITCH_PID" ] && kill -TERM "$SWITCH_PID" 2>/dev/null && wait "$SWITCH_PID" 2>/dev/null
  ovs_down
  for ns in "$SRC" "$SW" "$B1" "$B2" "pdvm-$VM1" "pdvm-$VM2"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# trafgen's worker is a child process of its own: both get SIGINT, as a terminal's Ctrl-C gives it to both.
stop_gen() { kill -INT $(pgrep -P "$GEN_PID") "$GEN_PID" 2>/dev/null || true; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
rx_packets() { in_ns "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }
tx_packets() { in_ns "$1" cat "/sys/class/net/$2/statistics/tx_packets"; }

# The CPU ticks of the given process trees and of every kernel thread, plus /proc/stat's irq and softirq ticks.
ticks() {
  python3 - "$@" <<'PY'
import os, sys
roots = {int(p) for p in sys.argv[1:] if p}
procs = {}
for d in os.listdir('/proc'):
    if not d.isdigit(): continue
    try: s = open(f'/proc/{d}/stat').read()
    except OSError: continue
    f = s[s.rindex(')') + 2:].split()
    procs[int(d)] = (int(f[1]), int(f[6]), int(f[11]) + int(f[12]))   # ppid, flags, utime + stime
mine, grew = set(roots), True
while grew:
    grew = False
    for p, (pp, _, _) in procs.items():
        if pp in mine and p not in mine: mine.add(p); grew = True
total = sum(t for p, (_, flags, t) in procs.items() if p in mine or flags & 0x00200000)
cpu = open('/proc/stat').readline().split()
print(total + int(cpu[6]) + int(cpu[7]))
PY
}

veth() {   # veth NS_A IF_A MAC_A NS_B IF_B [ADDRESS_A]
  ip link add "$P-t" type veth peer name "$P-u"
  ip link set "$P-t" netns "$1" name "$2"; ip link set "$P-u" netns "$4" name "$5"
  ip -n "$1" link set "$2" address "$3" up; ip -n "$4" link set "$5" up
  [ -n "${6:-}" ] && ip -n "$1" addr add "$6" dev "$2"
  return 0
}

setup() {
  for ns in "$SRC" "$SW" "$B1" "$B2"; do
    ip netns add "$ns"; ip -n "$ns" link set lo up
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  veth "$SRC" eth0 $MAC_SRC "$SW" ext0
  veth "$B1" eth0 $MAC1 "$SW" b1p 198.19.1.1/15
  veth "$B2" eth0 $MAC2 "$SW" b2p 198.19.1.2/15
}

write_frame() {   # write_frame FILE SRC_MAC: 60-byte UDP 198.18.0.1:9000 -> 198.19.1.1:9000 to vm1's MAC
  local s; s=$(echo "$2" | sed 's/^/0x/; s/:/, 0x/g')
  cat > "$1" <<CFG
{
  0x00, 0x15, 0x5d, 0x00, 0x00, 0x01,
  $s,
  0x08, 0x00,
  0x45, 0x00, const16(46), const16(0), 0x40, 0x00, 64, 17, csumip(14, 33),
  198, 18, 0, 1,
  198, 19, 1, 1,
  const16(9000), const16(9000), const16(26), const16(0),
  fill(0x41, 18)
}
CFG
}

ovs_up() {   # Open vSwitch's userspace datapath with a database and run directory of this run's own, in the switch host
  export OVS_RUNDIR=$WORK/ovs OVS_DBDIR=$WORK/ovs OVS_LOGDIR=$WORK/ovs
  mkdir -p "$WORK/ovs"
  ovsdb-tool create "$WORK/ovs/conf.db" /usr/share/openvswitch/vswitch.ovsschema >/dev/null &&
  ovsdb-server "$WORK/ovs/conf.db" --remote="punix:$WORK/ovs/db.sock" --pidfile="$WORK/ovs/ovsdb-server.pid" --detach --log-file="$WORK/ovs/ovsdb-server.log" -vconsole:off &&
  in_ns "$SW" ovs-vswitchd "unix:$WORK/ovs/db.sock" --pidfile="$WORK/ovs/ovs-vswitchd.pid" --detach --log-file="$WORK/ovs/ovs-vswitchd.log" -vconsole:off &&
  ovs-vsctl --db="unix:$WORK/ovs/db.sock" --timeout=20 -- add-br obr0 -- set bridge obr0 datapath_type=netdev -- set-fail-mode obr0 secure \
    -- add-port obr0 ext0 -- add-port obr0 b1p -- add-port obr0 b2p >/dev/null &&
  ovs-ofctl add-flow "unix:$WORK/ovs/obr0.mgmt" "dl_dst=$MAC1,actions=output:b1p" &&
  ovs-ofctl add-flow "unix:$WORK/ovs/obr0.mgmt" "dl_dst=$MAC2,actions=output:b2p"
}
ovs_down() {
  local f
  for f in ovs-vswitchd ovsdb-server; do
    [ -f "$WORK/ovs/$f.pid" ] && kill -TERM "$(cat "$WORK/ovs/$f.pid")" 2>/dev/null
  done
  sleep 0.5
  ip -n "$SW" link del obr0 2>/dev/null   # the userspace datapath's tap for the bridge's own port
  return 0
}

# One window of one case: prints a raw JSON line. $1 path, $2 switch, $3 rules ('' for none), $4 the namespace and
# interface that count the delivered frames, $5 the generator's namespace, $6 its frame, $7... extra process roots.
measure() {
  local path=$1 sw=$2 rules=$3 count=$4 gen_ns=$5 frame=$6; shift 6
  local count_ns=${count%:*} count_if=${count#*:}
  ( exec ip netns exec "$gen_ns" taskset -c 0 trafgen --no-sock-mem --notouch-irq -C -P 1 -b "${RATE}pps" -i "$frame" -o eth0 >/dev/null 2> "$WORK/trafgen.err" ) &
  GEN_PID=$!
  sleep "$WARM"
  local t0 r0 g0 c0 t1 r1 g1 c1
  t0=$(date +%s%N); r0=$(rx_packets "$count_ns" "$count_if"); g0=$(tx_packets "$gen_ns" eth0); c0=$(ticks "$GEN_PID" "$@")
  sleep "$DUR"
  t1=$(date +%s%N); r1=$(rx_packets "$count_ns" "$count_if"); g1=$(tx_packets "$gen_ns" eth0); c1=$(ticks "$GEN_PID" "$@")
  kill -0 "$GEN_PID" 2>/dev/null || { log "trafgen stopped early: $(tail -2 "$WORK/trafgen.err")"; GEN_PID=; return 1; }
  stop_gen; wait "$GEN_PID" 2>/dev/null || true; GEN_PID=
  python3 -c 'import json,sys,os
p,s,r,t0,t1,r0,r1,g0,g1,c0,c1,vp=sys.argv[1:]
dt=(int(t1)-int(t0))/1e9; got=int(r1)-int(r0)
print(json.dumps({"case":p,"switch":s,"rules":int(r) if r else None,"seconds":dt,"delivered":got,"offered":int(g1)-int(g0),
  "ns_per_packet":(int(c1)-int(c0))*1e9/os.sysconf("SC_CLK_TCK")/max(got,1),"vm_ports":vp}))' "$path" "$sw" "$rules" "$t0" "$t1" "$r0" "$r1" "$g0" "$g1" "$c0" "$c1" "$VM_PORTS"
}

start_switch() {   # start_switch RULES: our switch in the background; returns once it forwards
  ( exec "${PDB[@]}" vswitch-veth --namespace "$SW" --external ext0 --provider afxdp --rules "$1" \
      --vm "$VM1=$MAC1=198.19.1.1/15" --vm "$VM2=$MAC2=198.19.1.2/15" > "$WORK/switch.out" 2> "$WORK/switch.err" ) &
  SWITCH_PID=$!
  local i
  for ((i = 0; i < 150; i++)); do
    if grep -q '^ready' "$WORK/switch.out" 2>/dev/null; then
      in_ns "pdvm-$VM2" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
      VM_PORTS=$(awk '$1 == "port" { print $3 }' "$WORK/switch.out" | sort -u | paste -sd/)   # the providers the VM ports opened on
      grep '^port .* (' "$WORK/switch.out" >&2 || true                                        # why AF_XDP was passed over, if it was
      return 0
    fi
    kill -0 "$SWITCH_PID" 2>/dev/null || break
    sleep 0.2
  done
  log "the switch did not start: $(tail -3 "$WORK/switch.err")"; stop_switch; return 1
}
stop_switch() { kill -TERM "$SWITCH_PID" 2>/dev/null || true; wait "$SWITCH_PID" 2>/dev/null || true; SWITCH_PID= VM_PORTS=; }

setup
write_frame "$WORK/ext.cfg" $MAC_SRC
write_frame "$WORK/vm.cfg" $MAC2
if ovs_up; then
  ovs_down; rm -rf "$WORK/ovs"; OVS=1; OVS_REASON="measured: the userspace datapath (netdev); this kernel has no openvswitch module"
else
  OVS=0; OVS_REASON="ovs-vswitchd did not run here: $(tail -2 "$WORK/ovs/ovs-vswitchd.log" 2>/dev/null | tr '\n"' ' ' | cut -c1-200)"; ovs_down; log "$OVS_REASON"
fi
RAW=$WORK/raw.jsonl; : > "$RAW"
for ((round = 1; round <= ROUNDS; round++)); do
  for path in ext-to-vm vm-to-vm; do
    if [ $path = ext-to-vm ]; then gen_ns=$SRC; frame=$WORK/ext.cfg; floor_count=$SW:ext0; else gen_ns=$B2; frame=$WORK/vm.cfg; floor_count=$SW:b2p; fi
    log "round $round/$ROUNDS, $path: floor"
    measure $path floor "" "$floor_count" "$gen_ns" "$frame" >> "$RAW" || log "floor failed"
    log "round $round/$ROUNDS, $path: linux-bridge"
    ip -n "$SW" link add kbr0 type bridge forward_delay 0 && ip -n "$SW" link set kbr0 up
    for port in ext0 b1p b2p; do ip -n "$SW" link set $port master kbr0; done
    bridge -n "$SW" fdb replace $MAC1 dev b1p master static; bridge -n "$SW" fdb replace $MAC2 dev b2p master static
    measure $path linux-bridge "" "$B1:eth0" "$gen_ns" "$frame" >> "$RAW" || log "linux-bridge failed"
    ip -n "$SW" link del kbr0
    if [ $OVS = 1 ]; then
      log "round $round/$ROUNDS, $path: ovs-netdev"
      if ovs_up; then measure $path ovs-netdev "" "$B1:eth0" "$gen_ns" "$frame" "$(cat "$WORK/ovs/ovs-vswitchd.pid")" >> "$RAW" || log "ovs failed"; fi
      ovs_down; sleep 1; rm -rf "$WORK/ovs"
    fi
    for rules in 0 10 10000; do
      log "round $round/$ROUNDS, $path: pd-vswitch-afxdp, $rules rules"
      [ $path = ext-to-vm ] && vm_gen=$SRC || vm_gen=pdvm-$VM2
      if start_switch $rules; then
        measure $path pd-vswitch-afxdp $rules "pdvm-$VM1:eth0" "$vm_gen" "$frame" "$SWITCH_PID" >> "$RAW" || log "pd-vswitch failed"
        stop_switch
      fi
    done
  done
done

# The median round per case, as pd-bench vswitch reads it (VSwitchRow), with the floor of the same path beside it.
python3 - "$RAW" "$ROUNDS" > "$WORK/veth.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
key = lambda r: (r['case'], r['switch'], r['rules'])
groups = {}
for r in rows: groups.setdefault(key(r), []).append(r)
floor = {}
for (case, sw, rules), g in groups.items():
    if sw == 'floor':
        floor[case] = sorted(x['ns_per_packet'] for x in g)[len(g) // 2]
for (case, sw, rules), g in groups.items():
    g.sort(key=lambda x: x['ns_per_packet']); m = g[len(g) // 2]
    mpps = lambda x: x['delivered'] / x['seconds'] / 1e6
    note = {'floor': 'the generator into the veth, nothing behind it (counted where the peer receives)',
            'linux-bridge': 'kernel bridge, static FDB entries for the VMs', 'ovs-netdev': "Open vSwitch's userspace datapath, a flow per VM MAC",
            'pd-vswitch-afxdp': 'external port AF_XDP, VM ports ' + {'afxdp': 'AF_XDP'}.get(m.get('vm_ports'), m.get('vm_ports') or 'unknown') + (', VFP off' if rules == 0 else '')}[sw]
    print(json.dumps({'case': case, 'platform': 'veth', 'switch': sw, 'rules': rules, 'rounds': len(g),
        'delivered_mpps': round(mpps(m), 4), 'delivered_mpps_min': round(min(map(mpps, g)), 4), 'delivered_mpps_max': round(max(map(mpps, g)), 4),
        'offered_mpps': round(m['offered'] / m['seconds'] / 1e6, 4), 'ns_per_packet': round(m['ns_per_packet'], 1),
        'ns_per_packet_min': round(g[0]['ns_per_packet'], 1), 'ns_per_packet_max': round(g[-1]['ns_per_packet'], 1),
        'floor_ns_per_packet': None if sw == 'floor' else floor.get(case), 'note': note}))
PY
cleanup_ns() { for ns in "$SRC" "$SW" "$B1" "$B2"; do ip netns del "$ns" 2>/dev/null || true; done; }
cleanup_ns

"${PDB[@]}" vswitch $([ $QUICK = 1 ] && echo --quick) --veth "$WORK/veth.jsonl" --ovs "$OVS_REASON"
stem=$RESULTS_DIR/vswitch; [ $QUICK = 1 ] && stem=$stem-quick
caption="$(date -u '+%Y-%m-%d %H:%M UTC') · $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') · $(nproc) cores · load $(cut -d' ' -f1-3 /proc/loadavg)"
gnuplot -e "data='$stem.tsv'; out='$stem'; caption='$caption'" bench/vswitch-chart.gp
