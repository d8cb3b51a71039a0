# TCP (net/tcp) against Linux, on every target (virtio: QEMU microvm,
# TCG): apps/echo in a network namespace of each check's own, behind a
# tap, and a Python client
# (tests/tools/tcpcheck.py) on the other side:
#   - 100 MiB through echo (port 7), both ways at once, sha256 equal;
#   - 100 MiB from the bulk sender (port 19), length and pattern right,
#     and 10 MiB into discard, with the offloads off (--no-offload: no
#     frame beyond the MTU; on virtio the device, told so over its
#     control queue, must not merge what it hands over);
#   - the echo's frames were large both ways (the tap's virtio-net
#     header, or the virtio-net device's offloads behind it: TSO and
#     merged segments, echo --stats' gso= and rx_gso=);
#   - virtio only, through a QEMU wrapper that adds device options:
#     20 MiB each way with the device's checksum offloads off (csum=off,
#     guest_csum=off: the driver must take none of the offloads that
#     need them), and with GUEST_CSUM but no control queue command
#     (ctrl_guest_offloads=off) under --no-offload, where the driver
#     completes the partial checksums the device hands over;
#   - 10 MiB into discard (port 9), then the server's FIN;
#   - 1000 connections at once, 64 KiB each through echo, all intact;
#   - a closed port refuses with RST at once;
#   - peers that vanish mid-transfer (their namespace cut off, then
#     deleted) leave no connection behind once --tcp-timeout has passed;
#   - a flood of SYNs meets SYN cookies, an ordinary client still gets
#     through, and the connections held stay bounded.
. "$(dirname "$0")/../lib.sh"
TCPCHECK="/usr/bin/python3 $ROOT/tests/tools/tcpcheck.py"
MAC=02:00:00:00:00:2d
HOST=10.80.0.1
GUEST=10.80.0.2
# The vanishing peers' namespace, routed through the tap's.
FAR_GW=10.81.0.1
FAR=10.81.0.2

# net_ns NAME: a namespace with tap pitht0 up at $HOST/24; sets NS.
net_ns() { tap_ns "$1" $HOST/24; }

# echo_up IMAGE NAME [ECHO-OPTION...]: a namespace of the check's own
# and apps/echo in it at $GUEST with those options, ready; sets NS, PID
# (killed at exit) and LOG.
echo_up() {
    local img=$1 name=$2
    shift 2
    net_ns "$name" && echo_start "$name" pitht0 "$img" "$@"
}

# in_ns COMMAND...: runs COMMAND in the current check's namespace.
in_ns() { ip netns exec "$NS" "$@"; }

# tag: prefixes the target to tcpcheck's "ok" lines.
tag() { sed "s/^\(ok\|not ok\|#\) /\1 $target: /"; }
# prefix WHAT: prefixes WHAT to them; nooff: "--no-offload".
prefix() { sed "s/^\(ok\|not ok\) /\1 $1: /"; }
nooff() { prefix --no-offload; }

# alive NAME: passes when the app is still running.
alive() {
    if kill -0 $PID 2>/dev/null; then ok "$1"; else notok "$1" "it exited: $(tail -n 3 "$LOG" | tr '\n' '|')"; fi
}

