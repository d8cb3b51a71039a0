# The impairment relay (tests/tools/impair) between Linux's ping and
# apps/echo (unix target only, to stay fast): no impairment loses nothing,
# --loss loses about what it should, reproducibly from its seed, --dup
# duplicates, --reorder reorders, --delay delays, and bad arguments are
# refused with one line and status 2.
#
# Topology, all in one namespace:
#
#   Linux 10.79.0.1 on pitha <-> impair <-> pithb =[bridge pithbr]= pithu
#                                                       <-> echo 10.79.0.2
#
# A tap has a single reader, so the relay cannot share the unikernel's tap:
# it owns pitha and pithb, and a bridge joins pithb to pithu, which the
# unikernel opens. Linux sends out of pitha to the relay, which writes to
# pithb; the bridge passes that on to pithu; the replies come back the
# same way. Three things keep every frame on that path:
#   - pithbr is "arp off": Linux answers ARP for any of its addresses on
#     any interface, so it would otherwise answer the unikernel's ARP for
#     10.79.0.1 on the bridge too, and the replies would go around the
#     relay (the counters below check that both ways cross it);
#   - the unikernel's MAC is a permanent neighbour on pitha, so Linux never
#     ARPs through an impaired relay (a lost request would hold up the
#     pings behind it) and the entry outlives the relay's restarts, which
#     take pitha's carrier down; the unikernel learns Linux's MAC during
#     the first, unimpaired, run;
#   - IPv6 is off, so that only the pings cross the relay and its seeded
#     decisions repeat from run to run.
. "$(dirname "$0")/../lib.sh"
IMPAIR=$ROOT/build/testtools/impair
MAC=02:00:00:00:00:2c
HOST=10.79.0.1
GUEST=10.79.0.2

# in_ns COMMAND...: runs COMMAND in the test's namespace.
in_ns() { ip netns exec "$NS" "$@"; }

# topology_up: the namespace, taps and bridge above; sets NS.
topology_up() {
    NS=$(netns_new impair) || { notok "impair: namespace" "ip netns add failed"; return 1; }
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
        { notok "impair: topology" "cannot set up the taps and bridge in $NS"; return 1; }
}

# echo_up IMAGE: apps/echo on pithu at $GUEST, ready; sets PID. (ip netns
# exec, not in_ns, so that PID is the process itself: ip execs it.)
echo_up() { echo_start impair pithu "$1"; }

# relay_start ARGS...: impair ARGS pitha pithb, with the path through it
# ready (pitha's carrier and queue up, pithb forwarding in the bridge);
# sets RPID.
relay_start() {
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
    notok "impair $*: starts" "$(tr '\n' '|' <"$T/relay.err")"
    return 1
}

# relay_stop NAME [SIGNAL]: stops the relay (SIGTERM by default); passes
# when it exits 0 with its counters, one line, in stderr and the stats
# file alike; sets STATS to that line.
relay_stop() {
    local rc
    kill -"${2:-TERM}" $RPID
    wait $RPID
    rc=$?
    STATS=$(cat "$T/stats")
    if [ $rc -ne 0 ]; then
        notok "$1" "exit status $rc: $(tr '\n' '|' <"$T/relay.err")"
    elif [ "$(cat "$T/relay.err")" != "$STATS" ] ||
        ! grep -Eq '^impair: pitha->pithb in=[0-9]+ .*; pithb->pitha in=[0-9]+ ' "$T/stats"; then
        notok "$1" "stderr '$(tr '\n' '|' <"$T/relay.err")', stats file '$STATS'"
    else
        ok "$1"
    fi
}

