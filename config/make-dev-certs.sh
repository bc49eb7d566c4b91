#!/usr/bin/env bash
# Makes a throwaway CA and the certificates of a local secure cluster with openssl (README, "Securing a cluster").
#
#   config/make-dev-certs.sh [-o DIR] [ID=SANS ...]
#
# Without ID=SANS: replicas 1, 2 and 3 on this machine (SAN IP:127.0.0.1, DNS:localhost). For machines of your own,
# name each replica and the addresses it is reached at, e.g.
#   config/make-dev-certs.sh -o certs 1=IP:10.0.0.11,DNS:coord-1 2=IP:10.0.0.12,DNS:coord-2 3=IP:10.0.0.13,DNS:coord-3
# DIR (default ./certs) gets ca.crt, ca.key, replica-N.crt/.key for each replica (CN=replica-N: a replica accepts a
# peer only with the certificate naming that peer's id), client.crt/.key (CN=client) and client.pfx (password "dev").
# The CA key signs every certificate of the cluster: keep it off the replicas. These are for trying TLS out; a
# production cluster's CA belongs in your own PKI.
set -euo pipefail

out=./certs
days=825
while getopts "o:h" flag; do
  case "$flag" in
    o) out=$OPTARG ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
replicas=("$@")
if [ ${#replicas[@]} -eq 0 ]; then
  replicas=("1=IP:127.0.0.1,DNS:localhost" "2=IP:127.0.0.1,DNS:localhost" "3=IP:127.0.0.1,DNS:localhost")
fi

mkdir -p "$out"
cd "$out"
umask 077

openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days "$days" \
  -subj "/CN=coordinator-dev-ca" -keyout ca.key -out ca.crt \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

# issue NAME SANS: a key and a certificate for CN=NAME, signed by the CA, usable as TLS server and client.
issue() {
  local name=$1 sans=$2 ext
  ext=$(mktemp)
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth,clientAuth\n' > "$ext"
  if [ -n "$sans" ]; then printf 'subjectAltName=%s\n' "$sans" >> "$ext"; fi
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -subj "/CN=$name" \
    -keyout "$name.key" -out "$name.csr" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$days" \
    -extfile "$ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$ext"
}

for spec in "${replicas[@]}"; do
  id=${spec%%=*}
  sans=${spec#*=}
  case "$id" in ''|*[!0-9]*) echo "error: '$spec' is not ID=SANS (e.g. 1=IP:127.0.0.1)" >&2; exit 2 ;; esac
  issue "replica-$id" "$sans"
done
issue client ""
openssl pkcs12 -export -in client.crt -inkey client.key -passout pass:dev -out client.pfx
rm -f ca.srl
chmod 644 ./*.crt
echo "wrote $(pwd): ca.crt, ${replicas[*]%%=*} as replica-N.crt/.key, client.crt/.key, client.pfx"