# stats: the last "echo: tcp ..." line of $LOG; stat FIELD: its value
# of FIELD (cookies: the sent half of OK/SENT), empty when there is no
# such line, which fails any test of it.
stats() { grep '^echo: tcp ' "$LOG" | tail -n 1; }
stat() {
    local v
    v=$(stats | grep -o " $1=[0-9/]*" | cut -d= -f2)
    [ "$1" = cookies ] && v=${v#*/}
    echo "$v"
}
# stats_next: waits (up to 5 s) for a stats line newer than the last.
stats_next() {
    local n
    n=$(grep -c '^echo: tcp ' "$LOG")
    for _ in $(seq 50); do
        [ "$(grep -c '^echo: tcp ' "$LOG")" -gt "$n" ] && return 0
        sleep 0.1
    done
    return 1
}

# check NAME CONDITION WHY: ok when the shell test CONDITION holds.
check() {
    if eval "$2"; then ok "$1"; else notok "$1" "$3"; fi
}

# vanish: 25 busy connections from a second namespace routed through the
# first (tcpcheck.py hold: bulk readers fast and slow, echo writers that
# never read, discard writers, idle ones); the route is cut (forwarding
# drops everything, silently: no ICMP, no RST reaches the unikernel), the
# client killed, its namespace deleted. Within 30 s, which is the 3 s
# --tcp-timeout with room to spare, every one of them must have timed
# out and left nothing behind; the fast readers' data in flight must
# have met the retransmission timer on the way.
vanish() {
    local far n=25 cpid start t
    far=$(netns_new far$target) || { notok "$target: vanish: namespace" "ip netns add failed"; return; }
    in_ns sysctl -qw net.ipv4.ip_forward=1 &&
        ip -n "$NS" link add pithva type veth peer name pithvc netns "$far" &&
        ip -n "$NS" addr add $FAR_GW/24 dev pithva && ip -n "$NS" link set pithva up &&
        ip -n "$far" addr add $FAR/24 dev pithvc && ip -n "$far" link set pithvc up &&
        ip -n "$far" link set lo up && ip -n "$far" route add default via $FAR_GW ||
        { notok "$target: vanish: topology" "cannot set up the veth pair"; return; }
    ip netns exec "$far" $TCPCHECK hold $GUEST $n >"$T/hold.out" 2>&1 &
    cpid=$!
    cleanup_add "kill -9 $cpid"
    for _ in $(seq 100); do
        grep -q '^ready' "$T/hold.out" && break
        kill -0 $cpid 2>/dev/null || break
        sleep 0.1
    done
    stats_next
    check "$target: vanish: $n busy connections from a routed namespace" \
        'grep -q "^ready $n\$" "$T/hold.out" && [ "$(stat established)" -eq $n ]' \
        "client: '$(tr '\n' '|' <"$T/hold.out")'; echo: '$(stats)'"
    in_ns nft -f - <<EOF
table ip pithcut {
    chain forward { type filter hook forward priority 0; policy drop; }
}
EOF
    ip -n "$NS" link del pithva
    kill -9 $cpid
    wait $cpid 2>/dev/null
    ip netns del "$far"
    start=$(date +%s)
    for _ in $(seq 30); do
        stats_next || break
        [ "$(stat conns)" -eq 0 ] && [ "$(stat mem)" -eq 0 ] && break
    done
    t=$(($(date +%s) - start))
    echo "# $target: vanish: the last stats line, $t s after the cut: $(stats)"
    check "$target: vanish: no connection, no buffer left within 30 s (--tcp-timeout=3)" \
        '[ "$(stat conns)" -eq 0 ] && [ "$(stat established)" -eq 0 ] && [ "$(stat mem)" -eq 0 ]' \
        "after $t s: '$(stats)'"
    check "$target: vanish: each of the $n timed out (conn_timeouts=$n, no TIME_WAIT, no reset)" \
        '[ "$(stat conn_timeouts)" -eq $n ] && [ "$(stat time_wait)" -eq 0 ] && [ "$(stat resets)" -eq 0 ]' \
        "'$(stats)'"
    check "$target: vanish: data in flight was retransmitted on timeouts before giving up" \
        '[ "$(stat timeouts)" -gt 0 ] && [ "$(stat retransmits)" -gt 0 ]' "'$(stats)'"
    alive "$target: vanish: echo still runs"
}

# synflood: 20000 SYNs in about 2 s from 16 addresses the namespace owns
# (so the unikernel's ARP is answered), random source ports; Linux's RSTs
# to the SYN-ACKs are dropped so that the half-open connections stay.
synflood() {
    local srcs=() i
    for i in $(seq 100 115); do
        ip -n "$NS" addr add 10.80.0.$i/24 dev pitht0 || { notok "$target: synflood: addresses" "ip addr add failed"; return; }
        srcs+=(10.80.0.$i)
    done
    in_ns nft -f - <<EOF
table ip pithrst {
    chain out { type filter hook output priority 0; tcp flags & rst == rst drop; }
}
EOF
    in_ns $TCPCHECK synflood $GUEST 7 20000 2 "${srcs[@]}" | tag
    stats_next
    check "$target: synflood: SYN cookies sent, at most backlog (256) + 1 connections held, under 1 MiB of buffers" \
        '[ "$(stat cookies)" -gt 0 ] && [ "$(stat conns)" -le 257 ] && [ "$(stat mem)" -lt 1048576 ]' \
        "'$(stats)'"
    echo "# $target: after the flood: $(stats)"
    in_ns nft delete table ip pithrst
    in_ns $TCPCHECK echo $GUEST 7 $((1 << 20)) |
        sed "s/^\(ok\|not ok\) tcp echo:/\1 synflood: afterwards, tcp echo:/" | tag
    alive "$target: synflood: echo still runs"
}

for target in unix spt virtio; do
    img=$T/echo.$target
    build_app "$ROOT/apps/echo" $target "$img" || continue

    if echo_up "$img" echo$target --stats --stats-every=1; then
        in_ns $TCPCHECK echo $GUEST 7 $((100 << 20)) | tag
        stats_next
        echo "# $target: after the echo: $(stats)"
        gso=$(stat gso)
        # The tap's virtio-net header (virtio: the device's, which
        # passes it on): Linux merges what it sends (rx_gso), pith's
        # TCP sends segments of many MSS that the tap cuts
        # (gso=LARGE/CUT), at least 4 a piece on average.
        check "$target: offloads: segments of many MSS both ways through the tap" \
            '[ "${gso%/*}" -gt 0 ] && [ "${gso#*/}" -ge $((4 * ${gso%/*})) ] && [ "$(stat rx_gso)" -gt 0 ]' \
            "'$(stats)'"
        if [ $target = virtio ]; then
            check "$target: offloads: the device offers all four" \
                'grep -q "^virtio: net service .* csum tso4 rx_csum rx_tso4\$" "$LOG"' \
                "'$(grep '^virtio: net' "$LOG")'"
        fi
    fi
    if echo_up "$img" bulk$target --bulk=104857600 --no-offload --stats --stats-every=1; then
        in_ns $TCPCHECK bulk $GUEST 19 104857600 | tag
        in_ns $TCPCHECK discard $GUEST 9 $((10 << 20)) | nooff | tag
        stats_next
        check "$target: --no-offload: every frame within the MTU" \
            '[ "$(stat gso)" = 0/0 ] && [ "$(stat rx_gso)" = 0 ]' "'$(stats)'"
    fi
    if [ $target = virtio ]; then
        # QEMU with $PITH_TEST_NET_OPTS added to the virtio-net device.
        cat >"$T/qemu-opts" <<'EOF'
#!/bin/bash
a=()
for x in "$@"; do
    case $x in virtio-net-*) x+=",$PITH_TEST_NET_OPTS" ;; esac
    a+=("$x")
