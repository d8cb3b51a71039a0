# TLS (svc/tls) against real clients, on every target (virtio: QEMU
# microvm, TCG): tests/apps/tlsecho in a namespace of each target's own,
# behind a tap, with a throwaway PKI made here (tests/tools/tlscerts.sh:
# root CA, intermediate, ECDSA and RSA leaves; no key is committed):
#   - spt: the image links BearSSL, and only the platform's functions
#     make system calls;
#   - openssl s_client verifies the chain against the root
#     (-verify_return_error, -verify_hostname): an ECDSA certificate and
#     an RSA one chosen by SNI, a wildcard name, both kinds for one name
#     (the client's suites choose), the default certificate for no name
#     and for an unknown one; TLS 1.2 from a TLS 1.3 client; X25519 by
#     default, P-256 when asked; AES-128-GCM, AES-256-GCM and
#     ChaCha20-Poly1305; a session resumed by session ID (-sess_out,
#     -sess_in: "Reused"), no ticket, and the session not resumed under
#     a name its certificate does not serve (a full handshake instead);
#   - refused: TLS 1.1 and 1.0 (protocol_version alert), TLS 1.3 only,
#     CBC suites only, RSA key exchange only, SHA-1 signatures only,
#     P-384 only, and a client trusting another CA;
#   - gnutls-cli (--x509cafile) verifies the chain, and its bytes come
#     back (ECDSA with AES-GCM, RSA with ChaCha20-Poly1305);
#   - Python's ssl (tests/tools/tlscheck.py): 1 MiB of random bytes
#     through the echo under each certificate, sha256 equal; 20
#     connections at once;
#   - an HTTP request, random bytes, and silence instead of a
#     ClientHello: closed, and the server goes on;
#   - the image uses AES-NI and PCLMULQDQ when the CPU has them (QEMU's
#     "max" CPU has them under TCG);
#   - the counters at the end: every handshake counted, and no TCP
#     segment refused as outside the window.
. "$(dirname "$0")/../lib.sh"
TLSCHECK="/usr/bin/python3 $ROOT/tests/tools/tlscheck.py"
MAC=02:00:00:00:00:4d
HOST=10.82.0.1
GUEST=10.82.0.2
PORT=4433
export PITH_QEMU_ACCEL=${PITH_QEMU_ACCEL:-tcg}

for tool in openssl gnutls-cli; do
    command -v $tool >/dev/null || { notok "tls: $tool" "not installed (scripts/deps)"; exit 1; }
done

# The app, in a copy of its folder with the PKI's certificates in certs/.
app=$T/tlsecho
cp -r "$ROOT/tests/apps/tlsecho" "$app"
rm -rf "$app/_build" "$app"/tlsecho.*
"$ROOT/tests/tools/tlscerts.sh" "$T/pki" >"$T/pki.log" 2>&1 ||
    { notok "tls: the test PKI" "$(tail -n 3 "$T/pki.log" | tr '\n' '|')"; exit 1; }
cp "$T/pki/certs/"* "$app/certs/"
CA=$T/pki/ca.pem
OTHER_CA=$T/pki/other-ca.pem

# in_ns COMMAND...: runs COMMAND in the current target's namespace.
in_ns() { ip netns exec "$NS" "$@"; }

# tag: prefixes the target to tlscheck's lines.
tag() { sed "s/^\(ok\|not ok\) /\1 $target: /"; }

# tlsecho_start NAME IMAGE [OPTION...]: tlsecho in $NS at $GUEST, waited
# for until it listens; sets PID (killed at exit) and LOG. `ip netns
# exec` and `pith run` both exec, so PID is the image's process (unix)
# or its tender's (spt) or QEMU's (virtio).
tlsecho_start() {
    local name=$1 img=$2
    shift 2
    LOG=$T/$name.log
    : >"$LOG"
    ip netns exec "$NS" "$PITH" run "$img" --net:service=pitht0 \
        --net-mac:service=$MAC -- --ipv4=$GUEST/24 "$@" >"$LOG" 2>&1 &
    PID=$!
    disown $PID
    cleanup_add "kill -9 $PID"
    for _ in $(seq 300); do
        grep -q "^tlsecho: listening on $GUEST port $PORT\$" "$LOG" && return 0
        kill -0 $PID 2>/dev/null || break
        sleep 0.1
    done
    notok "$name: tlsecho starts" "$(tr '\n' '|' <"$LOG")"
    return 1
}

# sc ARGS...: openssl s_client to the server with ARGS, stdin closed (so
# it ends after the handshake); output in $T/out.
sc() {
    echo | timeout 20 ip netns exec "$NS" openssl s_client \
        -connect $GUEST:$PORT "$@" >"$T/out" 2>&1
}

