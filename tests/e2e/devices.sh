# The device contract on every target (virtio: QEMU microvm, TCG): a
# block device backed by a file, and a network device backed by a tap in
# a namespace of the test's own, with Linux on the other side of the wire.
. "$(dirname "$0")/../lib.sh"
RAWPEER=$ROOT/build/testtools/rawpeer

for target in unix spt virtio; do
    build_app "$ROOT/tests/apps/blk" $target "$T/blk.$target" || continue
    truncate -s 1M "$T/disk.img"
    expect "block device contract on $target" 0 '^blk: ok$' -- \
        "$PITH" run "$T/blk.$target" --block:storage="$T/disk.img"
    if [ "$(dd if="$T/disk.img" bs=1 skip=1024 count=13 status=none)" = "pith block ok" ]; then
        ok "block writes on $target reach the file"
    else
        notok "block writes on $target reach the file" "sector 2 does not hold the marker"
    fi

    # Optional devices (`block spare optional`, `net uplink optional`):
    # left unbound they are absent, bound they work; a device that is
    # not optional must still be bound.
    expect "$target: optional block and net devices left unbound are absent (ENOENT)" 0 \
        '^blk: spare absent$' -- "$PITH" run "$T/blk.$target" --block:storage="$T/disk.img"
    grep -q '^blk: uplink absent$' "$T/out" && grep -q '^blk: ok$' "$T/out" ||
        notok "$target: the optional net device left unbound is absent" "$(tr '\n' '|' <"$T/out")"
    { printf 'spare marker'; head -c 500 /dev/zero; } >"$T/spare.img"
    expect "$target: an optional block device, bound, is read" 0 \
        "^blk: spare bound, 512 bytes, begins 'spare marker'\$" -- \
        "$PITH" run "$T/blk.$target" --block:storage="$T/disk.img" --block:spare="$T/spare.img"
    if ns=$(netns_new opt$target) && ip -n "$ns" tuntap add pitht5 mode tap; then
        expect "$target: an optional net device, bound, is acquired" 0 \
            '^blk: uplink bound, mac 02:00:00:00:00:2b$' -- ip netns exec "$ns" \
            "$PITH" run "$T/blk.$target" --block:storage="$T/disk.img" \
            --net:uplink=pitht5 --net-mac:uplink=02:00:00:00:00:2b
    else
        notok "$target: tap for the optional net device" "cannot create pitht5"
    fi
    case $target in
    spt) who=pith-spt status=125 ;;
    unix) who=$T/blk.$target status=125 ;;
    *) who=pith status=2 ;; # pith run binds them itself
    esac
    expect_line "$target: a device that is not optional must be bound" $status \
        "$who: the image needs block device 'storage': bind it with --block:storage=FILE" -- \
        "$PITH" run "$T/blk.$target" --block:spare="$T/spare.img"
    expect_output "$target: pith inspect marks the optional devices" 0 \
        "$(printf 'image:   %s\napp:     blk\ntarget:  %s\nmodules: (none)\ndevices: 3\n  block  storage\n  block  spare (optional)\n  net    uplink (optional)' "$T/blk.$target" $target)" -- \
        "$PITH" inspect "$T/blk.$target"
done

for target in unix spt virtio; do
    build_app "$ROOT/tests/apps/netecho" $target "$T/netecho.$target" || continue
    ns=$(netns_new net$target) || { notok "netns for $target" "ip netns add failed"; continue; }
    ip -n "$ns" tuntap add pitht0 mode tap && ip -n "$ns" link set pitht0 up ||
        { notok "tap in $ns" "cannot create"; continue; }
    ip netns exec "$ns" "$PITH" run "$T/netecho.$target" --net:service=pitht0 \
        --net-mac:service=02:00:00:00:00:2a >"$T/echo.$target.log" 2>&1 &
    pid=$!
    cleanup_add "kill -9 $pid"
    for _ in $(seq 50); do grep -q '^netecho: mac' "$T/echo.$target.log" && break; sleep 0.1; done
    if grep -q '^netecho: mac 02:00:00:00:00:2a mtu 1500$' "$T/echo.$target.log"; then
        ok "net device on $target reports the MAC and MTU it was given"
    else
        notok "net device on $target reports the MAC and MTU it was given" "$(cat "$T/echo.$target.log")"
    fi
    ip netns exec "$ns" "$RAWPEER" pitht0 02:00:00:00:00:2a 2000 1500 |
        sed "s/^\(ok\|not ok\) /\1 $target: /"
    wait $pid
    rc=$?
    if [ $rc -eq 0 ] && grep -q '^netecho: echoed 2000 frames' "$T/echo.$target.log"; then
        ok "netecho on $target saw every frame and exited 0"
    else
        notok "netecho on $target saw every frame and exited 0" "status $rc: $(tail -n 3 "$T/echo.$target.log" | tr '\n' '|')"
    fi
done

# pith run creates a missing tap when run as root.
ns=$(netns_new create)
ip netns exec "$ns" "$PITH" run "$T/netecho.spt" --net:service=pithnew0 >"$T/create.log" 2>&1 &
pid=$!
cleanup_add "kill -9 $pid"
for _ in $(seq 50); do grep -q '^netecho: mac' "$T/create.log" && break; sleep 0.1; done
if grep -q "^pith: created tap device pithnew0 (remove it with 'ip link del pithnew0')$" "$T/create.log" &&
    ip -n "$ns" link show pithnew0 | grep -q 'state\|UP'; then
    ok "pith run as root creates a missing tap and the image attaches to it"
else
    notok "pith run as root creates a missing tap and the image attaches to it" "$(tr '\n' '|' <"$T/create.log")"
fi
kill -9 $pid 2>/dev/null