done
exec qemu-system-x86_64 "${a[@]}"
EOF
        chmod +x "$T/qemu-opts"
        export PITH_TEST_NET_OPTS=csum=off,guest_csum=off
        if RUN_OPTS=--qemu=$T/qemu-opts echo_up "$img" devoff$target --stats --stats-every=1; then
            in_ns $TCPCHECK echo $GUEST 7 $((20 << 20)) | prefix "device offloads off" | tag
            stats_next
            check "$target: device offloads off: none taken, every frame within the MTU" \
                'grep -q "^virtio: net service [0-9a-f:]* ([^)]*)\$" "$LOG" && [ "$(stat gso)" = 0/0 ] && [ "$(stat rx_gso)" = 0 ]' \
                "'$(grep '^virtio: net' "$LOG")' '$(stats)'"
        fi
        export PITH_TEST_NET_OPTS=ctrl_guest_offloads=off
        if RUN_OPTS=--qemu=$T/qemu-opts echo_up "$img" noctrl$target --no-offload --stats --stats-every=1; then
            in_ns $TCPCHECK echo $GUEST 7 $((20 << 20)) | prefix "no offload control" | tag
            stats_next
            check "$target: no offload control: no rx_tso4, partial checksums completed by the driver" \
                'grep -q "^virtio: net service .* csum tso4 rx_csum\$" "$LOG" && grep -q "^virtio: .*: partial checksums received, completed in software" "$LOG" && [ "$(stat gso)" = 0/0 ] && [ "$(stat rx_gso)" = 0 ]' \
                "'$(grep '^virtio: ' "$LOG" | tr '\n' '|')' '$(stats)'"
        fi
        unset PITH_TEST_NET_OPTS
    fi
    if echo_up "$img" discard$target; then
        in_ns $TCPCHECK discard $GUEST 9 $((10 << 20)) | tag
    fi
    if echo_up "$img" many$target --stats --stats-every=1; then
        in_ns $TCPCHECK many $GUEST 7 1000 65536 | tag
        stats_next
        echo "# $target: after 1000 connections: $(stats)"
        alive "$target: echo still runs after 1000 connections"
    fi
    if echo_up "$img" closed$target; then
        in_ns $TCPCHECK refused $GUEST 1 | tag
    fi
    if echo_up "$img" vanish$target --ipv4-gateway=$HOST \
        --tcp-timeout=3 --stats --stats-every=1 --bulk=$((1 << 40)); then
        vanish
    fi
    if echo_up "$img" flood$target --stats --stats-every=1; then
        synflood
    fi
done
