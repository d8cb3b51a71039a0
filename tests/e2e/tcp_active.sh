# TCP's active open against Linux, on both targets: tests/apps/tcpclient
# connects out of its namespace's tap to a Linux echo server (socat),
# sends a pattern, reads the echo to the end, and reports a hash of it;
# and a connection to a closed port is refused by Linux's RST.
. "$(dirname "$0")/../lib.sh"
HOST=10.78.0.1
GUEST=10.78.0.2
BYTES=2000000

# The FNV-1a of the pattern tcpclient sends, as it should come back.
want=$(python3 -c "
h = 0xcbf29ce484222325
for k in range($BYTES):
    h = ((h ^ ((k * 7 + k // 251) & 255)) * 0x100000001b3) & (2**64 - 1)
print('%016x' % h)")

for target in unix spt; do
    img=$T/tcpclient.$target
    build_app "$ROOT/tests/apps/tcpclient" $target "$img" || continue
    NS=$(netns_new "active$target") || { notok "$target: namespace" "ip netns add failed"; continue; }
    ip -n "$NS" link set lo up &&
        ip -n "$NS" tuntap add pitht0 mode tap && ip -n "$NS" link set pitht0 up &&
        ip -n "$NS" addr add $HOST/24 dev pitht0 ||
        { notok "$target: tap" "cannot create pitht0 in $NS"; continue; }
    ip netns exec "$NS" socat TCP-LISTEN:7000,fork,reuseaddr EXEC:cat 2>/dev/null &
    cleanup_add "kill -9 $!"
    disown $!
    for _ in $(seq 50); do
        ip netns exec "$NS" ss -ltn | grep -q ':7000 ' && break
        sleep 0.1
    done

    expect_output "$target: connect, $BYTES bytes to a Linux echo and back" 0 \
        "tcpclient: sent $BYTES received $BYTES fnv1a $want" -- \
        timeout 60 ip netns exec "$NS" "$PITH" run "$img" --net:service=pitht0 \
        -- --ipv4=$GUEST/24 --to=$HOST:7000 --send=$BYTES

    expect_output "$target: a closed port refuses (RST)" 1 \
        "tcpclient: EIO" -- \
        timeout 20 ip netns exec "$NS" "$PITH" run "$img" --net:service=pitht0 \
        -- --ipv4=$GUEST/24 --to=$HOST:7001 --send=10
done
