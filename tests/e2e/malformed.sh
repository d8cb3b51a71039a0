# Malformed frames of every layer (issue 3), made with scapy
# (tests/tools/malformed.py) and written raw on the tap's Linux side to
# apps/echo, on unix and spt: runts, bad ARP, truncated and inconsistent
# IPv4 headers (IHL, total length, checksum, version, options, TTL 0),
# bad fragments (overlapping, past 64 KiB, empty, tiny), ICMP, UDP and
# TCP with bad lengths and checksums, bad TCP options, SYN+FIN and
# SYN+RST, an urgent pointer past the data, and RSTs out of the window
# on an established connection of Linux's own. After each case Linux's
# ping must be answered and the guest's drop counters ("echo: drops",
# printed every 50 ms) must show the drop; what must not be answered is
# checked against a good twin that must be. The unix target runs them a
# second time built with ASan and UBSan (target "unix-asan"), where a
# read out of bounds that would not crash ends the run.
. "$(dirname "$0")/../lib.sh"
MALFORMED="/usr/bin/python3 $ROOT/tests/tools/malformed.py"
MAC=02:00:00:00:00:3e
HOST=10.78.0.1
GUEST=10.78.0.2
EVIL=10.78.0.66 # spoken for by malformed.py, with a MAC of its own

tag() { sed "s/^\(ok\|not ok\|#\) /\1 $target: /"; }

/usr/bin/python3 -c 'import scapy' 2>/dev/null ||
    { notok "scapy" "python3-scapy is not installed (scripts/deps)"; exit 0; }
for target in unix spt unix-asan; do
    img=$T/echo.$target
    case $target in
    unix-asan) build_app "$ROOT/apps/echo" unix "$img" --sanitize ;;
    *) build_app "$ROOT/apps/echo" $target "$img" ;;
    esac || continue
    tap_ns mal${target//-/} $HOST/24 || continue
    echo_start mal${target//-/} pitht0 "$img" --stats --stats-every-ms=50 || continue
    ip netns exec "$NS" timeout 100 $MALFORMED pitht0 $MAC $GUEST 7 "$LOG" $EVIL \
        >"$T/malformed.$target.out" 2>&1
    rc=$?
    tag <"$T/malformed.$target.out"
    # It ends with "# all cases in ...", unless it broke on the way.
    grep -q '^# all cases in ' "$T/malformed.$target.out" && [ $rc -le 1 ] ||
        notok "$target: malformed.py runs every case" "exit status $rc: $(tail -n 5 "$T/malformed.$target.out" | tr '\n' '|')"
    if kill -0 $PID 2>/dev/null && ! grep -Eq 'runtime error|Sanitizer' "$LOG"; then
        ok "$target: echo still runs after the malformed frames"
    else
        notok "$target: echo still runs after the malformed frames" "$(grep -v '^echo: ' "$LOG" | tail -n 5 | tr '\n' '|')"
    fi
    echo "# $target: $(grep '^echo: drops ' "$LOG" | tail -n 1)"
done