# hs NAME PATTERNS ARGS...: a handshake with s_client ARGS that must
# succeed, verified against the test root, its -brief output matching
# each line of PATTERNS (extended regular expressions).
hs() {
    local name="$target: $1" pat=$2 p rc
    shift 2
    sc -brief -CAfile "$CA" -verify_return_error "$@"
    rc=$?
    if [ $rc -ne 0 ]; then
        notok "$name" "s_client exit $rc: $(head -c 400 "$T/out" | tr '\n' '|')"
        return
    fi
    while read -r p; do
        [ -z "$p" ] && continue
        if ! grep -Eq -- "$p" "$T/out"; then
            notok "$name" "no /$p/ in: $(head -c 500 "$T/out" | tr '\n' '|')"
            return
        fi
    done <<<"$pat"
    ok "$name"
}

# refused NAME PATTERN ARGS...: a handshake with s_client ARGS that must
# fail, its output matching PATTERN.
refused() {
    local name="$target: refused: $1" pat=$2 rc
    shift 2
    sc -CAfile "$CA" "$@"
    rc=$?
    if [ $rc -eq 0 ] && ! grep -q 'verify error' "$T/out"; then
        notok "$name" "the handshake succeeded: $(grep -E 'Protocol|Cipher is' "$T/out" | tr '\n' '|')"
    elif ! grep -Eq -- "$pat" "$T/out"; then
        notok "$name" "no /$pat/ in: $(head -c 500 "$T/out" | tr '\n' '|')"
    else
        ok "$name"
    fi
}

# logged NAME PATTERN: the server's log has a line matching PATTERN.
logged() {
    if grep -Eq -- "$2" "$LOG"; then ok "$target: $1"; else notok "$target: $1" "no /$2/ in the log: $(tail -n 5 "$LOG" | tr '\n' '|')"; fi
}

EC="Peer certificate: CN = ec.test
Signature type: ECDSA
Verification: OK"
RSA="Peer certificate: CN = rsa.test
Signature type: RSA$
Verification: OK"

