#!/bin/sh
# Test-only TLS material for the simulator over https (tests/test_network.py).
# A private CA and a server certificate for 127.0.0.1 and localhost, valid for
# 100 years. Nothing here protects anything: the keys are public on purpose.
set -eu
cd "$(dirname "$0")"
openssl req -x509 -new -nodes -newkey rsa:2048 -keyout ca.key -out ca.pem -days 36500 \
  -subj "/CN=pytest-practitest test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash"
openssl req -new -nodes -newkey rsa:2048 -keyout server.key -out server.csr \
  -subj "/CN=127.0.0.1"
cat > server.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
  -days 36500 -extfile server.ext
rm -f server.csr server.ext ca.srl ca.key
