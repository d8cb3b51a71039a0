# apps/https-static against real clients, on every target (virtio: QEMU
# microvm, TCG), each in a namespace of its own behind a tap, with a
# throwaway PKI (tests/tools/tlscerts.sh: root, intermediate, ECDSA and
# RSA leaves; no key is committed) in a copy of the app folder:
#   - curl verifies the chain (--cacert) and the bytes of several files:
#     the ECDSA certificate and the RSA one chosen by SNI, a wildcard
#     name, TLS 1.2 from a client that offers 1.3; HTTP on port 80
#     redirected to the same target on HTTPS, and followed;
#   - session resumption: curl's second connection resumes the first's
#     session (--sessionid, its default), counted by the server; with
#     --no-sessionid none is;
#   - openssl s_client and gnutls-cli verify the chain and get a page
#     each, then (site from the archive) the bytes of several files, the
#     50 MiB one included;
#   - tests/tools/httpcheck.py: keep-alive, pipelining, ETag and 304,
#     ranges, .gz variants, 404/405/301 and paths that climb out of the
#     site, request smuggling attempts, oversized heads (431, 414),
#     slowloris (408 after the header timeout while others are served),
#     garbage TLS records: each answered as RFC 9112 says, and the
#     server goes on serving;
#   - the same HTTP checks over plain HTTP (--http-serve);
#   - the site from a tar archive on a block device: a 50 MiB file over
#     HTTPS, sha256 equal; Last-Modified and If-Modified-Since; a range
#     inside it;
#   - spt: the image is under 512 KiB; testssl.sh (Debian's) finds no
#     vulnerability and no weak cipher offered;
#   - unix: the app as shipped makes a self-signed certificate at build
#     time (./prebuild), which curl verifies; without one it serves HTTP
#     only; bad options are refused with one line.
. "$(dirname "$0")/../lib.sh"
HTTPCHECK="/usr/bin/python3 $ROOT/tests/tools/httpcheck.py"
MAC=02:00:00:00:00:4e
HOST=10.87.0.1
GUEST=10.87.0.2
export PITH_QEMU_ACCEL=${PITH_QEMU_ACCEL:-tcg}

for tool in curl openssl gnutls-cli testssl python3; do
    command -v $tool >/dev/null || { notok "https: $tool" "not installed (scripts/deps)"; exit 1; }
done

