# The authoritative DNS server against NSD: the same zones
# (tests/dns/zones/*.zone) served by NSD, the reference, and by the
# subject, and the same queries to both (tests/tools/dnsdiff.py: the
# corpus tests/dns/queries.txt through dig, the broken messages of
# tests/dns/malformed/ and the raw ones of tests/dns/raw/ through
# sockets); every difference in rcode, flags, sections or OPT is one.
#
# The subject, DNS_SUBJECT:
#   pith  apps/dns-primary built for DNS_TARGET (default spt) with
#         these zones in its zones/, behind tap pitht0 in the client's
#         namespace, at $SUB;
#   nsd   a second NSD in a namespace of its own behind a veth pair, at
#         the same address: the harness tested against itself;
#   auto  (the default) pith when apps/dns-primary exists, else nsd.
# The reference NSD runs in a namespace of its own behind a veth pair
# at $REF, with NSD's defaults but for one server process, no rate
# limit, no version or identity for CH queries (DNS_NSD_SERVER adds one
# more line to its server: clause, such as "minimal-responses: yes");
# dig and dnsdiff run in the client's namespace.
#
# Zone transfers (tests/tools/xfrdiff.py: AXFR and IXFR over TCP and
# UDP, message by message): the client's second addresses, $XFR_SUB on
# the subject's link and $XFR_REF on the reference's, may transfer every
# zone (NSD: provide-xfr NOKEY; pith: --axfr); its first ones are
# refused. An allowed AXFR of each zone must also give the records
# BIND's named-compilezone reads from the zone file.
. "$(dirname "$0")/../lib.sh"
DNS=$ROOT/tests/dns
DNSDIFF="/usr/bin/python3 $ROOT/tests/tools/dnsdiff.py"
SUBJECT=${DNS_SUBJECT:-auto}
TARGET=${DNS_TARGET:-spt}
MAC=02:00:00:00:00:35
HOST=10.82.0.1 # the client, on the subject's link
SUB=10.82.0.2  # the subject
REFHOST=10.82.1.1
REF=10.82.1.2     # the reference NSD
XFR_SUB=10.82.0.3 # the client's addresses allowed to transfer zones
XFR_REF=10.82.1.3

case $SUBJECT in
auto) if [ -d "$ROOT/apps/dns-primary" ]; then SUBJECT=pith; else SUBJECT=nsd; fi ;;
pith | nsd) ;;
*) notok "DNS_SUBJECT=$SUBJECT" "wanted pith, nsd or auto"; exit 1 ;;
esac
for tool in nsd dig; do
    command -v $tool >/dev/null ||
        { notok "dns: $tool is there" "missing: run scripts/deps as root"; exit 1; }