checks() {
    hs "ECDSA certificate by SNI, chain verified, TLS 1.2 from a TLS 1.3 client, X25519, AES-128-GCM" \
        "$EC
Protocol version: TLSv1.2
Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256
Server Temp Key: X25519" \
        -servername ec.test -verify_hostname ec.test
    hs "RSA certificate by SNI, chain verified" "$RSA
Ciphersuite: ECDHE-RSA-AES128-GCM-SHA256" \
        -servername rsa.test -verify_hostname rsa.test
    hs "a wildcard name (*.ec.test) of the ECDSA certificate" "$EC" \
        -servername www.ec.test -verify_hostname www.ec.test
    hs "one name, two certificates: ECDSA for an ECDSA client" \
        "Peer certificate: CN = dual.test
Signature type: ECDSA" \
        -servername dual.test -verify_hostname dual.test -tls1_2 \
        -cipher ECDHE-ECDSA-AES128-GCM-SHA256
    hs "one name, two certificates: RSA for an RSA-only client" \
        "Peer certificate: CN = dual.test
Signature type: RSA$" \
        -servername dual.test -verify_hostname dual.test -tls1_2 \
        -cipher ECDHE-RSA-AES128-GCM-SHA256
    hs "no SNI: the default certificate" "Peer certificate: CN = default.test" \
        -noservername -verify_hostname default.test
    hs "an unknown name: the default certificate" "Peer certificate: CN = default.test" \
        -servername unknown.test -verify_hostname default.test
    hs "P-256 when the client asks for it" "Server Temp Key: ECDH, prime256v1" \
        -servername ec.test -curves P-256
    hs "AES-256-GCM" "Ciphersuite: ECDHE-ECDSA-AES256-GCM-SHA384" \
        -servername ec.test -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
    hs "ChaCha20-Poly1305 (ECDSA)" "Ciphersuite: ECDHE-ECDSA-CHACHA20-POLY1305" \
        -servername ec.test -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305
    hs "ChaCha20-Poly1305 (RSA)" "Ciphersuite: ECDHE-RSA-CHACHA20-POLY1305" \
        -servername rsa.test -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305

    # Resumption by session ID: a new session, then the same one.
    rm -f "$T/sess"
    sc -CAfile "$CA" -verify_return_error -servername ec.test -sess_out "$T/sess"
    if grep -q '^New, TLSv1.2' "$T/out" && [ -s "$T/sess" ]; then
        sc -CAfile "$CA" -verify_return_error -servername ec.test -sess_in "$T/sess"
        if grep -q '^Reused, TLSv1.2' "$T/out"; then
            ok "$target: session resumed by ID (-sess_out, -sess_in: Reused)"
        else
            notok "$target: session resumed" "$(grep -E '^(New|Reused)|error' "$T/out" | tr '\n' '|')"
        fi
        if grep -q 'TLS session ticket:' "$T/out"; then
            notok "$target: no session ticket" "the server sent one"
        else
            ok "$target: session IDs, no tickets"
        fi
        # Under a name the session's certificate does not serve: not
        # resumed (RFC 6066 3), a full handshake with that name's.
        sc -CAfile "$CA" -verify_return_error -verify_hostname rsa.test \
            -servername rsa.test -sess_in "$T/sess"
        if grep -q '^New, TLSv1.2' "$T/out" && grep -q 'subject=CN = rsa.test' "$T/out"; then
            ok "$target: a session offered under another certificate's name: a full handshake"
        else
            notok "$target: a session under another name" "$(grep -E '^(New|Reused)|subject=|error' "$T/out" | tr '\n' '|')"
        fi
    else
        notok "$target: a new session to resume" "$(grep -E '^(New|Reused)|error' "$T/out" | tr '\n' '|')"
    fi

    # (The alert goes in a TLS 1.2 record, which a TLS 1.1 OpenSSL does
    # not read as such: "wrong version number".)
    refused "TLS 1.1" 'alert protocol version|wrong version number' \
        -servername ec.test -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
    logged "TLS 1.1 refused with a protocol_version alert" \
        'closed: sent alert protocol_version$'
    refused "TLS 1.0" 'alert protocol version|wrong version number' \
        -servername ec.test -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
    refused "TLS 1.3 only (no suite in common)" 'alert handshake failure' \
        -servername ec.test -tls1_3
    refused "CBC suites only" 'alert handshake failure' -servername ec.test \
        -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA'
    refused "RSA key exchange only" 'alert handshake failure' -servername rsa.test \
        -tls1_2 -cipher 'AES128-GCM-SHA256:AES256-GCM-SHA384'
    refused "SHA-1 signatures only" 'alert handshake failure' -servername ec.test \
        -tls1_2 -cipher 'DEFAULT:@SECLEVEL=0' -sigalgs 'ECDSA+SHA1:RSA+SHA1'
    refused "P-384 only" 'alert handshake failure' -servername ec.test -curves P-384
    refused "a client trusting another CA" 'verify error|certificate verify failed' \
        -servername ec.test -CAfile "$OTHER_CA" -verify_return_error

    # gnutls-cli: verified against the root, and the echo.
    (printf 'ping from gnutls\n'; sleep 2) | timeout 20 ip netns exec "$NS" gnutls-cli \
        --x509cafile "$CA" --port $PORT --sni-hostname ec.test \
        --verify-hostname ec.test $GUEST >"$T/out" 2>&1
    if grep -q 'Status: The certificate is trusted' "$T/out" &&
        grep -q '^ping from gnutls$' "$T/out" &&
        grep -Eq 'Description: \(TLS1.2[-A-Z0-9.]*\)-\(ECDHE-X25519\)-\(ECDSA-(SECP256R1-)?SHA256\)-\(AES-128-GCM\)' "$T/out"; then
        ok "$target: gnutls-cli: chain trusted, TLS 1.2 X25519 ECDSA AES-128-GCM, bytes echoed"
    else
        notok "$target: gnutls-cli" "$(grep -E 'Status|Description|ping|rror|\*\*\*' "$T/out" | head -n 6 | tr '\n' '|')"
    fi
    (printf 'ping over RSA\n'; sleep 2) | timeout 20 ip netns exec "$NS" gnutls-cli \
        --x509cafile "$CA" --port $PORT --sni-hostname rsa.test \
        --verify-hostname rsa.test --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+CHACHA20-POLY1305' \
        $GUEST >"$T/out" 2>&1
    if grep -q 'Status: The certificate is trusted' "$T/out" &&
        grep -q '^ping over RSA$' "$T/out" &&
        grep -Eq 'Description: \(TLS1.2[-A-Z0-9.]*\)-\(ECDHE-X25519\)-\(RSA-SHA256\)-\(CHACHA20-POLY1305\)' "$T/out"; then
        ok "$target: gnutls-cli: RSA certificate trusted, ChaCha20-Poly1305, bytes echoed"
    else
        notok "$target: gnutls-cli (RSA, ChaCha20)" "$(grep -E 'Status|Description|ping|rror|\*\*\*' "$T/out" | head -n 6 | tr '\n' '|')"
    fi

    # Bytes through, many at once; garbage; silence.
    in_ns $TLSCHECK echo $GUEST $PORT "$CA" ec.test $((1 << 20)) | tag
    in_ns $TLSCHECK echo $GUEST $PORT "$CA" rsa.test $((1 << 20)) | tag
    in_ns $TLSCHECK many $GUEST $PORT "$CA" dual.test 20 65536 | tag
    in_ns $TLSCHECK garbage $GUEST $PORT http | tag
    in_ns $TLSCHECK garbage $GUEST $PORT random | tag
    in_ns $TLSCHECK idle $GUEST $PORT | tag
    hs "after all that, the server still serves" "$EC" \
        -servername ec.test -verify_hostname ec.test
}

