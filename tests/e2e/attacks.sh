# Hostile traffic against the IPv4 stack and TCP (net/), on both targets:
# apps/echo in a network namespace of each attack's own, behind a tap,
# and on the tap's Linux side a writer of raw frames
# (tests/tools/attack.py) beside Linux's ping and an ordinary TCP client:
#   - an ARP flood: 20000 requests and gratuitous ARPs from random
#     senders of the /24 (the cache holds 64);
#   - FragmentSmack: 20000 tiny overlapping IPv4 fragments under random
#     identifiers, no datagram ever complete (reassembly holds 4);
#   - SegmentSmack: 20000 1-byte TCP segments at random offsets of one
#     connection's window, its left edge never filled (8 ranges held),
#     then the window filled in order and echoed back intact.
# Each lasts about 2.5 s. During and after it, Linux's ping (and, for
# SegmentSmack, an echo over an ordinary connection) must lose nothing
# and be answered at once, the unikernel must keep running, and its
# resident memory must grow by less than 2 MiB. SYN floods:
# tests/e2e/tcp.sh.
. "$(dirname "$0")/../lib.sh"
ATTACK="/usr/bin/python3 $ROOT/tests/tools/attack.py"
MAC=02:00:00:00:00:2e
HOST=10.77.0.1
GUEST=10.77.0.2
EVIL=10.77.0.50 # SegmentSmack's own TCP endpoint, owned by Linux
COUNT=20000
FLOOD_SECONDS=2.5
RSS_GROWTH_MAX=2048 # KiB

# net_ns NAME: a namespace with tap pitht0 up at $HOST/24; sets NS.
net_ns() { tap_ns "$1" $HOST/24; }

# echo_up IMAGE NAME [ECHO-OPTION...]: a namespace of the attack's own
# and apps/echo in it at $GUEST, ready; sets NS, LOG and PID (killed at
# exit). `ip netns exec` and `pith run` both exec, so PID is the image's
# own process (unix) or its tender's, which holds the guest (spt).
echo_up() {
    local img=$1 name=$2
    shift 2
    net_ns "$name" && echo_start "$name" pitht0 "$img" "$@"
}

in_ns() { ip netns exec "$NS" "$@"; }

# tag: prefixes the target to attack.py's lines.
tag() { sed "s/^\(ok\|not ok\|#\) /\1 $target: /"; }

check() { if eval "$2"; then ok "$1"; else notok "$1" "$3"; fi; }

alive() {
    if kill -0 $PID 2>/dev/null; then ok "$1"; else notok "$1" "it exited: $(tail -n 3 "$LOG" | tr '\n' '|')"; fi
}

# rss: the image's resident memory now, in KiB: Rss of smaps_rollup,
# counted from the page tables (VmRSS of status may lag behind by the
# kernel's per-CPU batches).
rss() { awk '/^Rss:/ { print $2 }' /proc/$PID/smaps_rollup 2>/dev/null; }

# rss_bounded NAME BEFORE: passes when the resident memory grew by less
# than RSS_GROWTH_MAX KiB since BEFORE.
rss_bounded() {
    local now
    now=$(rss)
    echo "# $target: $1: RSS $2 KiB before, ${now:-?} KiB after"
    if [ -n "$now" ] && [ $((now - $2)) -lt $RSS_GROWTH_MAX ]; then
        ok "$target: $1: resident memory grew by less than $RSS_GROWTH_MAX KiB"
    else
        notok "$target: $1: resident memory grew by less than $RSS_GROWTH_MAX KiB" \
            "RSS $2 KiB before, ${now:-gone} after"
    fi
}

# pings NAME COUNT [PING-OPTION...]: Linux's ping, COUNT of them, none lost.
pings() {
    local name=$1 n=$2
    shift 2
    expect "$name" 0 "^$n packets transmitted, $n received, 0% packet loss" -- \
        in_ns ping -c "$n" -W 1 -q "$@" $GUEST
}

# flood_start ATTACK-ARG...: attack.py in the background; sets FPID.
flood_start() {
    in_ns $ATTACK "$@" >"$T/flood.out" 2>&1 &
    FPID=$!
    cleanup_add "kill -9 $FPID"
}
# still_flooding NAME: fails NAME when the flood ended before the check
# that was meant to run during it.
still_flooding() {
    kill -0 $FPID 2>/dev/null ||
        notok "$1: ran during the flood" "the flood had ended before the check did; it is too short"
}
# flood_end: waits for the flood and shows what it said.
flood_end() {
    wait $FPID || [ -s "$T/flood.out" ] || notok "$target: attack.py" "failed silently"
    tag <"$T/flood.out"
}

