#!/usr/bin/env bash
# tlscerts.sh OUT: a throwaway test PKI for svc/tls, made fresh each time
# (no private key is ever committed): OUT/ca.pem, a root CA (ECDSA P-256);
# an intermediate CA (ECDSA P-256) under it; and under that, in OUT/certs/
# as tests/apps/tlsecho and tls_test expect them (NAME.crt: the leaf then
# the intermediate; NAME.key: its key):
#   ec.test,*.ec.test.crt  ECDSA P-256, names ec.test and *.ec.test;
#                      key in SEC1 form ("EC PRIVATE KEY")
#   rsa.test.crt       RSA 2048, name rsa.test; key in PKCS#8
#   default.test.crt   ECDSA P-256, name default.test; key in PKCS#8
#   dual.test.crt      ECDSA P-256, name dual.test; and
#   dual.test@rsa.crt  RSA 2048, the same name; key "RSA PRIVATE KEY"
# Also OUT/other-ca.pem, a root CA that signed none of them, and in
# OUT/extra/ what a server must refuse: p384.crt/.key (ECDSA P-384, not
# supported) and rsa1024.crt/.key (RSA below 2048 bits).
set -eu
out=$1
mkdir -p "$out/certs" "$out/work"
w=$out/work
c=$out/certs
days=3650

ecdsa_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

# ca NAME SUBJECT [ISSUER]: a CA certificate NAME.pem with key NAME.key.
ca() {
    ecdsa_key "$w/$1.key"
    if [ $# -eq 2 ]; then
        openssl req -new -x509 -key "$w/$1.key" -out "$w/$1.pem" -days $days \
            -subj "/CN=$2" -addext basicConstraints=critical,CA:TRUE \
            -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    else
        openssl req -new -key "$w/$1.key" -subj "/CN=$2" -out "$w/$1.csr" 2>/dev/null
        printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >"$w/$1.ext"
        openssl x509 -req -in "$w/$1.csr" -CA "$w/$3.pem" -CAkey "$w/$3.key" \
            -CAcreateserial -days $days -extfile "$w/$1.ext" -out "$w/$1.pem" 2>/dev/null
    fi
}

# leaf FILE KEYFILE CN NAME...: a server certificate for NAME... signed by
# the intermediate, written as FILE (with the intermediate after it).
leaf() {
    local file=$1 key=$2 cn=$3 san="" n
    shift 3
    for n in "$@"; do san="$san${san:+,}DNS:$n"; done
    openssl req -new -key "$key" -subj "/CN=$cn" -out "$w/leaf.csr" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
        "$san" >"$w/leaf.ext"
    openssl x509 -req -in "$w/leaf.csr" -CA "$w/inter.pem" -CAkey "$w/inter.key" \
        -CAcreateserial -days $days -extfile "$w/leaf.ext" -out "$w/leaf.pem" 2>/dev/null
    cat "$w/leaf.pem" "$w/inter.pem" >"$file"
}

ca root "pith test root CA (throwaway)"
ca inter "pith test intermediate CA (throwaway)" root
ca other "pith test unrelated CA (throwaway)"
cp "$w/root.pem" "$out/ca.pem"
cp "$w/other.pem" "$out/other-ca.pem"

openssl ecparam -name prime256v1 -genkey -noout -out "$c/ec.test,*.ec.test.key" 2>/dev/null
leaf "$c/ec.test,*.ec.test.crt" "$c/ec.test,*.ec.test.key" ec.test ec.test '*.ec.test'
rsa_key "$c/rsa.test.key"
leaf "$c/rsa.test.crt" "$c/rsa.test.key" rsa.test rsa.test
ecdsa_key "$c/default.test.key"
leaf "$c/default.test.crt" "$c/default.test.key" default.test default.test
ecdsa_key "$c/dual.test.key"
leaf "$c/dual.test.crt" "$c/dual.test.key" dual.test dual.test
openssl genrsa -traditional -out "$c/dual.test@rsa.key" 2048 2>/dev/null
leaf "$c/dual.test@rsa.crt" "$c/dual.test@rsa.key" dual.test dual.test
mkdir -p "$out/extra"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$out/extra/p384.key" 2>/dev/null
leaf "$out/extra/p384.crt" "$out/extra/p384.key" p384.test p384.test
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$out/extra/rsa1024.key" 2>/dev/null
leaf "$out/extra/rsa1024.crt" "$out/extra/rsa1024.key" rsa1024.test rsa1024.test
rm -rf "$w"
