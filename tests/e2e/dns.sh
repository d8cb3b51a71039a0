# apps/dns-primary against Linux's dig, on every target (virtio: QEMU
# microvm, TCG): answers from the example zone over UDP and TCP, negative
# answers, REFUSED outside our zones, FORMERR for a malformed query, and a
# bad zone file refused at start with its file:line:column. Zone
# transfers: AXFR and IXFR from an allowed address (--axfr) give the
# records of the zone file as BIND's named-compilezone reads them,
# another address is refused. Zones from a tar archive on the optional
# block device "zones" (GNU tar's ustar, gnu and pax formats), answered
# instead of the baked ones; broken archives and zones in them refused
# at start, naming the member.
. "$(dirname "$0")/../lib.sh"
HOST=10.80.0.1
HOST2=10.80.0.3 # not allowed to transfer zones
GUEST=10.80.0.2
TARHOST=10.81.0.1
TARGUEST=10.81.0.2

# records FILE: the records of dig or named-compilezone output, one per
# line, fields separated by one space, owner lowercased, sorted.
records() {
    grep -v '^;' "$1" | awk 'NF { $1 = tolower($1); print }' | sort
}

# The zones of the archives: example.com with other data than the baked
# one, a second zone in a folder with a name longer than ustar's 100
# bytes holds (gnu and pax formats only), a file that is no zone.
mkdir -p "$T/tz/zones" "$T/tz/long"
printf '$ORIGIN example.com.\n$TTL 60\n@ IN SOA ns1 hostmaster 7 3600 600 86400 60\n  IN NS ns1\nns1 IN A 192.0.2.1\n@ IN A 203.0.113.7\n' \
    >"$T/tz/zones/example.com.zone"
printf '$TTL 60\n@ IN SOA ns1.example.com. hostmaster.example.com. 1 2 3 4 5\n  IN NS ns1.example.com.\nwww IN A 203.0.113.8\n' \
    >"$T/tz/zones/tar.test.zone"
printf 'not a zone\n' >"$T/tz/zones/README"
long=long/$(printf 'd%.0s' $(seq 120))
mkdir -p "$T/tz/$long"
printf '$TTL 60\n@ IN SOA ns1.example.com. hostmaster.example.com. 1 2 3 4 5\n  IN NS ns1.example.com.\n@ IN TXT "from a long path"\n' \
    >"$T/tz/$long/long.test.zone"
(cd "$T/tz" && tar --format=ustar -cf "$T/ustar.tar" zones &&
    tar -cf "$T/gnu.tar" zones long && tar --format=pax -cf "$T/pax.tar" zones long) ||
    notok "tar archives of zones" "GNU tar failed"
# Broken: a header's checksum, a member longer than the archive, a bad
# zone inside.
cp "$T/gnu.tar" "$T/badsum.tar"
printf 'X' | dd of="$T/badsum.tar" bs=1 seek=$((512 + 100)) conv=notrunc status=none # its mode
head -c 1024 "$T/gnu.tar" >"$T/short.tar"
mkdir -p "$T/tzbad/zones"
printf '$ORIGIN bad.test.\n$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\nwww IN A 10.0.0.300\n' \
    >"$T/tzbad/zones/bad.test.zone"
(cd "$T/tzbad" && tar -cf "$T/badzone.tar" zones)

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
        ip -n "$NS" link set pitht0 up && ip -n "$NS" addr add $HOST/24 dev pitht0 &&
        ip -n "$NS" addr add $HOST2/24 dev pitht0 &&
        ip -n "$NS" link set pitht1 up && ip -n "$NS" addr add $TARHOST/24 dev pitht1 ||
        { notok "$target: tap" "cannot create pitht0"; continue; }
    ip netns exec "$NS" "$PITH" run "$img" --net:service=pitht0 -- --ipv4=$GUEST/24 \
        --stats --axfr=$HOST/32 >"$T/dns.$target.log" 2>&1 &
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

    # Zone transfers (RFC 5936): the zone file's records, the SOA first
    # and last, to the allowed address; REFUSED to the other.
    ip netns exec "$NS" dig -b $HOST @$GUEST example.com AXFR +nocmd +nostats \
        +time=5 >"$T/axfr.$target" 2>&1
    named-compilezone -q -s full -o - example.com \
        "$ROOT/apps/dns-primary/zones/example.com.zone" >"$T/zonefile" 2>&1
    if [ "$(grep -v '^;' "$T/axfr.$target" | awk 'NF { print $4 }' | sed -n '1p;$p' | tr '\n' ' ')" != "SOA SOA " ]; then
        notok "$target: AXFR from an allowed address: SOA first and last" "$(head -c 300 "$T/axfr.$target" | tr '\n' '|')"
    elif ! diff <(records "$T/axfr.$target" | uniq) <(records "$T/zonefile") >"$T/axfr.diff"; then
        notok "$target: AXFR gives the zone file's records" "$(head -n 6 "$T/axfr.diff" | tr '\n' '|')"
    else
        ok "$target: AXFR from an allowed address gives the zone file's $(records "$T/zonefile" | wc -l) records, SOA first and last"
    fi
    expect "$target: AXFR from another address is refused" 1 "server replied with error 'REFUSED'" -- \
        ip netns exec "$NS" kdig -b $HOST2 @$GUEST example.com AXFR +time=5
    is "$target: IXFR from the zone's serial: the SOA alone (RFC 1995 4)" \
        "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2026112201 7200 3600 1209600 300" \
        "$(ip netns exec "$NS" dig -b $HOST @$GUEST example.com IXFR=2026112201 +nocmd +nostats +time=5 | grep -v '^;' | awk 'NF { $1 = $1; print }')"
    is "$target: IXFR from an older serial: the whole zone (no differences kept)" \
        "$(records "$T/axfr.$target")" \
        "$(ip netns exec "$NS" dig -b $HOST @$GUEST example.com IXFR=2026112101 +nocmd +nostats +time=5 >"$T/ixfr.$target"; records "$T/ixfr.$target")"
    expect "$target: AXFR over UDP, even from an allowed address: NOTIMP (as NSD)" 0 '^NOTIMP$' -- \
        ip netns exec "$NS" python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.bind(('$HOST', 0))
