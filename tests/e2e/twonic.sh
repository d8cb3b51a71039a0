# One image on two networks: tests/apps/twonic answers ping and UDP echo
# on both of its NICs (manifest devices "service" and "second"), each tap
# in a subnet of its own, on unix, spt and virtio (QEMU microvm, and pc
# for virtio-pci).
. "$(dirname "$0")/../lib.sh"
UDPCHECK=$ROOT/build/testtools/udpcheck

for target in unix spt virtio; do
    img=$T/twonic.$target
    build_app "$ROOT/tests/apps/twonic" $target "$img" || continue
    machines=default
    [ $target = virtio ] && machines="microvm pc"
    for m in $machines; do
        name=$target$([ $m = default ] || echo "-$m")
        NS=$(netns_new "two$name") || { notok "$name: namespace" "ip netns add failed"; continue; }
        ip -n "$NS" tuntap add pitht0 mode tap && ip -n "$NS" link set pitht0 up &&
            ip -n "$NS" addr add 10.81.0.1/24 dev pitht0 &&
            ip -n "$NS" tuntap add pitht1 mode tap && ip -n "$NS" link set pitht1 up &&
            ip -n "$NS" addr add 10.82.0.1/24 dev pitht1 ||
            { notok "$name: taps" "cannot create pitht0 and pitht1"; continue; }
        opt=()
        [ $m = default ] || opt=(--machine=$m)
        log=$T/two$name.log
        : >"$log"
        ip netns exec "$NS" "$PITH" run "${opt[@]}" "$img" --net:service=pitht0 \
            --net:second=pitht1 -- --ipv4=10.81.0.2/24 --ipv4-second=10.82.0.2/24 \
            >"$log" 2>&1 &
        pid=$!
        disown $pid
        cleanup_add "kill -9 $pid"
        for _ in $(seq 100); do
            grep -q '^twonic: listening on 10.81.0.2 and 10.82.0.2' "$log" && break
            sleep 0.1
        done
        grep -q '^twonic: listening' "$log" ||
            { notok "$name: twonic starts" "$(tr '\n' '|' <"$log")"; continue; }
        for a in 10.81.0.2 10.82.0.2; do
            expect "$name: ping $a" 0 '^20 packets transmitted, 20 received, 0% packet loss' -- \
                ip netns exec "$NS" ping -c 20 -i 0.01 -W 1 -q $a
            ip netns exec "$NS" "$UDPCHECK" echo $a 7 500 1472 |
                sed "s/^\(ok\|not ok\) /\1 $name: $a: /"
        done
        # Each address answered from its own NIC: the host learnt two MACs.
        m0=$(ip -n "$NS" neigh show 10.81.0.2 dev pitht0 | awk '{print $3}')
        m1=$(ip -n "$NS" neigh show 10.82.0.2 dev pitht1 | awk '{print $3}')
        [ -n "$m0" ] && [ -n "$m1" ] && [ "$m0" != "$m1" ] &&
            ok "$name: two NICs, two MACs ($m0, $m1)" ||
            notok "$name: two NICs, two MACs" "pitht0: '$m0', pitht1: '$m1'"
        kill -9 $pid 2>/dev/null
    done
done
