# apps/dns-primary against Linux's dig, on every target (virtio: QEMU
# microvm, TCG): answers from the example zone over UDP and TCP, negative
# answers, REFUSED outside our zones, FORMERR for a malformed query, and a
# bad zone file refused at start with its file:line:column.
. "$(dirname "$0")/../lib.sh"
HOST=10.80.0.1
GUEST=10.80.0.2

# q DIG-ARGS...: dig's answer from the server under test.
q() { ip netns exec "$NS" dig @$GUEST +norec +time=2 +tries=2 "$@" 2>&1; }

# is NAME WANT GOT: passes when GOT is exactly WANT.
is() {
    if [ "$3" = "$2" ]; then ok "$1"; else notok "$1" "got '$(echo "$3" | tr '\n' '|')', wanted '$(echo "$2" | tr '\n' '|')'"; fi
}

for target in unix spt virtio; do
    img=$T/dns.$target
    build_app "$ROOT/apps/dns-primary" $target "$img" || continue
    NS=$(netns_new "dns$target") || { notok "$target: namespace" "ip netns add failed"; continue; }
    ip -n "$NS" link set lo up && ip -n "$NS" tuntap add pitht0 mode tap &&
        ip -n "$NS" tuntap add pitht1 mode tap &&
        ip -n "$NS" link set pitht0 up && ip -n "$NS" addr add $HOST/24 dev pitht0 ||
        { notok "$target: tap" "cannot create pitht0"; continue; }
    ip netns exec "$NS" "$PITH" run "$img" --net:service=pitht0 -- --ipv4=$GUEST/24 \
        --stats >"$T/dns.$target.log" 2>&1 &
    cleanup_add "kill -9 $!"
    disown $!
    for _ in $(seq 100); do grep -q '^dns-primary: serving 1 zone on' "$T/dns.$target.log" && break; sleep 0.05; done
    expect "$target: starts and says what it serves" 0 "^dns-primary: serving 1 zone on $GUEST\$" -- cat "$T/dns.$target.log"
    # --stats: the heap the zone took, measured by the allocator in the
    # running image: something in use, a high-water mark at least that,
    # all of it inside the heap (freestanding images: unix uses glibc's
    # malloc, and prints no heap line).
    [ $target = unix ] || read -r inuse hw fhw size < <(sed -n 's/^dns-primary: heap in_use=\([0-9]*\) high_water=\([0-9]*\) footprint=[0-9]* footprint_high_water=\([0-9]*\) size=\([0-9]*\).*/\1 \2 \3 \4/p' "$T/dns.$target.log" | head -n 1)
    [ $target = unix ] || { [ "${inuse:-0}" -gt 0 ] && [ "$hw" -ge "$inuse" ] && [ "$fhw" -ge "$hw" ] && [ "$fhw" -lt "$size" ] &&
        ok "$target: --stats reports the heap: $inuse bytes in use, high water $hw, footprint $fhw of $size" ||
        notok "$target: --stats reports the heap" "$(grep heap "$T/dns.$target.log")"; }

    is "$target: A" "192.0.2.10" "$(q example.com A +short)"
    is "$target: AAAA" "2001:db8::10" "$(q example.com AAAA +short)"
    is "$target: CNAME followed" "example.com.
192.0.2.10" "$(q www.example.com A +short)"
    is "$target: wildcard (RFC 4592)" "192.0.2.80" "$(q anything.apps.example.com A +short)"
    is "$target: MX over TCP" "10 mail.example.com." "$(q example.com MX +tcp +short)"
    is "$target: MX: the zone's NS in authority, addresses in additional (as NSD)" "example.com.		3600	IN	NS	ns1.example.com.
example.com.		3600	IN	NS	ns2.example.com.
mail.example.com.	3600	IN	A	192.0.2.25
ns1.example.com.	3600	IN	A	192.0.2.1
ns2.example.com.	3600	IN	A	192.0.2.2" "$(q example.com MX +noall +authority +additional)"
    is "$target: NXDOMAIN with the SOA, negative TTL (RFC 2308)" "NXDOMAIN
example.com.		300	IN	SOA	ns1.example.com. hostmaster.example.com. 2026112201 7200 3600 1209600 300" \
        "$(q nope.example.com A +noall +authority +comments | grep -oE 'NXDOMAIN|^example.com.*SOA.*')"
    is "$target: NODATA is NOERROR with the SOA" "NOERROR
ANSWER: 0, AUTHORITY: 1" "$(q mail.example.com MX +noall +comments | grep -oE 'NOERROR|ANSWER: [0-9]+, AUTHORITY: [0-9]+')"
    is "$target: outside our zones: REFUSED" "REFUSED" "$(q example.org A +noall +comments | grep -o REFUSED)"
    is "$target: EDNS answered with our size and the DO bit" "; EDNS: version: 0, flags: do; udp: 1232" \
        "$(q example.com SOA +dnssec +noall +comments | grep 'EDNS:')"
    expect "$target: a malformed query gets FORMERR" 0 '^FORMERR$' -- ip netns exec "$NS" python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
# one question whose name points at itself (RFC 9267)
s.sendto(bytes.fromhex('1234 0000 0001 0000 0000 0000 c00c 0001 0001'.replace(' ', '')), ('$GUEST', 53))
r = s.recv(512)
print('FORMERR' if r[:2] == b'\x12\x34' and r[3] & 15 == 1 else r.hex())"
    is "$target: still serving after it" "192.0.2.10" "$(q example.com A +short)"

    # A zone with a bad record: refused at start, with where and what.
    cp -r "$ROOT/apps/dns-primary" "$T/bad$target"
    rm -rf "$T/bad$target/_build"
    printf '$ORIGIN bad.test.\n$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\nwww IN A 10.0.0.300\n' \
        >"$T/bad$target/zones/bad.test.zone"
    if build_app "$T/bad$target" $target "$T/bad.$target"; then
        expect_output "$target: a bad zone file is refused at start" 1 \
            "dns-primary: zones/bad.test.zone:4:10: bad IPv4 address '10.0.0.300'" -- \
            quiet_vm timeout 10 ip netns exec "$NS" "$PITH" run "$T/bad.$target" --net:service=pitht1 -- --ipv4=10.81.0.2/24
    fi
done
