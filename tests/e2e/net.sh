# The IPv4 stack (net/) against Linux, on every target (virtio: QEMU
# microvm, TCG): apps/echo in a
# network namespace of each test's own, behind a tap, with Linux's ping,
# a UDP client (tests/tools/udpcheck) and a sender of malformed frames
# (tests/tools/badframes) on the other side.
. "$(dirname "$0")/../lib.sh"
UDPCHECK=$ROOT/build/testtools/udpcheck
BADFRAMES=$ROOT/build/testtools/badframes
MAC=02:00:00:00:00:2a
HOST=10.77.0.1
GUEST=10.77.0.2

# net_ns NAME: a namespace with tap pitht0 up at $HOST/24; sets NS.
net_ns() { tap_ns "$1" $HOST/24; }

# echo_up IMAGE NAME: a namespace of the test's own and apps/echo in it at
# $GUEST, ready; sets NS and PID (killed at exit).
echo_up() {
    local img=$1 name=$2
    shift 2
    net_ns "$name" && echo_start "$name" pitht0 "$img" "$@"
}

# in_ns COMMAND...: runs COMMAND in the current test's namespace.
in_ns() { ip netns exec "$NS" "$@"; }

# alive NAME: passes when the app is still running.
alive() {
    if kill -0 $PID 2>/dev/null; then ok "$1"; else notok "$1" "it exited: $(tail -n 3 "$T/$2.log" | tr '\n' '|')"; fi
}

for target in unix spt virtio; do
    img=$T/echo.$target
    build_app "$ROOT/apps/echo" $target "$img" || continue

    if echo_up "$img" ping$target; then
        expect "$target: ping -c 1000 -i 0.002 loses nothing" 0 \
            '^1000 packets transmitted, 1000 received, 0% packet loss' -- \
            in_ns ping -c 1000 -i 0.002 -W 1 -q $GUEST
    fi

    if echo_up "$img" frag$target; then
        # 8000 bytes: fragmented on the way in and on the way back.
        expect "$target: ping -s 8000 (fragmented both ways)" 0 \
            '^5 packets transmitted, 5 received, 0% packet loss' -- \
            in_ns ping -c 5 -i 0.2 -s 8000 -W 2 -q $GUEST
        expect "$target: ping -s 65000, the largest the stack reassembles" 0 \
            '^2 packets transmitted, 2 received, 0% packet loss' -- \
            in_ns ping -c 2 -i 0.2 -s 65000 -W 2 -q $GUEST
    fi

    if echo_up "$img" udp$target; then
        in_ns "$UDPCHECK" echo $GUEST 7 10000 1472 | sed "s/^\(ok\|not ok\) /\1 $target: /"
        in_ns "$UDPCHECK" echo $GUEST 7 100 65507 |
            sed "s/^\(ok\|not ok\) udp echo/\1 $target: udp echo (fragmented both ways)/"
        alive "$target: echo still runs after the UDP tests" udp$target
    fi

    if echo_up "$img" closed$target; then
        in_ns "$UDPCHECK" refused $GUEST 9 | sed "s/^\(ok\|not ok\) /\1 $target: /"
    fi

    if echo_up "$img" bad$target; then
        in_ns "$BADFRAMES" pitht0 $MAC $HOST $GUEST 900 | sed "s/^\(ok\|not ok\) /\1 $target: /"
        expect "$target: ping answered after malformed frames" 0 \
            '^3 packets transmitted, 3 received, 0% packet loss' -- \
            in_ns ping -c 3 -i 0.1 -W 1 -q $GUEST
        in_ns "$UDPCHECK" echo $GUEST 7 100 1472 |
            sed "s/^\(ok\|not ok\) udp echo/\1 $target: udp echo after malformed frames/"
        alive "$target: echo still runs after malformed frames" bad$target
    fi

    if net_ns conf$target; then
        expect_output "$target: --ipv4=10.0.0.300/24 is refused with one line and status 2" 2 \
            'echo: --ipv4=10.0.0.300/24: bad address' -- \
            quiet_vm in_ns "$PITH" run "$img" --net:service=pitht0 -- --ipv4=10.0.0.300/24
        expect_output "$target: a gateway off the prefix is refused" 2 \
            'echo: --ipv4-gateway=10.9.0.1: not another host on 10.77.0.0/24' -- \
            quiet_vm in_ns "$PITH" run "$img" --net:service=pitht0 -- --ipv4=$GUEST/24 --ipv4-gateway=10.9.0.1
        # No --ipv4 means DHCP: tests/e2e/dhcp.sh.
    fi
done

# The unix target under ASan and UBSan takes the malformed frames too.
if build_app "$ROOT/apps/echo" unix "$T/echo.asan" --sanitize &&
    echo_up "$T/echo.asan" badasan; then
    in_ns "$BADFRAMES" pitht0 $MAC $HOST $GUEST 3000 | sed "s/^\(ok\|not ok\) /\1 unix ASan+UBSan: /"
    in_ns "$UDPCHECK" echo $GUEST 7 300 65507 |
        sed "s/^\(ok\|not ok\) udp echo/\1 unix ASan+UBSan: udp echo/"
    expect "unix ASan+UBSan: ping answered after malformed frames" 0 \
        '^3 packets transmitted, 3 received, 0% packet loss' -- \
        in_ns ping -c 3 -i 0.1 -W 1 -q $GUEST
    alive "unix ASan+UBSan: echo still runs, no sanitizer report" badasan
fi
