# The DHCP client (net/dhcp) against Debian's dnsmasq, on both targets:
# apps/echo started without --ipv4 in a namespace of its own, behind a
# tap, with dnsmasq serving 10.78.0.50-60 on it. The lease is 2 minutes
# (dnsmasq's least) with T1 at 10 s, so that the unikernel renews within
# the test: it must lease an address in the range, answer ping and UDP
# echo on it, renew it (a second DHCPACK in dnsmasq's log) and still
# answer afterwards.
. "$(dirname "$0")/../lib.sh"
UDPCHECK=$ROOT/build/testtools/udpcheck
HOST=10.78.0.1
MAC=02:00:00:00:00:2b
PATH=$PATH:/usr/sbin
DNSMASQ=$(command -v dnsmasq) || {
    notok "dhcp: dnsmasq" "not installed (scripts/deps installs dnsmasq-base)"
    exit 0
}

# dhcp_test TARGET IMAGE
dhcp_test() {
    local target=$1 img=$2 ns dlog=$T/dnsmasq.$1.log elog=$T/echo.$1.log
    local addr='' acks i

    ns=$(netns_new dhcp$target) || { notok "$target: namespace" "ip netns add failed"; return; }
    ip -n "$ns" tuntap add pitht0 mode tap && ip -n "$ns" link set pitht0 up &&
        ip -n "$ns" addr add $HOST/24 dev pitht0 ||
        { notok "$target: tap" "cannot create pitht0 in $ns"; return; }
    ip netns exec "$ns" "$DNSMASQ" --no-daemon --conf-file=/dev/null \
        --interface=pitht0 --bind-interfaces --port=0 --user=root \
        --dhcp-range=10.78.0.50,10.78.0.60,2m --dhcp-option=option:T1,10 \
        --no-ping --dhcp-leasefile="$T/leases.$target" \
        --pid-file="$T/dnsmasq.$target.pid" >"$dlog" 2>&1 &
    cleanup_add "kill $!"
    for _ in $(seq 50); do
        grep -q 'DHCP, IP range' "$dlog" && break
        sleep 0.1
    done
    ip netns exec "$ns" "$PITH" run "$img" --net:service=pitht0 \
        --net-mac:service=$MAC >"$elog" 2>&1 &
    cleanup_add "kill -9 $!"
    for _ in $(seq 150); do
        addr=$(sed -n 's/^echo: listening on \(.*\)$/\1/p' "$elog" | head -n 1)
        [ -n "$addr" ] && break
        sleep 0.1
    done
    case $addr in
    10.78.0.5[0-9] | 10.78.0.60)
        ok "$target: echo without --ipv4 leases $addr from dnsmasq" ;;
    *)
        notok "$target: echo without --ipv4 leases an address from dnsmasq" \
            "echo: $(tr '\n' '|' <"$elog"); dnsmasq: $(tail -n 5 "$dlog" | tr '\n' '|')"
        return ;;
    esac
    if grep -q "$addr" "$T/leases.$target" && grep -qi "$MAC" "$T/leases.$target"; then
        ok "$target: dnsmasq's lease file holds $addr for $MAC"
    else
        notok "$target: dnsmasq's lease file holds the lease" "$(tr '\n' '|' <"$T/leases.$target")"
    fi
    expect "$target: ping the leased address" 0 \
        '^3 packets transmitted, 3 received, 0% packet loss' -- \
        ip netns exec "$ns" ping -c 3 -i 0.2 -W 1 -q "$addr"
    ip netns exec "$ns" "$UDPCHECK" echo "$addr" 7 100 1472 |
        sed "s/^\(ok\|not ok\) udp echo/\1 $target: udp echo on the leased address/"
    # T1 is 10 s after the first ACK: wait for the renewal's ACK.
    for i in $(seq 200); do
        acks=$(grep -c "DHCPACK(pitht0) $addr " "$dlog")
        [ "$acks" -ge 2 ] && break
        sleep 0.1
    done
    if [ "$acks" -ge 2 ] && grep -q "^echo: listening on $addr\$" "$elog" &&
        [ "$(grep -c '^echo: ' "$elog")" -eq 1 ]; then
        ok "$target: the lease is renewed at T1 (DHCPREQUEST/DHCPACK again), address kept"
    else
        notok "$target: the lease is renewed at T1" \
            "$acks ACKs; echo: $(tr '\n' '|' <"$elog"); dnsmasq: $(grep DHCP "$dlog" | tail -n 6 | tr '\n' '|')"
    fi
    expect "$target: ping after the renewal" 0 \
        '^3 packets transmitted, 3 received, 0% packet loss' -- \
        ip netns exec "$ns" ping -c 3 -i 0.2 -W 1 -q "$addr"
}

for target in unix spt; do
    img=$T/echo.$target
    build_app "$ROOT/apps/echo" $target "$img" || continue
    dhcp_test $target "$img"
done