s.sendto(bytes.fromhex('4321 0000 0001 0000 0000 0000 076578616d706c6503636f6d00 00fc 0001'.replace(' ', '')), ('$GUEST', 53))
r = s.recv(512)
print('NOTIMP' if r[:2] == b'\x43\x21' and r[3] & 15 == 4 else r.hex())"

    # Zones from an archive on the block device "zones": these answers,
    # not the baked ones, whatever format GNU tar wrote.
    for fmt in ustar gnu pax; do
        log=$T/tar.$fmt.$target.log
        ip netns exec "$NS" "$PITH" run "$img" --net:service=pitht1 --block:zones="$T/$fmt.tar" \
            -- --ipv4=$TARGUEST/24 >"$log" 2>&1 &
        pid=$!
        cleanup_add "kill -9 $pid"
        disown $pid
        n=2
        [ $fmt = ustar ] || n=3
        for _ in $(seq 200); do grep -q '^dns-primary: serving' "$log" && break; kill -0 $pid 2>/dev/null || break; sleep 0.05; done
        expect "$target: $fmt archive: serves its $n zones" 0 "^dns-primary: serving $n zones on $TARGUEST\$" -- cat "$log"
        is "$target: $fmt archive: example.com from the archive, not the image" "203.0.113.7" \
            "$(ip netns exec "$NS" dig @$TARGUEST +norec +time=2 +tries=2 +short example.com A)"
        is "$target: $fmt archive: its second zone" "203.0.113.8" \
            "$(ip netns exec "$NS" dig @$TARGUEST +norec +time=2 +tries=2 +short www.tar.test A)"
        [ $fmt = ustar ] ||
            is "$target: $fmt archive: a zone under a path over 100 bytes" '"from a long path"' \
                "$(ip netns exec "$NS" dig @$TARGUEST +norec +time=2 +tries=2 +short long.test TXT)"
        is "$target: $fmt archive: the baked zone's names are gone" "NXDOMAIN" \
            "$(ip netns exec "$NS" dig @$TARGUEST +norec +time=2 +tries=2 www.example.com A +noall +comments | grep -o NXDOMAIN)"
        # Gone, and its tap free, before the next one attaches.
        kill -9 $pid 2>/dev/null
        for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
    done
    expect_output "$target: an archive with a bad header checksum is refused at start" 1 \
        "dns-primary: block zones: member 'zones/example.com.zone' at byte 512: bad header checksum" -- \
        quiet_vm timeout 20 ip netns exec "$NS" "$PITH" run "$img" --net:service=pitht1 \
        --block:zones="$T/badsum.tar" -- --ipv4=$TARGUEST/24
    expect_output "$target: an archive cut inside a member is refused at start" 1 \
        "dns-primary: block zones: member 'zones/example.com.zone' at byte 512: its $(stat -c %s "$T/tz/zones/example.com.zone") bytes run past the end of the archive (1024 bytes)" -- \
        quiet_vm timeout 20 ip netns exec "$NS" "$PITH" run "$img" --net:service=pitht1 \
        --block:zones="$T/short.tar" -- --ipv4=$TARGUEST/24
    expect_output "$target: a bad zone in an archive is refused at start, with its member, line and column" 1 \
        "dns-primary: block zones: zones/bad.test.zone:4:10: bad IPv4 address '10.0.0.300'" -- \
        quiet_vm timeout 20 ip netns exec "$NS" "$PITH" run "$img" --net:service=pitht1 \
        --block:zones="$T/badzone.tar" -- --ipv4=$TARGUEST/24
    expect_output "$target: a bad --axfr is refused" 2 \
        "dns-primary: --axfr=10.0.0.0/33: expected --axfr=ADDR or --axfr=ADDR/PREFIX, such as 192.0.2.1 or 10.0.0.0/8" -- \
        quiet_vm timeout 20 ip netns exec "$NS" "$PITH" run "$img" --net:service=pitht1 \
        -- --ipv4=$TARGUEST/24 --axfr=10.0.0.0/33

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
