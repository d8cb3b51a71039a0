# TCP (net/tcp) through a lossy, reordering path, on both targets: data
# through apps/echo's TCP echo, both ways at once, with the seeded relay
# (tests/tools/impair) losing 5% of the frames and reordering 5% in each
# direction, must come back byte-identical (sha256, tcpcheck.py echo).
#
# 100 MiB each way (TCP_IMPAIR_MIB sets another size; TCP_IMPAIR_TARGETS
# other targets), then again with the loss from nftables on the bridge's
# forward path: 8 to 11 s per case and target, 9 to 13 MB/s each way at
# once (2026-11-22, 2 cores; it was about 50 s before tail loss probes
# sent new data, DSACK undid spurious recoveries and ACKs at the window's
# edge were taken). One way alone, 10 MiB from pith to Linux takes about
# 0.4 s and Linux to pith about 0.1 s through this relay.
#
# The topology is tests/e2e/impair.sh's, all in one namespace:
#
#   Linux 10.82.0.1 on pitha <-> impair <-> pithb =[bridge pithbr]= pithu
#                                                       <-> echo 10.82.0.2
#
# (see there why the bridge is "arp off" and the unikernel's MAC is a
# permanent neighbour on pitha). Before the impaired run, a few pings
# through an unimpaired relay teach the unikernel Linux's MAC.
. "$(dirname "$0")/../lib.sh"
IMPAIR=$ROOT/build/testtools/impair
TCPCHECK="/usr/bin/python3 $ROOT/tests/tools/tcpcheck.py"
MAC=02:00:00:00:00:2e
HOST=10.82.0.1
GUEST=10.82.0.2
BYTES=$((${TCP_IMPAIR_MIB:-100} << 20))

in_ns() { ip netns exec "$NS" "$@"; }

# topology_up NAME: the namespace, taps and bridge above; sets NS.
topology_up() {
    NS=$(netns_new "$1") || { notok "$1: namespace" "ip netns add failed"; return 1; }
    in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 &&
        ip -n "$NS" tuntap add pitha mode tap &&
        ip -n "$NS" tuntap add pithb mode tap &&
        ip -n "$NS" tuntap add pithu mode tap &&
        ip -n "$NS" link add pithbr type bridge &&
        ip -n "$NS" link set pithbr arp off &&
        ip -n "$NS" link set pithb master pithbr &&
        ip -n "$NS" link set pithu master pithbr &&
        ip -n "$NS" link set pitha up && ip -n "$NS" link set pithb up &&
        ip -n "$NS" link set pithu up && ip -n "$NS" link set pithbr up &&
        ip -n "$NS" addr add $HOST/24 dev pitha &&
        ip -n "$NS" neigh replace $GUEST lladdr $MAC dev pitha nud permanent ||
        { notok "$1: topology" "cannot set up the taps and bridge in $NS"; return 1; }
}

# echo_up IMAGE NAME: apps/echo on pithu at $GUEST, ready; sets PID and
# LOG.
echo_up() { echo_start "$2" pithu "$1" --stats --stats-every=1; }

# relay_start NAME ARGS...: impair ARGS pitha pithb, with the path through
# it ready; sets RPID.
relay_start() {
    local name=$1
    shift
    ip netns exec "$NS" "$IMPAIR" --stats="$T/stats" "$@" pitha pithb \
        >"$T/relay.out" 2>"$T/relay.err" &
    RPID=$!
    cleanup_add "kill -9 $RPID"
    for _ in $(seq 100); do
        if grep -q '^impair: pitha <-> pithb, seed' "$T/relay.out" &&
            ip -n "$NS" link show pitha | grep -q LOWER_UP &&
            ! ip -n "$NS" link show pitha | grep -q 'qdisc noop' &&
            bridge -n "$NS" link show dev pithb | grep -q 'state forwarding'; then
            return 0
        fi
        kill -0 $RPID 2>/dev/null || break
        sleep 0.05
    done
    notok "$name: impair $* starts" "$(tr '\n' '|' <"$T/relay.err")"
    return 1
}

