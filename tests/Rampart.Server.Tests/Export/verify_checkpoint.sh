#!/bin/sh
# usage: verify-checkpoint.sh PUBKEY SEQ HASH TIMEMS SIGNATURE   (the values of one exported checkpoint)
set -e
key=$1 seq=$2 hash=$3 time=$4 sig=$5
work=$(mktemp -d)
{ printf 'rampart.audit.checkpoint.v1'; printf '%016x' "$seq" | xxd -r -p; printf '%s' "$hash" | xxd -r -p; printf '%016x' "$time" | xxd -r -p; } > "$work/signed.bin"
raw=$(printf '%s' "$sig" | base64 -d | xxd -p -c 64)
printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "$(echo "$raw" | cut -c1-64)" "$(echo "$raw" | cut -c65-128)" > "$work/sig.cnf"
openssl asn1parse -genconf "$work/sig.cnf" -out "$work/sig.der" -noout
openssl dgst -sha256 -verify "$key" -signature "$work/sig.der" "$work/signed.bin"
rm -r "$work"