# The app, in a copy of its folder with the PKI's certificates in certs/.
app=$T/https-static
cp -r "$ROOT/apps/https-static" "$app"
rm -rf "$app/_build" "$app"/https-static.* "$app"/certs/*
"$ROOT/tests/tools/tlscerts.sh" "$T/pki" >"$T/pki.log" 2>&1 ||
    { notok "https: the test PKI" "$(tail -n 3 "$T/pki.log" | tr '\n' '|')"; exit 1; }
cp "$T/pki/certs/"* "$app/certs/"
CA=$T/pki/ca.pem
SITE=$app/site

# The big site: the example's files and 50 MiB of random bytes, as a tar
# archive for the block device.
big=$T/bigsite
mkdir -p "$big"
cp -r "$SITE/." "$big/"
head -c $((50 << 20)) /dev/urandom >"$big/big.bin"
tar -cf "$T/site.tar" -C "$big" .
BIGSUM=$(sha256sum <"$big/big.bin" | cut -d' ' -f1)
# Certificates on a block device: only the ECDSA one, under one name.
mkdir -p "$T/blockcerts"
cp "$T/pki/certs/ec.test,*.ec.test.crt" "$T/blockcerts/ec.test.crt"
cp "$T/pki/certs/ec.test,*.ec.test.key" "$T/blockcerts/ec.test.key"
tar -cf "$T/certs.tar" -C "$T/blockcerts" .

# hs_start NAME IMAGE [RUN-OPTION...] -- [APP-OPTION...]: https-static in
# $NS at $GUEST, waited for until it listens; sets PID (killed at exit)
# and LOG.
hs_start() {
    local name=$1 img=$2 runopts=() o
    shift 2
    while [ $# -gt 0 ]; do
        o=$1
        shift
        [ "$o" = -- ] && break
        runopts+=("$o")
    done
    LOG=$T/$name.log
    : >"$LOG"
    ip netns exec "$NS" "$PITH" run "$img" --net:service=pitht0 \
        --net-mac:service=$MAC "${runopts[@]}" -- --ipv4=$GUEST/24 "$@" \
        >"$LOG" 2>&1 &
    PID=$!
    disown $PID
    cleanup_add "kill -9 $PID"
    for _ in $(seq 300); do
        grep -q "^https-static: http[s]* on $GUEST port" "$LOG" && return 0
        kill -0 $PID 2>/dev/null || break
        sleep 0.1
    done
    notok "$name: https-static starts" "$(tr '\n' '|' <"$LOG")"
    return 1
}

hs_stop() {
    kill -9 "$PID" 2>/dev/null
    wait "$PID" 2>/dev/null
    sleep 0.2
}

# cu NAME ARGS...: curl in the namespace, every name resolved to the
# guest; output in $T/body, verbose lines in $T/err.
cu() {
    timeout 60 ip netns exec "$NS" curl -sS --max-time 50 \
        --resolve ec.test:443:$GUEST --resolve www.ec.test:443:$GUEST \
        --resolve rsa.test:443:$GUEST --resolve ec.test:80:$GUEST \
        --resolve localhost:443:$GUEST --resolve localhost:80:$GUEST \
        "$@" >"$T/body" 2>"$T/err"
}

# same NAME FILE: $T/body holds exactly FILE's bytes.
same() {
    if cmp -s "$T/body" "$2"; then
        ok "$target: $1"
    else
        notok "$target: $1" "$(wc -c <"$T/body") bytes, wanted $(wc -c <"$2"); $(head -c 300 "$T/err" | tr '\n' '|')"
    fi
}

# counter NAME: the last value of the server's TLS counter NAME.
counter() {
    grep '^https-static: tls ' "$LOG" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# wait_stats: until the server printed its counters once more.
wait_stats() {
    local n
    n=$(grep -c '^https-static: tls ' "$LOG")
    for _ in $(seq 40); do
        [ "$(grep -c '^https-static: tls ' "$LOG")" -gt "$n" ] && return
        sleep 0.1
    done
}

tls_checks() {
    cu -v --cacert "$CA" https://ec.test/
    same "curl: the ECDSA certificate by SNI, chain verified, index.html" "$SITE/index.html"
    if grep -q 'SSL connection using TLSv1.2 / ECDHE-ECDSA-' "$T/err"; then
        ok "$target: curl: TLS 1.2, ECDHE-ECDSA, from a client offering TLS 1.3"
    else
        notok "$target: curl: TLS 1.2, ECDHE-ECDSA" "$(grep 'SSL connection' "$T/err")"
    fi
    cu -v --cacert "$CA" https://rsa.test/style.css
    if cmp -s "$T/body" "$SITE/style.css" && grep -q 'SSL connection using TLSv1.2 / ECDHE-RSA-' "$T/err"; then
        ok "$target: curl: the RSA certificate by SNI, chain verified, style.css"
    else
        notok "$target: curl: RSA" "$(grep 'SSL connection' "$T/err") $(wc -c <"$T/body") bytes"
    fi
    cu --cacert "$CA" https://www.ec.test/about/
    same "curl: a wildcard name (*.ec.test), about/index.html" "$SITE/about/index.html"
    cu -o /dev/null -w '%{http_code} %{redirect_url}' http://ec.test/about/?q=1
    if [ "$(cat "$T/body")" = "301 https://ec.test/about/?q=1" ]; then
        ok "$target: curl: HTTP on port 80 redirected to the same target on HTTPS"
    else
        notok "$target: curl: HTTP redirected" "$(cat "$T/body") $(head -c 200 "$T/err")"
    fi
    cu -L --cacert "$CA" http://ec.test/about/
    same "curl -L: the redirect followed to the page" "$SITE/about/index.html"

    # Resumption: two URLs, two connections (Connection: close), the
    # second resuming the first's session by its ID.
    wait_stats
    local r0 h0
    r0=$(counter resumed)
    h0=$(counter handshakes)
    cu -v --cacert "$CA" -H 'Connection: close' https://ec.test/ https://ec.test/style.css
    wait_stats
    if grep -q 're-using session ID' "$T/err" && [ "$(counter resumed)" = $((r0 + 1)) ] &&
        [ "$(counter handshakes)" = $((h0 + 1)) ]; then
        ok "$target: curl --sessionid: the second connection resumed the session (server: resumed $r0 -> $(counter resumed))"
    else
        notok "$target: resumption" "resumed $r0 -> $(counter resumed), handshakes $h0 -> $(counter handshakes); $(grep -i 'session' "$T/err" | head -n 3 | tr '\n' '|')"
    fi
    r0=$(counter resumed)
    cu --no-sessionid --cacert "$CA" -H 'Connection: close' https://ec.test/ https://ec.test/style.css
    wait_stats
    if [ "$(counter resumed)" = "$r0" ]; then
        ok "$target: curl --no-sessionid: no session resumed"
    else
        notok "$target: --no-sessionid" "resumed $r0 -> $(counter resumed)"
    fi

    # openssl s_client and gnutls-cli, each verifying the chain.
    printf 'GET /about/ HTTP/1.1\r\nHost: ec.test\r\nConnection: close\r\n\r\n' |
        timeout 20 ip netns exec "$NS" openssl s_client -connect $GUEST:443 \
            -servername ec.test -verify_hostname ec.test -CAfile "$CA" \
            -verify_return_error -ign_eof >"$T/out" 2>&1
    if grep -q 'Verify return code: 0 (ok)' "$T/out" && grep -q '^HTTP/1.1 200 OK' "$T/out" &&
        grep -qF "$(sed -n 6p "$SITE/about/index.html")" "$T/out"; then
        ok "$target: openssl s_client: chain verified, /about/ served"
    else
        notok "$target: openssl s_client" "$(grep -E 'Verify return|^HTTP' "$T/out" | tr '\n' '|')"
    fi
    printf 'GET /style.css HTTP/1.1\r\nHost: rsa.test\r\nConnection: close\r\n\r\n' |
        timeout 20 ip netns exec "$NS" gnutls-cli --x509cafile="$CA" \
            --sni-hostname=rsa.test --verify-hostname=rsa.test -p 443 $GUEST \
            >"$T/out" 2>&1
    if grep -q 'Status: The certificate is trusted' "$T/out" && grep -q '^HTTP/1.1 200 OK' "$T/out" &&
        grep -qF "$(head -n 1 "$SITE/style.css")" "$T/out"; then
        ok "$target: gnutls-cli: chain verified (RSA), style.css served"
    else
        notok "$target: gnutls-cli" "$(grep -E 'Status|^HTTP|Error' "$T/out" | head -n 4 | tr '\n' '|')"
    fi
}

# fetch_with CLIENT NAME PATH FILE...: GET NAME/PATH with openssl
# s_client or gnutls-cli (chain and name verified against the test
# root), the body (after the head) compared with FILE, for each PATH
# FILE pair.
fetch_with() {
    local client=$1 name=$2 path file bad="" rc
    shift 2
    while [ $# -ge 2 ]; do
        path=$1 file=$2
        shift 2
        printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$name" >"$T/req"
        if [ "$client" = s_client ]; then
            timeout 120 ip netns exec "$NS" openssl s_client -quiet -connect $GUEST:443 \
                -servername "$name" -verify_hostname "$name" -CAfile "$CA" \
                -verify_return_error -ign_eof <"$T/req" >"$T/resp" 2>"$T/err"
            rc=$?
        else
            # gnutls-cli ends at the end of its input, answer or not: the
            # input stays open (a FIFO held here) until the server closes.
            rm -f "$T/fifo" && mkfifo "$T/fifo"
            timeout 120 ip netns exec "$NS" gnutls-cli --x509cafile="$CA" \
                --sni-hostname="$name" --verify-hostname="$name" \
                --logfile="$T/err" -p 443 $GUEST <"$T/fifo" >"$T/resp" 2>>"$T/err" &
            local gpid=$!
            exec 8>"$T/fifo"
            cat "$T/req" >&8
            wait $gpid
            rc=$?
            exec 8>&-
        fi
        python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); h, _, b = d.partition(b"\r\n\r\n"); open(sys.argv[2], "wb").write(b); sys.exit(0 if h.startswith(b"HTTP/1.1 200 ") else 1)' \
            "$T/resp" "$T/body" || bad="$bad $path: not 200 (status $rc: $(head -c 200 "$T/err" | tr '\n' '|'));"
        cmp -s "$T/body" "$file" || bad="$bad $path: $(wc -c <"$T/body") bytes, wanted $(wc -c <"$file");"
        [ $rc -eq 0 ] || bad="$bad $path: $client exited with $rc;"
    done
    rm -f "$T/resp" "$T/body"
    if [ -z "$bad" ]; then ok "$target: $client: chain verified ($name), the bytes of $files_desc"; else notok "$target: $client" "$bad"; fi
}

# big_checks: the site from the archive on the block device.
big_checks() {
    local got
    cu --cacert "$CA" -o "$T/big.out" https://ec.test/big.bin
    got=$(sha256sum <"$T/big.out" | cut -d' ' -f1)
    if [ "$got" = "$BIGSUM" ]; then
        ok "$target: a 50 MiB file from the tar archive over HTTPS, sha256 equal"
    else
        notok "$target: 50 MiB" "$(stat -c %s "$T/big.out") bytes, sha256 $got; $(head -c 200 "$T/err")"
    fi
    rm -f "$T/big.out"
    cu --cacert "$CA" -r 30000000-30000099 https://ec.test/big.bin
    if cmp -s "$T/body" <(tail -c +30000001 "$big/big.bin" | head -c 100); then
        ok "$target: a range in the middle of the 50 MiB file"
    else
        notok "$target: a range of big.bin" "$(wc -c <"$T/body") bytes"
    fi
    in_ns $HTTPCHECK --host $GUEST --port 443 --tls --ca "$CA" --sni ec.test \
        --site "$big" --tag "$target: archive" conditional pipeline
    # The 50 MiB file through each client, but not under TCG, where one
    # copy (curl's, above) takes long enough.
    local bigpair=(/big.bin "$big/big.bin")
    files_desc="index.html, style.css and the 50 MiB file"
    if [ $target = virtio ]; then
        bigpair=()
        files_desc="index.html, style.css"
    fi
    fetch_with s_client ec.test / "$big/index.html" /style.css "$big/style.css" \
        "${bigpair[@]}"
    fetch_with gnutls-cli ec.test /about/ "$big/about/index.html" \
        /style.css.gz "$big/style.css.gz" "${bigpair[@]}"
}

in_ns() { ip netns exec "$NS" "$@"; }

for target in unix spt virtio; do
    img=$T/https-static.$target
    build_app "$app" $target "$img" || continue
    if [ $target = spt ]; then
        size=$(stat -c %s "$img")
        if [ "$size" -lt $((512 << 10)) ]; then
            ok "spt: the image is $size bytes, under 512 KiB"
        else
            notok "spt: image size" "$size bytes"
        fi
    fi
    tap_ns hs$target $HOST/24 || continue
    hs_start hs$target "$img" -- --default-cert=default.test \
        --header-timeout=2 --stats-every=1 || continue
    tls_checks
    in_ns $HTTPCHECK --host $GUEST --port 443 --tls --ca "$CA" --sni ec.test \
        --site "$SITE" --tag "$target: https" --header-timeout 2 \
        keepalive pipeline conditional range gzip errors smuggle limits \
        slowloris garbage
    if grep -qE '^10\.87\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000\] "GET /about/ HTTP/1\.1" 200 [0-9]+ "-" "curl/' "$LOG"; then
        ok "$target: an access log line per request (nginx's combined format)"
    else
        notok "$target: access log" "$(grep -v '^https-static' "$LOG" | tail -n 2 | tr '\n' '|')"
    fi
    if [ $target = spt ]; then
        timeout 300 ip netns exec "$NS" testssl --quiet --color 0 --warnings batch \
            -p -s -U -S -f $GUEST:443 >"$T/testssl" 2>&1
        vuln=$(grep -E 'VULNERABLE' "$T/testssl" | grep -v 'not vulnerable')
        weak=$(grep -E '^ (NULL ciphers|Anonymous NULL|Export ciphers|LOW: 64 Bit|Triple DES|Obsolete CBC)' "$T/testssl" | grep -v 'not offered')
        protos=$(grep -E '^ (SSLv2|SSLv3|TLS 1 |TLS 1.1) ' "$T/testssl" | grep -v 'not offered')
        if [ -z "$vuln$weak$protos" ] && grep -q 'LUCKY13' "$T/testssl" &&
            grep -q 'Strong encryption (AEAD ciphers) *offered' "$T/testssl"; then
            ok "spt: testssl.sh: no vulnerability, no weak cipher or protocol offered"
        else
            notok "spt: testssl.sh" "$(printf '%s|%s|%s' "$vuln" "$weak" "$protos" | tr '\n' '|') $(tail -n 3 "$T/testssl" | tr '\n' '|')"
        fi
    fi
    if kill -0 $PID 2>/dev/null; then
        ok "$target: https-static still runs"
    else
        notok "$target: https-static still runs" "$(tail -n 3 "$LOG" | tr '\n' '|')"
    fi
    hs_stop

    # Plain HTTP on port 80, and the site and the certificates from
    # archives on block devices.
    hs_start hs$target-http "$img" --block:site="$T/site.tar" \
        --block:certs="$T/certs.tar" -- --http-serve --header-timeout=2 \
        --quiet || continue
    if grep -q '^https-static: certificate 0: ec.test (ecdsa 256, chain of 2)$' "$LOG" &&
        ! grep -q '^https-static: certificate 1' "$LOG"; then
        ok "$target: the certificate from the archive on the block device certs"
    else
        notok "$target: certificates from a block device" "$(grep certificate "$LOG" | tr '\n' '|')"
    fi
    in_ns $HTTPCHECK --host $GUEST --port 80 --site "$SITE" \
        --tag "$target: http" --header-timeout 2 keepalive pipeline range \
        gzip errors smuggle limits slowloris
    big_checks
    hs_stop
done

# The app as shipped: a self-signed certificate made at build time, or
# none (SELF_SIGNED=no) and HTTP only. unix is enough: the build is the
# same for every target.
target=unix
for mode in self-signed http-only; do
    dir=$T/shipped-$mode
    cp -r "$ROOT/apps/https-static" "$dir"
    rm -rf "$dir/_build" "$dir"/https-static.* "$dir"/certs/*
    if [ $mode = self-signed ]; then
        build_app "$dir" unix "$dir/img" || continue
        if openssl x509 -in "$dir/certs/localhost.crt" -noout -subject -issuer 2>/dev/null |
            sed 's/^[a-z]*=//' | uniq | grep -qx ' *CN *= *localhost'; then
            ok "unix: ./prebuild made a self-signed certificate for localhost"
        else
            notok "unix: self-signed certificate" "$(ls "$dir/certs")"
        fi
    else
        SELF_SIGNED=no build_app "$dir" unix "$dir/img" || continue
    fi
    tap_ns hs$mode $HOST/24 || continue
    hs_start hs$mode "$dir/img" || continue
    if [ $mode = self-signed ]; then
        cu --cacert "$dir/certs/localhost.crt" https://localhost/
        same "the shipped app over HTTPS, its own certificate verified" "$SITE/index.html"
    else
        cu http://localhost/
        if cmp -s "$T/body" "$SITE/index.html" && grep -q 'no certificate in certs/: serving HTTP only' "$LOG"; then
            ok "unix: without a certificate: HTTP only, the site served on port 80"
        else
            notok "unix: HTTP only" "$(head -c 200 "$T/body") $(tail -n 2 "$LOG" | tr '\n' '|')"
        fi
    fi
    hs_stop
done

# A certificate without its key on the block device: refused at start.
rm "$T/blockcerts/ec.test.key"
tar -cf "$T/certs.tar" -C "$T/blockcerts" .
expect_output "unix: an archive of certificates with a key missing is refused at start" 1 \
    "https-static: block certs: ec.test.crt: no key beside it (ec.test.key)" -- \
    bash -c "set -o pipefail; ip netns exec '$NS' '$PITH' run '$T/https-static.unix' --net:service=pitht0 --block:certs='$T/certs.tar' -- --ipv4=$GUEST/24 | grep -v '^https-static: [0-9]* files from'"

# Bad options: one line, status 2.
expect_output "unix: a bad option is refused with one line" 2 \
    "https-static: --http-port=0: expected a number from 1 to 65535" -- \
    in_ns "$PITH" run "$T/https-static.unix" --net:service=pitht0 -- \
    --ipv4=$GUEST/24 --http-port=0
expect_output "unix: an unknown option is refused with one line" 2 \
    "https-static: --frobnicate: unknown option" -- \
    in_ns "$PITH" run "$T/https-static.unix" --net:service=pitht0 -- \
    --ipv4=$GUEST/24 --frobnicate