# relay_stop: stops the relay; sets STATS to its counters.
relay_stop() {
    kill -TERM $RPID
    wait $RPID 2>/dev/null
    STATS=$(cat "$T/stats" 2>/dev/null)
}

# counter WAY NAME: counter NAME of $STATS in direction WAY: ab (Linux to
# the unikernel) or ba.
counter() {
    local half
    if [ "$1" = ab ]; then half=${STATS%%;*}; else half=${STATS#*;}; fi
    echo "$half" | grep -o " $2=[0-9]*" | cut -d= -f2
}

check() {
    if eval "$2"; then ok "$1"; else notok "$1" "$3"; fi
}

seed=1
for target in ${TCP_IMPAIR_TARGETS:-unix spt}; do
    img=$T/echo.$target
    build_app "$ROOT/apps/echo" $target "$img" || continue
    topology_up lossy$target || continue
    echo_up "$img" lossy$target || continue
    relay_start "$target" || continue
    in_ns ping -c 3 -i 0.1 -W 1 -q $GUEST >/dev/null 2>&1
    relay_stop
    relay_start "$target" --loss=5 --reorder=5 --seed=$seed || continue
    start=$(date +%s)
    timeout 900 ip netns exec "$NS" $TCPCHECK echo $GUEST 7 $BYTES |
        sed "s/^\(ok\|not ok\|#\) /\1 $target: 5% loss, 5% reordering each way: /"
    relay_stop
    echo "# $target: relay (seed $seed): $STATS"
    grep '^echo: tcp ' "$LOG" | tail -n 1 | sed "s/^/# $target: after $(($(date +%s) - start)) s: /"
    check "$target: the relay lost and reordered frames both ways" \
        '[ "$(counter ab dropped)" -gt 0 ] && [ "$(counter ba dropped)" -gt 0 ] &&
         [ "$(counter ab reordered)" -gt 0 ] && [ "$(counter ba reordered)" -gt 0 ]' "'$STATS'"
    if kill -0 $PID 2>/dev/null; then
        ok "$target: echo still runs"
    else
        notok "$target: echo still runs" "$(tail -n 3 "$LOG" | tr '\n' '|')"
    fi
    seed=$((seed + 1))

    # The same with the loss from nftables instead, on the bridge's
    # forward path each way (not on Linux's own output, where a drop
    # only makes its sender retry), and the reordering from the relay.
    if ! in_ns nft -f - <<EOF; then
table bridge pith {
    chain lossy {
        type filter hook forward priority 0; policy accept;
        iifname "pithb" numgen random mod 100 < 5 counter drop
        iifname "pithu" numgen random mod 100 < 5 counter drop
    }
}
EOF
        notok "$target: nftables loss" "nft refused the ruleset"
        continue
    fi
    relay_start "$target" --reorder=5 --seed=$seed || continue
    start=$(date +%s)
    timeout 900 ip netns exec "$NS" $TCPCHECK echo $GUEST 7 $BYTES |
        sed "s/^\(ok\|not ok\|#\) /\1 $target: nftables 5% loss, 5% reordering each way: /"
    relay_stop
    drops=$(in_ns nft list chain bridge pith lossy | grep -o 'packets [0-9]*' |
        cut -d' ' -f2 | tr '\n' ' ')
    read -r drop_in drop_out _ <<<"$drops"
    echo "# $target: nftables dropped (to pith, from pith): $drops; relay: $STATS"
    grep '^echo: tcp ' "$LOG" | tail -n 1 | sed "s/^/# $target: after $(($(date +%s) - start)) s: /"
    check "$target: nftables dropped frames both ways, the relay reordered both ways" \
        '[ "${drop_in:-0}" -gt 0 ] && [ "${drop_out:-0}" -gt 0 ] &&
         [ "$(counter ab reordered)" -gt 0 ] && [ "$(counter ba reordered)" -gt 0 ]' \
        "'$drops; $STATS'"
    if kill -0 $PID 2>/dev/null; then
        ok "$target: echo still runs after the nftables loss"
    else
        notok "$target: echo still runs after the nftables loss" \
            "$(tail -n 3 "$LOG" | tr '\n' '|')"
    fi
    seed=$((seed + 1))
done
