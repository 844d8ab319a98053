#!/usr/bin/env bash
# bench/run.sh veth [--quick]: the receive paths on a real veth pair, ours beside the anchors, in one run.
#
# The instrument is the team's anchor script (../shared/tools/veth-anchors.sh, or $VETH_ANCHORS): it builds the
# namespaces gen and dut joined by a veth pair, offers 64-byte UDP frames with trafgen on core 0, runs each receiver
# pinned to core 1 and measures delivered rate, loss and CPU the same way for every path. This script runs, in
# interleaved rounds and in both placements (A: softirq on the generator's core; B: threaded NAPI on the receiver's):
#   ours       pd-afxdp-drain, pd-afxdp-paced (drain notification with paced polling under traffic), pd-afxdp-aligned (the UMEM in aligned chunk mode), pd-afxdp-busy, pd-afpacket-drain (`pd-bench veth-rx`: a supervised QueueActor that
#              parses and classifies every frame), dotnet-socket (one datagram per call), dotnet-recvmmsg (batches of 64)
#   anchors    xsk-drv-poll and xsk-drv-busy (C libxdp receivers), xdp-drop-drv (the kernel's floor), dpdk-afxdp and
#              dpdk-afpacket (dpdk-testpmd rxonly)
# then, without trafgen: round-trip latency of probe frames sent by the project's AF_XDP transmit path and reflected
# by each of our paths, the CPU of an idle drain-notification queue, and `ip link del` under traffic to the adapter
# supervisor seeing the removal. Writes bench/results/veth.{json,md,svg} (veth-quick.* with --quick) and keeps every
# raw measurement in bench/results/veth-raw.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0; [ "${1:-}" = "--quick" ] && QUICK=1
ANCHORS=${VETH_ANCHORS:-../shared/tools/veth-anchors.sh}
die() { echo "bench/run.sh veth: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, XDP, AF_XDP)"
[ -f "$ANCHORS" ] || die "the anchor script is missing at $ANCHORS (the team's shared/tools/veth-anchors.sh; set VETH_ANCHORS to its path)"

need=()
for p in netsniff-ng dpdk dpdk-dev libxdp-dev libbpf-dev clang ethtool iproute2 python3 util-linux; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || die "could not install ${need[*]}"
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/Harness -c Release -v q -nologo >&2
PDB=("$(command -v dotnet)" "$PWD/bench/Harness/bin/Release/net10.0/pd-bench.dll")

export WORK=${WORK:-/tmp/pd-veth-bench}
RESULTS_DIR=$PWD/bench/results
RAW=$RESULTS_DIR/veth-raw.jsonl
export RESULTS=$RAW
export TAG="run-$(date -u +%Y%m%dT%H%M%SZ)$([ $QUICK = 1 ] && echo -quick)"
if [ $QUICK = 1 ]; then ROUNDS=1; export DUR=4 WARM=2; else ROUNDS=${ROUNDS:-3}; export DUR=${DUR:-8} WARM=${WARM:-2}; fi
export REPS=1
mkdir -p "$RESULTS_DIR" "$WORK"
LAT=$WORK/$TAG.latency.jsonl; IDLE=$WORK/$TAG.idle.jsonl; REMOVAL=$WORK/$TAG.removal.jsonl
: > "$LAT"; : > "$IDLE"; : > "$REMOVAL"

OURS="pd-afxdp-drain pd-afxdp-paced pd-afxdp-aligned pd-afxdp-busy pd-afpacket-drain dotnet-socket dotnet-recvmmsg"
ANCHOR_CASES="xsk-drv-poll xsk-drv-busy xdp-drop-drv dpdk-afxdp dpdk-afpacket"
log() { echo "[$(date +%T)] $*" >&2; }
trap 'bash "$ANCHORS" teardown >/dev/null 2>&1 || true' EXIT

bash "$ANCHORS" build >&2
for placement in softirq threaded; do
  export NAPI_MODE=$placement
  unset PRIO
  bash "$ANCHORS" setup >&2
  for ((round = 1; round <= ROUNDS; round++)); do
    for c in $OURS $ANCHOR_CASES; do
      log "placement $placement, round $round/$ROUNDS: $c"
      case " $ANCHOR_CASES " in
        *" $c "*) bash "$ANCHORS" run "$c" >&2 || log "$c failed" ;;
        *) bash "$ANCHORS" custom "$c" -- "${PDB[@]}" veth-rx --path "$c" --interface veth-dut >&2 || log "$c failed" ;;
      esac
    done
  done
