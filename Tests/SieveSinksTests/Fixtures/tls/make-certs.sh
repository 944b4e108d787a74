#!/bin/sh
# Regenerates the TLS fixtures of the syslog sink tests: two CAs, a server certificate for
# 127.0.0.1/localhost and a client certificate, all signed by `ca`, valid for 100 years.
# `other-ca` signs nothing: a sink that trusts it must refuse our server.
# Run from this folder: ./make-certs.sh (needs openssl 1.1.1 or later).
set -eu
cd "$(dirname "$0")"
days=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make_ca() { # name, subject
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
        -keyout "$1-key.pem" -out "$1.pem" -subj "$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

make_leaf() { # name, subject, extensions
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$1-key.pem" -out "$tmp/$1.csr" -subj "$2"
    printf '%s\n' "$3" > "$tmp/$1.ext"
    openssl x509 -req -sha256 -days "$days" -in "$tmp/$1.csr" -CA ca.pem -CAkey ca-key.pem \
        -CAcreateserial -CAserial "$tmp/ca.srl" -extfile "$tmp/$1.ext" -out "$1.pem"
}

make_ca ca "/CN=auditsieve test CA"
make_ca other-ca "/CN=auditsieve other test CA"
make_leaf server "/CN=localhost" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"
make_leaf client "/CN=auditsieve test client" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
# The CA keys are not kept: to change anything, run the script again and commit every file.
rm -f ca-key.pem other-ca-key.pem
