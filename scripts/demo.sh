#!/bin/bash
# SPDX-License-Identifier: MIT
# scripts/demo.sh - `make demo`: start the loopback test network, audit the
# sample hosting-provider inventory and a /27 of the scenario block, show the
# summary and every row as a table, stop the test network.  Loopback only.
# Needs bash, python3 and the two programs `make` builds; no browser.
set -eu
cd "$(dirname "$0")/.."
out=demo-out
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ptraudit-demo.XXXXXX")
tn_pid=
cleanup() {
  [ -n "$tn_pid" ] && kill "$tn_pid" 2>/dev/null && wait "$tn_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# testnet picks free ports itself and writes them to its ready file.
./testnet --dns-port 0 --smtp-port 0 --smtp-net 127.64.0.0/20 --ready-file "$tmp/ready" &
tn_pid=$!
for _ in $(seq 100); do [ -e "$tmp/ready" ] && break; sleep 0.1; done
[ -e "$tmp/ready" ] || { echo "testnet did not start" >&2; exit 1; }
sleep 0.1
dns=$(awk '$1 == "dns_port" {print $2}' "$tmp/ready")
smtp=$(awk '$1 == "smtp_port" {print $2}' "$tmp/ready")
echo "== testnet: DNS on 127.0.0.1:$dns, SMTP on port $smtp of 127.64.0.0/20"

# --dnsbl: testnet's blocklist zone (tests/testnet.md, "Blocklist zone");
# the inventory's sender and helo columns turn on SPF and DMARC.
common=(-r "127.0.0.1:$dns" --smtp-port "$smtp" --smtp-timeout 3000 --dns-timeout 1000
        --rate 200 --fail-on never --force --dnsbl bl.tn.test)

echo
echo "== ptraudit -i samples/inventory.csv -o $out/inventory.csv.gz"
./ptraudit "${common[@]}" -i samples/inventory.csv -o "$out/inventory.csv.gz"
echo
python3 scripts/show-report.py "$out/inventory.csv.gz" customer
echo
echo "   the sender checks of the same rows (README: Sender requirements):"
python3 scripts/show-report.py "$out/inventory.csv.gz" --only customer ip spf spf_detail dmarc dnsbl

echo
echo "== ptraudit 127.64.0.0/27 -o $out/block.csv.gz   (every DNS scenario of testnet)"
./ptraudit "${common[@]}" --ordered 127.64.0.0/27 -o "$out/block.csv.gz"
echo
python3 scripts/show-report.py "$out/block.csv.gz"
echo
echo "Reports: $out/inventory.csv.gz, $out/block.csv.gz (zcat them for every column)."