# counter FIELD: FIELD's value in the last "tlsecho: tls" or "tlsecho:
# tcp" counters line.
counter() {
    grep -E '^tlsecho: (tls|tcp) ' "$LOG" | grep " $1=" | tail -n 1 |
        grep -o " $1=[0-9]*" | cut -d= -f2
}

for target in unix spt virtio; do
    img=$T/tlsecho.$target
    build_app "$app" $target "$img" || continue
    if [ $target = spt ]; then
        echo "# tlsecho.spt: $(stat -c %s "$img") bytes"
        # BearSSL came in without a system call of its own: in the whole
        # image only the platform's linux_sys_* functions make one.
        elf=$app/_build/spt/tlsecho.elf
        calls=$(objdump -d "$elf" | awk '/^[0-9a-f]+ </ { f = $2 } /\tsyscall/ { print f }' |
            sort -u | tr '\n' ' ')
        if [ -n "$calls" ] && ! echo "$calls" | grep -qv '^\(<linux_sys_[a-z_]*>: \)*$'; then
            ok "spt: BearSSL linked; only the platform makes system calls ($calls)"
        else
            notok "spt: system calls" "in: $calls"
        fi
        if nm "$elf" | grep -q ' T br_ssl_hs_server_run$' && [ -z "$(nm -u "$elf")" ]; then
            ok "spt: the image links BearSSL's server engine, nothing undefined"
        else
            notok "spt: the image's symbols" "$(nm -u "$elf" | head -n 5 | tr '\n' '|')"
        fi
    fi
    tap_ns tls$target $HOST/24 || continue
    tlsecho_start tls$target "$img" --default=default.test \
        --handshake-timeout=3 --stats --stats-every=1 || continue

    # AES-NI and PCLMULQDQ when the CPU has them (TCG's "max" CPU too).
    if grep -qw aes /proc/cpuinfo && grep -qw pclmulqdq /proc/cpuinfo; then
        logged "AES-GCM by AES-NI and PCLMULQDQ (BearSSL's x86ni, pclmul)" \
            '^tlsecho: aes-gcm x86ni\+pclmul, chacha20-poly1305 sse2\+ctmulq$'
    else
        logged "AES-GCM in constant-time code (no AES-NI here)" '^tlsecho: aes-gcm ct64'
    fi
    logged "five certificates from certs/, the default flagged" \
        '^tlsecho: certificate 0: default.test \(ecdsa 256, chain of 2\) default$'
    checks
    if kill -0 $PID 2>/dev/null; then
        ok "$target: tlsecho still runs"
    else
        notok "$target: tlsecho still runs" "$(tail -n 3 "$LOG" | tr '\n' '|')"
    fi

    # The counters, a second later.
    n=$(grep -c '^tlsecho: tls ' "$LOG")
    for _ in $(seq 50); do
        [ "$(grep -c '^tlsecho: tls ' "$LOG")" -gt "$n" ] && break
        sleep 0.1
    done
    hsn=$(grep -cE '^tlsecho: [0-9.]+: handshake ' "$LOG")
    rsn=$(grep -cE '^tlsecho: [0-9.]+: resumed ' "$LOG")
    echo "# $target: $(grep '^tlsecho: tls ' "$LOG" | tail -n 1)"
    echo "# $target: $(grep '^tlsecho: tcp ' "$LOG" | tail -n 1)"
    if [ "$(counter handshakes)" = "$hsn" ] && [ "$(counter resumed)" = "$rsn" ] &&
        [ "$(counter resume_other)" = 1 ] && [ "$(counter failed)" -gt 0 ]; then
        ok "$target: counters: $hsn handshakes, $rsn resumed, 1 not resumed under another name, $(counter failed) failed"
    else
        notok "$target: counters" "log: $hsn handshakes, $rsn resumed; $(grep '^tlsecho: tls ' "$LOG" | tail -n 1)"
    fi
    # Data right behind the handshake's ACK fits the SYN-ACK's window
    # (it used to be refused, and sent again 200 ms later). Not on
    # virtio: under TCG the guest stalls long enough for the host to
    # retransmit, and the duplicates count here too (the code is the same
    # on every target, and tcp_sim_test checks the window exactly).
    if [ $target = virtio ]; then
        echo "# virtio: rx_unacceptable=$(counter rx_unacceptable) (not checked under TCG)"
    elif [ "$(counter rx_unacceptable)" = 0 ]; then
        ok "$target: no TCP segment refused as outside the window"
    else
        notok "$target: TCP counters" "$(grep '^tlsecho: tcp ' "$LOG" | tail -n 1)"
    fi
done