done
zones=$(cd "$DNS/zones" && ls ./*.zone | sed 's|^\./||; s|\.zone$||')
nzones=$(wc -w <<<"$zones")

# nsd_up NS ADDR NAME XFR: NSD serving tests/dns/zones in NS at ADDR, one
# server process, no rate limit, no version or identity, zone transfers
# to XFR, ready; sets NSD_PID (killed at exit, and its children with it).
nsd_up() {
    local ns=$1 addr=$2 d=$T/$3 xfr=$4 z
    mkdir -p "$d"
    cat >"$d/nsd.conf" <<EOF
server:
    ip-address: $addr
    port: 53
    do-ip4: yes
    do-ip6: no
    server-count: 1
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$DNS/zones"
    zonelistfile: "$d/zone.list"
    xfrdfile: "$d/xfrd.state"
    pidfile: "$d/nsd.pid"
    logfile: "$d/nsd.log"
    verbosity: 1
    hide-version: yes
    hide-identity: yes
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
${DNS_NSD_SERVER:+    $DNS_NSD_SERVER}
remote-control:
    control-enable: no
EOF
    for z in $zones; do
        printf 'zone:\n    name: "%s"\n    zonefile: "%s.zone"\n    provide-xfr: %s NOKEY\n' \
            "$z" "$z" "$xfr" >>"$d/nsd.conf"
    done
    nsd-checkconf "$d/nsd.conf" >"$d/check.log" 2>&1 ||
        { notok "$3: nsd.conf" "$(tr '\n' '|' <"$d/check.log")"; return 1; }
    ip netns exec "$ns" nsd -d -c "$d/nsd.conf" >"$d/stdout.log" 2>&1 &
    NSD_PID=$!
    disown $NSD_PID
    # NSD's main process, then its children (xfrd, the server) by their
    # ids, before the namespace goes.
    cleanup_add "kill $NSD_PID; ip netns pids $ns | xargs -r kill -9"
    ready "$3" "$addr" $NSD_PID "$d/nsd.log"
}

# ready NAME ADDR PID LOG: waits until ADDR answers the SOA of every zone.
ready() {
    local z missing
    for _ in $(seq 100); do
        missing=0
        for z in $zones; do
            # (dig +short says ";; connection timed out" on stdout)
            in_c dig +time=1 +tries=1 +short @"$2" "$z." SOA 2>/dev/null | grep -q '^[^;]' ||
                { missing=1; break; }
        done
        [ $missing -eq 0 ] && return 0
        kill -0 "$3" 2>/dev/null || break
        sleep 0.1
    done
    notok "$1 serves the zones at $2" "$(tail -n 5 "$4" 2>/dev/null | tr '\n' '|')"
    return 1
}

in_c() { ip netns exec "$NS_C" "$@"; }

# veth NS ADDR-HERE ADDR-THERE NAME: a veth pair from the client's
# namespace to (NS).
veth() {
    ip link add "$4a" netns "$NS_C" type veth peer name "$4b" netns "$1" &&
        ip -n "$NS_C" addr add "$2/24" dev "$4a" && ip -n "$NS_C" link set "$4a" up &&
        ip -n "$1" addr add "$3/24" dev "$4b" && ip -n "$1" link set "$4b" up &&
        ip -n "$1" link set lo up
}

# subject_pith: apps/dns-primary with the test's zones (and only them)
# in a copy of its folder, behind a tap; sets SUB_PID and SUB_LOG.
subject_pith() {
    local app=$T/dns-primary img=$T/dns-primary.$TARGET
    cp -r "$ROOT/apps/dns-primary" "$app"
    rm -rf "$app/_build" "$app"/*.spt "$app"/*.unix "$app/zones"
    mkdir -p "$app/zones"
    cp "$DNS"/zones/*.zone "$app/zones/"
    build_app "$app" "$TARGET" "$img" || return 1
    ip -n "$NS_C" tuntap add pitht0 mode tap && ip -n "$NS_C" link set pitht0 up &&
        ip -n "$NS_C" addr add $HOST/24 dev pitht0 &&
        ip -n "$NS_C" addr add $XFR_SUB/24 dev pitht0 ||
        { notok "pith: tap" "cannot create pitht0 in $NS_C"; return 1; }
    SUB_LOG=$T/dns-primary.log
    : >"$SUB_LOG"
    ip netns exec "$NS_C" "$PITH" run "$img" --net:service=pitht0 \
        --net-mac:service=$MAC -- --ipv4=$SUB/24 --axfr=$XFR_SUB >"$SUB_LOG" 2>&1 &
    SUB_PID=$!
    disown $SUB_PID
    cleanup_add "kill -9 $SUB_PID"
    for _ in $(seq 100); do
        grep -Eq "^dns-primary: serving [0-9]+ zones? on $SUB\$" "$SUB_LOG" && break
        kill -0 $SUB_PID 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -Eq "^dns-primary: serving $nzones zones? on $SUB\$" "$SUB_LOG"; then
        notok "$TARGET: apps/dns-primary says it serves the $nzones zones" \
            "$(head -c 400 "$SUB_LOG" | tr '\n' '|')"
        return 1
    fi
    ok "$TARGET: apps/dns-primary says it serves the $nzones zones"
    ready "$TARGET: apps/dns-primary" $SUB $SUB_PID "$SUB_LOG"
}

# subject_nsd: a second NSD, in a namespace of its own.
subject_nsd() {
    local ns
    ns=$(netns_new sub) && veth "$ns" $HOST $SUB dnss &&
        ip -n "$NS_C" addr add $XFR_SUB/24 dev dnssa ||
        { notok "nsd subject: namespace" "cannot set up $ns"; return 1; }
    nsd_up "$ns" $SUB nsd-subject $XFR_SUB || return 1
    SUB_PID=$NSD_PID
    SUB_LOG=$T/nsd-subject/nsd.log
}

for z in $zones; do
    expect "nsd-checkzone accepts tests/dns/zones/$z.zone" 0 '' -- \
        nsd-checkzone "$z" "$DNS/zones/$z.zone"
done

NS_C=$(netns_new client) && ip -n "$NS_C" link set lo up &&
    NS_R=$(netns_new ref) && veth "$NS_R" $REFHOST $REF dnsr &&
    ip -n "$NS_C" addr add $XFR_REF/24 dev dnsra ||
    { notok "dns: namespaces" "cannot set up the namespaces"; exit 1; }
nsd_up "$NS_R" $REF nsd-reference $XFR_REF || exit 1
ok "NSD (reference) serves $nzones zones at $REF"
subject_$SUBJECT || exit 1
[ "$SUBJECT" = nsd ] && ok "NSD (as the subject) serves $nzones zones at $SUB"

echo "# subject: $SUBJECT$([ "$SUBJECT" = pith ] && echo " ($TARGET)"), $(grep -vc '^#\|^$' "$DNS/queries.txt") queries in the corpus"
start=$EPOCHREALTIME
in_c $DNSDIFF --ref $REF --sub $SUB --queries "$DNS/queries.txt" \
    --malformed "$DNS/malformed" --raw "$DNS/raw" >"$T/dnsdiff.out" 2>&1
rc=$?
cat "$T/dnsdiff.out"
echo "# dnsdiff took $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
if [ $rc -eq 2 ] || ! grep -Eq '^[0-9]+ differences$' "$T/dnsdiff.out"; then
    notok "dnsdiff ran" "status $rc: $(tail -n 3 "$T/dnsdiff.out" | tr '\n' '|')"
fi

# Zone transfers: from the allowed addresses, then from the others.
for who in allowed refused; do
    if [ $who = allowed ]; then src="--ref-src $XFR_REF --sub-src $XFR_SUB"; else src="--ref-src $REFHOST --sub-src $HOST"; fi
    # shellcheck disable=SC2086 # (src) is words on purpose
    in_c python3 "$ROOT/tests/tools/xfrdiff.py" --ref $REF --sub $SUB $src --label "$who" \
        $zones >"$T/xfrdiff.$who" 2>&1
    rc=$?
    cat "$T/xfrdiff.$who"
    if [ $rc -eq 2 ] || ! grep -Eq '^[0-9]+ differences$' "$T/xfrdiff.$who"; then
        notok "xfrdiff ($who) ran" "status $rc: $(tail -n 3 "$T/xfrdiff.$who" | tr '\n' '|')"
    fi
done
# One record a line, fields by one space, owners lowercased; the closing
# SOA dropped.
norm() { grep -v '^;' "$1" | awk 'NF { $1 = tolower($1); print }' | sort | uniq; }
for z in $zones; do
    in_c dig -b $XFR_SUB @$SUB "$z" AXFR +nocmd +nostats +time=5 >"$T/axfr.$z" 2>&1
    if ! named-compilezone -q -k ignore -i none -s full -o - "$z" "$DNS/zones/$z.zone" \
        >"$T/zone.$z" 2>&1; then
        # BIND refuses some of what the zones hold on purpose (a wildcard
        # NS): there, xfrdiff's comparison with NSD stands alone.
        echo "# named-compilezone refuses $z: $(grep -m1 . "$T/zone.$z")"
        continue
    fi
    if diff <(norm "$T/axfr.$z") <(norm "$T/zone.$z") >"$T/axfr.$z.diff"; then
        ok "AXFR of $z from the subject: the records of the zone file ($(norm "$T/zone.$z" | wc -l))"
    else
        notok "AXFR of $z from the subject: the records of the zone file" \
            "$(head -n 6 "$T/axfr.$z.diff" | tr '\n' '|')"
    fi
done

# Still there after all that, and still right.
expect "the subject still answers after the malformed queries" 0 \
    '^192\.0\.2\.80$' -- in_c dig +time=2 +tries=1 +short @$SUB www.example.com A
if [ -n "${SUB_PID:-}" ] && kill -0 "$SUB_PID" 2>/dev/null; then
    ok "the subject is still running"
else
    notok "the subject is still running" "it exited: $(tail -n 3 "${SUB_LOG:-/dev/null}" | tr '\n' '|')"
fi