done

# Without trafgen, placement A: latency, idle CPU and removal. The receiver runs in dut on core 1, the probe in gen on core 0.
export NAPI_MODE=softirq
bash "$ANCHORS" setup >&2
in_dut() { nsenter --net=/run/netns/dut taskset -c 1 "$@"; }
in_gen() { nsenter --net=/run/netns/gen taskset -c 0 "$@"; }
start_receiver() {   # start_receiver OUTFILE ARGS...: sets RX; returns once the receiver reported its first line
  local out=$1; shift
  ( exec nsenter --net=/run/netns/dut taskset -c 1 "${PDB[@]}" veth-rx "$@" > "$out" 2> "$out.err" ) &
  RX=$!
  local i
  for ((i = 0; i < 100; i++)); do
    grep -qE '^[0-9]+ [0-9]+' "$out" 2>/dev/null && return 0
    kill -0 "$RX" 2>/dev/null || break
    sleep 0.2
  done
  log "receiver $* did not start: $(tail -2 "$out.err")"; return 1
}
stop_receiver() { kill -TERM "$RX" 2>/dev/null || true; wait "$RX" 2>/dev/null || true; }   # TERM: a background job inherits SIGINT ignored
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

for c in $OURS; do
  [ "$c" = dotnet-recvmmsg ] && continue
  log "latency: $c"
  if start_receiver "$WORK/lat-$c.out" --path "$c" --interface veth-dut --reflect; then
    in_gen "${PDB[@]}" veth-probe --interface veth-gen --label "$c" --rate 20000 --seconds "$([ $QUICK = 1 ] && echo 3 || echo 10)" >> "$LAT" || log "probe of $c failed"
  fi
  stop_receiver
done

for c in pd-afxdp-drain pd-afxdp-paced pd-afxdp-busy; do
  log "idle CPU: $c"
  if start_receiver "$WORK/idle-$c.out" --path "$c" --interface veth-dut; then
    sleep 2
    a=$(cpu_ticks "$RX"); sleep 10; b=$(cpu_ticks "$RX")
    echo "{\"path\":\"$c\",\"idle_cpu_pct\":$(awk -v d=$((b - a)) -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", d / hz / 10 * 100}')}" >> "$IDLE"
  fi
  stop_receiver
done

# `ip link del` under traffic (trafgen's slow path, 10 µs apart): from just before `ip` starts to the supervisor's Removed.
for ((trial = 1; trial <= $([ $QUICK = 1 ] && echo 2 || echo 5); trial++)); do
  log "removal trial $trial"
  bash "$ANCHORS" setup >&2
  if start_receiver "$WORK/removal.out" --path pd-afxdp-drain --interface veth-dut; then
    # The slow path sends a few thousand frames a second, and trafgen stops when the device goes.
    ( exec timeout -s INT 10 nsenter --net=/run/netns/gen trafgen --no-sock-mem --notouch-irq -C -P 1 -t 10us -n 1000000 -i "$WORK/bin/udp64.cfg" -o veth-gen >/dev/null 2>&1 ) &
    GEN=$!
    sleep 1.5
    before=$(date +%s%N)
    ip -n dut link del veth-dut
    for ((i = 0; i < 50; i++)); do grep -q removed "$WORK/removal.out" && break; sleep 0.1; done
    wait "$GEN" 2>/dev/null || true
    removed=$(grep -o 'removed [0-9]*' "$WORK/removal.out" | head -1 | awk '{print $2}')
    [ -n "$removed" ] && echo "{\"removal_ms\":$(awk -v a="$before" -v b="$removed" 'BEGIN{printf "%.3f", (b - a) / 1e6}')}" >> "$REMOVAL" || log "trial $trial: no removal seen"
  fi
  stop_receiver
done
bash "$ANCHORS" teardown >&2

"${PDB[@]}" veth-report --anchors "$RAW" --tag "$TAG" --latency "$LAT" --idle "$IDLE" --removal "$REMOVAL" --out "$RESULTS_DIR" $([ $QUICK = 1 ] && echo --quick)