# counter WAY NAME: counter NAME (in, out, dropped, ...) of the last
# stats line in direction WAY: ab (pitha to pithb, the pings) or ba.
counter() {
    local half
    if [ "$1" = ab ]; then half=${STATS%%;*}; else half=${STATS#*;}; fi
    echo "$half" | grep -o " $2=[0-9]*" | cut -d= -f2
}

# ping_loss: the loss percentage in $T/ping, as a whole number.
ping_loss() { sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$T/ping" | cut -d. -f1; }

# check NAME CONDITION WHY: ok when the shell test CONDITION holds.
check() {
    if eval "$2"; then ok "$1"; else notok "$1" "$3"; fi
}

img=$T/echo.unix
build_app "$ROOT/apps/echo" unix "$img" || exit 0
topology_up || exit 0
echo_up "$img" || exit 0

# (a) No impairment: nothing lost, and both ways really cross the relay.
if relay_start; then
    expect "impair: ping -c 200 -i 0.005 through the relay loses nothing" 0 \
        '^200 packets transmitted, 200 received, 0% packet loss' -- \
        in_ns ping -c 200 -i 0.005 -W 1 -q $GUEST
    relay_stop "impair: SIGTERM writes the counters and exits 0"
    check "impair: requests and replies both cross the relay, none lost" \
        '[ "$(counter ab in)" -ge 200 ] && [ "$(counter ba in)" -ge 200 ] &&
         [ "$(counter ab out)" = "$(counter ab in)" ] &&
         [ "$(counter ba out)" = "$(counter ba in)" ]' "$STATS"
fi

# (b) 20% loss each way: a round trip survives with 0.8 * 0.8 = 64%, so
# 36% are lost, give or take 3.4 points (binomial, 200 tries); the band
# is four of those either side.
if relay_start --loss=20 --seed=1; then
    in_ns ping -c 200 -i 0.005 -W 1 -q $GUEST >"$T/ping" 2>&1
    loss=$(ping_loss)
    check "impair --loss=20: ping loses 22..50% (36% expected)" \
        '[ -n "$loss" ] && [ "$loss" -ge 22 ] && [ "$loss" -le 50 ]' \
        "$(tr '\n' '|' <"$T/ping")"
    relay_stop "impair --loss=20: stops with its counters"
    check "impair --loss=20: the counters show drops both ways" \
        '[ "$(counter ab dropped)" -gt 0 ] && [ "$(counter ba dropped)" -gt 0 ]' "$STATS"
    first=$STATS
    if relay_start --loss=20 --seed=1; then
        in_ns ping -c 200 -i 0.005 -W 1 -q $GUEST >"$T/ping" 2>&1
        relay_stop "impair --loss=20 again: stops with its counters"
        check "impair --seed=1: the same frames meet the same fate (equal counters)" \
            '[ "$STATS" = "$first" ]' "first '$first', then '$STATS'"
    fi
fi

# (c) Duplicates: ping counts the extra replies.
if relay_start --dup=50 --seed=2; then
    expect "impair --dup=50: ping sees duplicates and loses nothing" 0 \
        '^200 packets transmitted, 200 received, \+[0-9]+ duplicates, 0% packet loss' -- \
        in_ns ping -c 200 -i 0.005 -W 1 -q $GUEST
    relay_stop "impair --dup=50: stops with its counters"
    check "impair --dup=50: the counters show duplicates both ways" \
        '[ "$(counter ab duplicated)" -gt 0 ] && [ "$(counter ba duplicated)" -gt 0 ]' "$STATS"
fi

# (d) Reordering: a held frame waits 1..3 ms, so pings 1 ms apart with 8
# in flight (-l 8) overtake it, and replies come back out of order.
if relay_start --reorder=30 --seed=3; then
    in_ns ping -c 200 -l 8 -i 0.001 -W 1 $GUEST >"$T/ping" 2>&1
    late=$(sed -n 's/.* icmp_seq=\([0-9]*\) .*/\1/p' "$T/ping" |
        awk '$1 < last { n++ } { last = $1 } END { print n + 0 }')
    check "impair --reorder=30: ping gets every reply" \
        'grep -q "^200 packets transmitted, 200 received, 0% packet loss" "$T/ping"' \
        "$(tail -n 3 "$T/ping" | tr '\n' '|')"
    check "impair --reorder=30: replies come back out of order" \
        '[ "$late" -gt 0 ]' "icmp_seq never went back"
    relay_stop "impair --reorder=30: stops with its counters"
    check "impair --reorder=30: the counters show reordered frames both ways" \
        '[ "$(counter ab reordered)" -gt 0 ] && [ "$(counter ba reordered)" -gt 0 ]' "$STATS"
fi

# (e) Delay: 20 ms plus 0..5 ms each way makes round trips of 40..50 ms;
# the upper bound leaves room for a slow machine.
if relay_start --delay=20 --jitter=5; then
    in_ns ping -c 10 -i 0.02 -W 1 -q $GUEST >"$T/ping" 2>&1
    rtt=$(sed -n 's|^rtt min/avg/max/mdev = \([0-9]*\)\.[0-9]*/[0-9.]*/\([0-9]*\)\..*|\1 \2|p' "$T/ping")
    check "impair --delay=20 --jitter=5: round trips take 40 ms or more (under 80)" \
        '[ -n "$rtt" ] && [ ${rtt% *} -ge 40 ] && [ ${rtt#* } -lt 80 ] &&
         grep -q " 10 received" "$T/ping"' "$(tail -n 3 "$T/ping" | tr '\n' '|')"
    relay_stop "impair: SIGINT writes the counters and exits 0" INT
fi

alive() {
    if kill -0 $PID 2>/dev/null; then ok "$1"; else notok "$1" "$(tail -n 3 "$LOG" | tr '\n' '|')"; fi
}
alive "impair: echo still runs after losses, duplicates and reordering"

# (f) Arguments.
expect "impair --help prints usage, status 0" 0 '^usage: impair ' -- "$IMPAIR" --help
expect_line "impair --loss=abc is refused with one line and status 2" 2 \
    'impair: --loss=abc: not a percentage' -- "$IMPAIR" --loss=abc pitha pithb
expect_line "impair --dup=101 is refused" 2 \
    'impair: --dup=101: not a percentage' -- "$IMPAIR" --dup=101 pitha pithb
expect_line "impair --reorder=-1 is refused" 2 \
    'impair: --reorder=-1: not a percentage' -- "$IMPAIR" --reorder=-1 pitha pithb
expect_line "impair --delay=1ms is refused" 2 \
    'impair: --delay=1ms: not a time in milliseconds (0..60000)' -- \
    "$IMPAIR" --delay=1ms pitha pithb
expect_line "impair --seed=x is refused" 2 \
    'impair: --seed=x: not a number (0..2^64-1)' -- "$IMPAIR" --seed=x pitha pithb
expect_line "impair --bogus is refused" 2 \
    'impair: --bogus: unknown option (see --help)' -- "$IMPAIR" --bogus pitha pithb
expect_line "impair with one tap is refused" 2 \
    'impair: wants two taps, TAP_A and TAP_B (see --help)' -- "$IMPAIR" pitha