# The last "echo: tcp ..." line of $LOG, and the value of a FIELD of it.
stats() { grep '^echo: tcp ' "$LOG" | tail -n 1; }
stat() { stats | grep -o " $1=[0-9]*" | cut -d= -f2; }
# stats_next: waits for a stats line newer than the last (every second
# with --stats-every=1; 11 s for an echo without that option).
stats_next() {
    local n
    n=$(grep -c '^echo: tcp ' "$LOG")
    for _ in $(seq 110); do
        [ "$(grep -c '^echo: tcp ' "$LOG")" -gt "$n" ] && return 0
        sleep 0.1
    done
    return 1
}

arpflood() {
    local before name
    pings "$target: arp flood: ping before" 3 -i 0.05
    before=$(rss)
    flood_start arpflood pitht0 $GUEST $COUNT $FLOOD_SECONDS $HOST
    sleep 0.3
    name="$target: arp flood: ping -c 20 -i 0.05 during the flood loses nothing"
    pings "$name" 20 -i 0.05
    still_flooding "$name"
    flood_end
    pings "$target: arp flood: ping -c 20 -i 0.05 afterwards loses nothing" 20 -i 0.05
    alive "$target: arp flood: echo still runs"
    rss_bounded "arp flood" "$before"
}

fragflood() {
    local before name
    # Both the plain and the fragmented path warmed up before measuring.
    pings "$target: fragment flood: ping before" 3 -i 0.05 -s 3000
    before=$(rss)
    flood_start fragflood pitht0 $MAC $GUEST $COUNT $FLOOD_SECONDS
    sleep 0.3
    name="$target: fragment flood: ping -c 20 -i 0.05 during the flood loses nothing"
    pings "$name" 20 -i 0.05
    still_flooding "$name"
    name="$target: fragment flood: ping -s 3000 (fragmented both ways) during the flood loses nothing"
    pings "$name" 5 -i 0.1 -s 3000
    still_flooding "$name"
    flood_end
    pings "$target: fragment flood: ping -c 20 -i 0.05 afterwards loses nothing" 20 -i 0.05
    pings "$target: fragment flood: ping -s 3000 afterwards loses nothing" 5 -i 0.1 -s 3000
    alive "$target: fragment flood: echo still runs"
    rss_bounded "fragment flood" "$before"
}

# segsmack: attack.py's own connection from $EVIL, an address Linux owns
# (so that the unikernel's ARP for it is answered) but whose RSTs to the
# segments it never sent are dropped.
segsmack() {
    local before name mem=0 m
    ip -n "$NS" addr add $EVIL/24 dev pitht0 &&
        in_ns nft -f - <<EOF || { notok "$target: segsmack: set-up" "cannot add $EVIL or its nft rule"; return; }
table ip pithsmack {
    chain out { type filter hook output priority 0; ip saddr $EVIL tcp flags & rst == rst drop; }
}
EOF
    in_ns $ATTACK echo $GUEST 7 65536 1 "segsmack: warm-up echo" >/dev/null
    before=$(rss)
    flood_start segsmack pitht0 $MAC $EVIL $GUEST 7 $COUNT $FLOOD_SECONDS
    sleep 0.7
    name="segsmack: during the flood, 64 KiB echoed over another connection within 1 s"
    in_ns $ATTACK echo $GUEST 7 65536 1 "$name" | tag
    still_flooding "$target: $name"
    flood_end
    in_ns $ATTACK echo $GUEST 7 65536 1 \
        "segsmack: afterwards, 64 KiB echoed within 1 s" | tag
    # Buffers the attack's connection held at the 1 s samples, at most.
    stats_next
    for m in $(grep '^echo: tcp ' "$LOG" | grep -o ' mem=[0-9]*' | cut -d= -f2); do
        [ "$m" -gt "$mem" ] && mem=$m
    done
    echo "# $target: segsmack: at most $mem bytes of TCP buffers seen; now: $(stats)"
    check "$target: segsmack: TCP buffers stayed within one connection's (256 KiB) and a client's" \
        '[ "$mem" -le $((512 * 1024)) ]' "$mem bytes at most: $(grep '^echo: tcp ' "$LOG" | tr '\n' '|')"
    stats_next
    check "$target: segsmack: after its reset, no connection and no buffer left" \
        '[ "$(stat conns)" = 0 ] && [ "$(stat mem)" = 0 ]' "'$(stats)'"
    alive "$target: segsmack: echo still runs"
    rss_bounded "segsmack" "$before"
}

for target in unix spt; do
    img=$T/echo.$target
    build_app "$ROOT/apps/echo" $target "$img" || continue
    if echo_up "$img" arp$target; then
        arpflood
    fi
    if echo_up "$img" frag$target; then
        fragflood
    fi
    if echo_up "$img" smack$target --stats --stats-every=1; then
        segsmack
    fi
done
