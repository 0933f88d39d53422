#!/usr/bin/env bash
# Makes a throw-away PKI for the end-to-end tests in DIR, with the openssl
# command line (OpenSSL 3.0 on Debian 12), so no key or certificate is ever
# committed and none outlives a test run:
#   ca.pem                  the test CA the client is told to trust (ca_file)
#   localhost.{pem,key}     valid: SAN DNS:localhost, IP:127.0.0.1
#   wrong_name.{pem,key}    signed by the test CA, but only for wrong.example
#   unknown_ca.{pem,key}    for localhost, signed by a CA the client does not trust
#   expired.{pem,key}       for localhost, valid from 2020-01-01 to 2020-01-02
#   not_yet_valid.{pem,key} for localhost, valid from 2099 (a robot clock far behind)
# Keys are P-256 (small and fast: the tests make many handshakes under qemu).
# `openssl ca` is used for every leaf because it is the 3.0 tool that takes
# explicit -startdate/-enddate; `openssl x509 -req` only has -days there.
# usage: make_test_pki.sh DIR
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: make_test_pki.sh DIR" >&2
  exit 2
fi
dir=$1
mkdir -p "$dir"
cd "$dir"

new_key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }

make_ca() {  # make_ca NAME "COMMON NAME"
  local name=$1 subject=$2
  new_key "$name.key"
  openssl req -x509 -new -key "$name.key" -sha256 -days 30 -subj "/CN=$subject" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$name.pem"
  mkdir -p "$name.db"
  : >"$name.db/index.txt"
  # A fresh random serial per CA: two runs never issue the same serial.
  openssl rand -hex 16 >"$name.db/serial"
  cat >"$name.cnf" <<CNF
[ca]
default_ca = this_ca
[this_ca]
database = $name.db/index.txt
serial = $name.db/serial
new_certs_dir = $name.db
certificate = $name.pem
private_key = $name.key
default_md = sha256
policy = any_subject
unique_subject = no
copy_extensions = none
[any_subject]
commonName = supplied
[server_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = \${ENV::LEAF_SAN}
CNF
}

make_leaf() {  # make_leaf NAME CA COMMON_NAME SAN START END
  local name=$1 ca=$2 common_name=$3 san=$4 start=$5 end=$6
  new_key "$name.key"
  openssl req -new -key "$name.key" -subj "/CN=$common_name" -out "$name.csr"
  LEAF_SAN=$san openssl ca -batch -notext -config "$ca.cnf" -extensions server_leaf \
    -startdate "$start" -enddate "$end" -in "$name.csr" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr"
}

# Valid from yesterday for 30 days: a clock a few hours off still passes.
yesterday=$(date -u -d '1 day ago' +%Y%m%d%H%M%SZ)
next_month=$(date -u -d '30 days' +%Y%m%d%H%M%SZ)

make_ca ca "vic-r1 test CA"
make_ca other_ca "vic-r1 untrusted test CA"
local_names="DNS:localhost,IP:127.0.0.1"
make_leaf localhost ca localhost "$local_names" "$yesterday" "$next_month"
# The common name says localhost too: a client that wrongly falls back to the
# CN when a SAN is present would accept this one, and the test would see it.
make_leaf wrong_name ca localhost "DNS:wrong.example" "$yesterday" "$next_month"
make_leaf unknown_ca other_ca localhost "$local_names" "$yesterday" "$next_month"
make_leaf expired ca localhost "$local_names" 20200101000000Z 20200102000000Z
make_leaf not_yet_valid ca localhost "$local_names" 20990101000000Z 20990102000000Z
chmod 600 ./*.key
